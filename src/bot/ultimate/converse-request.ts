/**
 * The body of `POST /converse/chat` (seeds 000, 003, 004), built from a `BotEvent`. Pure.
 * `metaData` is always an array of `{key, value: string, sanitize?}` (the docs also show a
 * single object; the template project's DTO and the field table say array, so only that is sent).
 */
import type { BotEvent, MetaDataEntry } from '../bot-backend.js';
import { BotRequestError } from '../../core/errors.js';

/** A Converse request exactly as Ultimate reads it; absent fields are left out, not null. */
export interface ConverseRequest {
  platformConversationId: string;
  eventType: 'startSession' | 'message' | 'endSession';
  text?: string;
  cardIndex?: number;
  metaData?: MetaDataEntry[];
}

/**
 * Build the Converse body. `text` and `cardIndex` ride only on `message` (the bot ignores text
 * on startSession, so a user's words must never go there); `metaData` rides on `startSession`
 * and `message`, which the docs recommend over a separate metadata event.
 * Throws a non-retryable `BotRequestError` for a message without text or a bad card index.
 */
export function toConverseRequest(event: BotEvent): ConverseRequest {
  const request: ConverseRequest = { platformConversationId: event.conversationId, eventType: event.type };
  if (event.type === 'message') {
    if (event.text === undefined) {
      throw new BotRequestError('bot_request_failed', 'A message event for Ultimate needs text (a click sends the button text)', { retryable: false });
    }
    request.text = event.text;
    if (event.cardIndex !== undefined) {
      if (!Number.isInteger(event.cardIndex) || event.cardIndex < 0) {
        throw new BotRequestError('bot_request_failed', `cardIndex must be a 0-based integer, got ${event.cardIndex}`, { retryable: false });
      }
      request.cardIndex = event.cardIndex;
    }
  }
  if (event.type !== 'endSession' && event.metaData && event.metaData.length > 0) {
    request.metaData = event.metaData.map(toMetaDataEntry);
  }
  return request;
}

function toMetaDataEntry(entry: MetaDataEntry): MetaDataEntry {
  // Values arrive typed as strings; String() keeps the wire format right if a caller slips.
  const wire: MetaDataEntry = { key: entry.key, value: String(entry.value) };
  if (typeof entry.sanitize === 'boolean') wire.sanitize = entry.sanitize;
  return wire;
}
