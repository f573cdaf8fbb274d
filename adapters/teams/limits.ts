/**
 * Microsoft Teams limits the renderer and the adapter respect, in one table. Where Microsoft
 * documents a number it is used as is; where it only says "about", the value keeps a margin.
 */

/** Teams and Bot Framework limits. */
export const teamsLimits = {
  /** Cards in one `attachmentLayout: "carousel"` message; more are split across messages. */
  cardsPerCarousel: 10,
  /**
   * Bytes of one outgoing activity (JSON). Teams rejects messages over about 100 KB; the margin
   * leaves room for what the connector adds (ids, timestamps, channel data).
   */
  activityBytes: 80_000,
  /** Characters of text in one message; longer text is split across messages. */
  textChars: 20_000,
  /** Characters of text shown in one Adaptive Card's text block. */
  cardTextChars: 10_000,
  /** Actions at the bottom of one Adaptive Card; Teams shows at most six, more go into action sets. */
  actionsPerCard: 6,
  /** Characters of a button title as shown; the click still sends the full button text. */
  buttonTitleChars: 80,
  /** Characters of a carousel card title and description. */
  cardTitleChars: 200,
  cardDescriptionChars: 2_000,
  /** Characters of an image's alt text. */
  altTextChars: 250,
  /** Characters of the message text a button carries back so the updated card can show it. */
  clickEchoChars: 300,
  /** Characters of a button text or payload a click may carry (the bot's own limits are lower). */
  clickTextChars: 2_000,
  /** Largest inbound activity accepted on /api/messages. */
  inboundBodyBytes: 256 * 1024,
  /** Timeout of every outbound call to the Bot Framework connector. */
  connectorTimeoutMs: 10_000,
  /** Deadline of one whole proactive turn (token and connector calls): shorter than the outbox's 15 s lease. */
  turnDeadlineMs: 12_000,
  /** Requester profiles kept (TeamsInfo.getMember), and for how long. */
  profileCacheMax: 5_000,
  profileCacheTtlMs: 60 * 60_000,
  /** Desk side: transcript turns shown on a ticket card (the desk's own setting is usually lower), and characters per turn. */
  ticketTranscriptTurns: 50,
  ticketTurnChars: 500,
  /** Desk side: roster page size, and the most members a desk's presence reads. */
  rosterPageSize: 500,
  rosterMembersMax: 5_000,
  /** Microsoft Graph getPresencesByUserId: ids per request (documented maximum 650). */
  presenceIdsPerRequest: 650,
  /** Timeout of every Microsoft Graph and token endpoint call. */
  graphTimeoutMs: 10_000,
  /** A Graph token is renewed this long before it expires. */
  tokenRenewMarginMs: 5 * 60_000,
  /** Teams and desk channels whose service URL was learned from inbound activities. */
  knownTeamsMax: 1_000,
  /** Ticket threads this adapter posted, remembered when the core cannot say which threads are tickets. */
  postedTicketsMax: 10_000,
} as const;

/** The Adaptive Card schema version Teams renders everywhere (desktop, web, mobile). */
export const adaptiveCardVersion = '1.5';
