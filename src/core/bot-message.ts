/**
 * The platform-neutral message the bot (or the bridge itself) sends to a person.
 * Bot backends produce it; channel adapters render it. Neither side knows the other.
 */

/** A button that sends its text back to the bot when clicked. */
export interface ReplyButton {
  kind: 'reply';
  text: string;
  /** What the click sends back when the bot API tells it apart from the label (CSML button payloads). */
  payload?: string;
}

/** A button that opens a URL and sends nothing back. */
export interface LinkButton {
  kind: 'link';
  text: string;
  url: string;
}

/** Any button the bot can offer. */
export type BotButton = ReplyButton | LinkButton;

/** One card of a carousel; a click on one of its reply buttons also sends the card's index. */
export interface BotCard {
  title: string;
  description?: string;
  imageUrl?: string;
  buttons: BotButton[];
}

/** Who wrote a message when it is not the bot: a human agent during a hand-off. */
export interface MessageSender {
  name: string;
  avatarUrl?: string;
}

/**
 * A hand-off status the bridge tells a requester. Chat platforms show the message text; Ultimate's
 * widget turns it into its own event (escalationQueueUpdate, escalationSuccess, agentDisconnect
 * for both resolved and returned (Back to bot), escalationFailed).
 */
export interface HandoffNotice {
  kind: 'queued' | 'joined' | 'resolved' | 'returned' | 'failed';
  agent?: MessageSender;
  queuePosition?: number;
  /** Expected wait in seconds, when known. */
  waitingTime?: number;
}

/** Text, optionally with buttons under it. The text may contain Markdown unless `verbatim`. */
export interface TextMessage {
  kind: 'text';
  text: string;
  buttons: BotButton[];
  sender?: MessageSender;
  /**
   * The text is a person's own words (a requester's message relayed to agents): renderers show
   * it as written, with Markdown, links and mentions escaped, so it cannot forge a link or a ping.
   */
  verbatim?: boolean;
  /** Set on the bridge's own hand-off notices. */
  notice?: HandoffNotice;
}

/** A horizontal set of cards, optionally introduced by a text. */
export interface CarouselMessage {
  kind: 'carousel';
  text?: string;
  cards: BotCard[];
  sender?: MessageSender;
}

/** An image, video, audio clip or file, sent by URL. */
export interface MediaMessage {
  kind: 'media';
  mediaType: 'image' | 'video' | 'audio' | 'file';
  url: string;
  /** Caption or title; also the fallback text. */
  text?: string;
  sender?: MessageSender;
}

/** Everything a channel adapter must be able to render. */
export type BotMessage = TextMessage | CarouselMessage | MediaMessage;

/** What a click on a rendered reply button sends back to the bot. */
export interface ClickPayload {
  /** The conversation the clicked message belongs to. */
  conversationId: string;
  /** The button text, sent to the bot as the message text. */
  text: string;
  /** The 0-based card index for a carousel card's button. */
  cardIndex?: number;
  /** The button's payload, when it has one (CSML). */
  payload?: string;
}

/** Plain text that stands for a message where a platform needs a fallback or a transcript line. */
export function summarizeMessage(message: BotMessage): string {
  switch (message.kind) {
    case 'text':
      return message.buttons.length === 0
        ? message.text
        : `${message.text} [${message.buttons.map((button) => button.text).join(' | ')}]`;
    case 'carousel': {
      const titles = message.cards.map((card) => card.title).join(' | ');
      return message.text ? `${message.text} [${titles}]` : `[${titles}]`;
    }
    case 'media':
      return message.text ? `${message.text} (${message.url})` : message.url;
    default:
      return assertNever(message);
  }
}

/** Exhaustiveness check for switches over union kinds. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
