/**
 * What a channel adapter hands the bridge when a requester (the person talking to the bot)
 * does something on a platform.
 */

/** Who is writing: filled from the platform's profile of the requester. */
export interface RequesterProfile {
  /** Platform user id (Slack user id, Teams AAD object id or Bot Framework user id). */
  id: string;
  name?: string;
  /** Email or UPN; personal data, always sent to the bot with `sanitize: true`. */
  email?: string;
  locale?: string;
  timezone?: string;
  /** Tenant or workspace id. */
  tenantId?: string;
  /** Extra platform fields worth keeping (e.g. `slackTeamId`); string values only. */
  extra?: Record<string, string>;
}

/**
 * Where a conversation lives on a platform. `key` identifies the thread (the same thread always
 * gives the same key); `reference` is whatever else the adapter needs to reply later (a Slack
 * thread's Enterprise Grid org, a Teams ConversationReference). Both must be JSON-serialisable.
 */
export interface ChannelAddress {
  /** The adapter's name, e.g. `slack` or `teams`. */
  channel: string;
  /** The thread key, unique within the channel, e.g. `T1:C1:1712345678.000100`. */
  key: string;
  reference: Record<string, unknown>;
}

/** A requester's message, or a click on a reply button (then `text` is the button text). */
export interface VisitorMessage {
  kind: 'message';
  text: string;
  cardIndex?: number;
  /** For a click on a button with a payload (CSML): the payload. */
  payload?: string;
  /** For a click: the conversation the clicked message belongs to. */
  clickedConversationId?: string;
}

/** The platform signalled that the requester opened a conversation without writing (app home, install). */
export interface VisitorStartSession {
  kind: 'startSession';
}

/** The requester ended the conversation. */
export interface VisitorEndSession {
  kind: 'endSession';
}

/** Anything a requester can do. */
export type VisitorAction = VisitorMessage | VisitorStartSession | VisitorEndSession;

/** One inbound event from a channel adapter; plain data, since it is journalled as it is. */
export interface VisitorEvent {
  address: ChannelAddress;
  requester: RequesterProfile;
  action: VisitorAction;
  /**
   * The platform's id of this delivery (Slack event_id, Teams activity id; for a click, the message
   * and button), for dedupe across retries: unique within the thread, as Teams activity ids are.
   */
  eventId?: string;
}

/** What the bridge did with a visitor event; adapters use it to give the requester feedback. */
export type VisitorEventOutcome =
  /** Journalled: it will reach the bot (or, while escalated, the agents), also across a crash. */
  | { status: 'accepted' }
  /** A retry of an event already journalled. */
  | { status: 'duplicate' }
  /** A click on a message of a conversation that has ended. */
  | { status: 'ended' };
