/**
 * Slack's Block Kit and Web API limits, in one table the renderers read. Sources: docs.slack.dev
 * Block Kit reference (blocks, button element, image, card and carousel blocks) and the
 * chat.postMessage reference. Pure data, no I/O.
 */
export const SLACK_LIMITS = {
  /** Blocks in one message. */
  blocksPerMessage: 50,
  /** Interactive elements in one actions block. */
  actionsElements: 25,
  /** Characters of a button's label (plain_text). */
  buttonText: 75,
  /** Characters of a button's `value`. */
  buttonValue: 2000,
  /** Characters of a link button's `url`. */
  buttonUrl: 3000,
  /** Characters of an `action_id`. */
  actionId: 255,
  /** Characters of a section's text. */
  sectionText: 3000,
  /** Characters of a context block's mrkdwn element. */
  contextText: 3000,
  /** Characters of a header block's text. */
  headerText: 150,
  /** Characters of an image URL. */
  imageUrl: 3000,
  /** Characters of an image's alt text. */
  imageAltText: 2000,
  /** Characters of an image block's title. */
  imageTitle: 2000,
  /** Cards in one carousel block (at least 1). */
  carouselCards: 10,
  /** Characters of a card's title. */
  cardTitle: 150,
  /** Characters of a card's subtitle. */
  cardSubtitle: 150,
  /** Characters of a card's body. */
  cardBody: 200,
  /**
   * Buttons on one card. The card reference gives no number; Slack's card renders up to three
   * (as the slackblocks crate documents), so a card with more goes to the fallback layout.
   */
  cardButtons: 3,
  /** Characters of the top-level fallback `text` we send (Slack truncates past 40,000; notifications show far less). */
  fallbackText: 4000,
  /** Characters of a customised sender name (chat:write.customize `username`). */
  username: 80,
} as const;

/** The table's type, for tests that check output against it. */
export type SlackLimits = typeof SLACK_LIMITS;
