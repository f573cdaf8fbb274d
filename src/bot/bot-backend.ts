/**
 * The boundary between the bridge core and a bot API (Ultimate, CSML, the embedded demo bot).
 * A backend is the only code that knows its bot API: the same event model goes in, and the
 * bot's answers come back to the core as platform-neutral `BotMessage`s through `BotOutput`.
 */
import type { BotMessage } from '../core/bot-message.js';

/** One session parameter sent to the bot. Values are strings; `sanitize` marks personal data. */
export interface MetaDataEntry {
  key: string;
  value: string;
  sanitize?: boolean;
}

/** A visitor event on its way to the bot. */
export interface BotEvent {
  conversationId: string;
  type: 'startSession' | 'message' | 'endSession';
  /** Message text; for a click, the button text. Never set on startSession or endSession. */
  text?: string;
  /** For a click on a carousel card's button: the 0-based card index. */
  cardIndex?: number;
  /** For a click on a button with a payload (CSML): the payload. Ultimate uses `text` only. */
  payload?: string;
  /** Requester profile, on the first event of a conversation. */
  metaData?: MetaDataEntry[];
  /**
   * The bridge's id of this event, the same on every retry of it: a backend that answers
   * synchronously (CSML) passes it on so a retried event's replies are queued once.
   */
  eventId?: string;
}

/** A bot API. */
export interface BotBackend {
  /** `ultimate`, `csml` or `demo`, for logs and metrics. */
  readonly name: string;
  /**
   * Send one event, in one attempt with a whole-request deadline; resolves once the bot accepted
   * it. Throws `BotRequestError` (retryable or not): the outbox's `bot` destination retries.
   */
  send(event: BotEvent): Promise<void>;
  /** Throws when the bot API is not usable (for /readyz). */
  checkReady?(): Promise<void>;
}

/**
 * What the core offers a backend for the bot's answers, whether they arrive synchronously
 * (CSML and the demo bot call it from within `send`) or by webhook (Ultimate).
 */
export interface BotOutput {
  /**
   * Durably queue the bot's messages for delivery, in order. Throws when the conversation is
   * unknown. With `deliveryId` (the bot's own message id) a repeat within 15 minutes queues nothing.
   */
  messages(conversationId: string, messages: BotMessage[], deliveryId?: string): Promise<void>;
  /** Hand the conversation to human agents; throws when no desk can take it. */
  escalate(conversationId: string, escalateTo?: string): Promise<void>;
  /** Whether the desk for `teamId` (or the default desk) has someone present now. */
  isTeamOnline(teamId?: string): Promise<boolean>;
  /** The bot ended the conversation on its own (CSML `conversation_end`). */
  conversationEnded(conversationId: string): Promise<void>;
}

/**
 * Escalations from Ultimate's own chat widget (widgetEscalate / widgetMessage / widgetEndSession):
 * the requester is on the widget, the desk is in Slack or Teams, and replies go back through
 * Ultimate's widget API.
 */
export interface WidgetOutput {
  /** Open a ticket for a widget conversation; throws when no desk can take it. */
  escalate(conversationId: string, escalateTo?: string): Promise<void>;
  /** Relay a widget requester's message into the ticket. */
  message(conversationId: string, text: string): Promise<void>;
  /** The widget requester ended the escalated session. */
  end(conversationId: string): Promise<void>;
}
