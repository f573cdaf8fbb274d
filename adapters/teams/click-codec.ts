/**
 * What a reply button carries out as its Action.Submit `data`, and how a click's `value` is read
 * back: the one place both directions live, so they cannot drift apart. Plain data (no `msteams`
 * key) because the Agents Playground cannot click messageBack buttons; a click then arrives as a
 * message with the data in `value` (empty `text`), or, from messageBack cards, with `text` too.
 */
import { z } from 'zod';
import type { ClickPayload } from '../../src/core/bot-message.js';
import { teamsLimits } from './limits.js';

/** Marks card data written by this bridge, so foreign submits are not mistaken for clicks. */
const clickMarker = 'bridge.click';

/** A decoded click: what goes to the bot, and the text of the clicked message for the card update. */
export interface DecodedClick {
  payload: ClickPayload;
  /** The clicked message's text or card title, as it was shown (shortened). */
  shown?: string;
}

const clickDataSchema = z.object({
  kind: z.literal(clickMarker),
  // Empty when the core did not say which conversation the message belongs to.
  conversationId: z.string().max(200),
  text: z.string().max(teamsLimits.clickTextChars),
  cardIndex: z.number().int().min(0).max(999).optional(),
  payload: z.string().max(teamsLimits.clickTextChars).optional(),
  shown: z.string().max(teamsLimits.clickEchoChars).optional(),
});

/** The Action.Submit `data` for a reply button. */
export function encodeClick(payload: ClickPayload, shown?: string): Record<string, unknown> {
  const data: Record<string, unknown> = {
    kind: clickMarker,
    conversationId: payload.conversationId,
    text: payload.text.slice(0, teamsLimits.clickTextChars),
  };
  if (payload.cardIndex !== undefined) data.cardIndex = payload.cardIndex;
  if (payload.payload !== undefined) data.payload = payload.payload.slice(0, teamsLimits.clickTextChars);
  if (shown) data.shown = shown.slice(0, teamsLimits.clickEchoChars);
  return data;
}

/**
 * Read a click from an activity's `value`: an object, or the JSON string messageBack may carry.
 * Returns undefined for anything this bridge did not write.
 */
export function decodeClick(value: unknown): DecodedClick | undefined {
  const parsed = clickDataSchema.safeParse(typeof value === 'string' ? parseJson(value) : value);
  if (!parsed.success) return undefined;
  const { conversationId, text, cardIndex, payload, shown } = parsed.data;
  const click: ClickPayload = { conversationId, text };
  if (cardIndex !== undefined) click.cardIndex = cardIndex;
  if (payload !== undefined) click.payload = payload;
  return shown === undefined ? { payload: click } : { payload: click, shown };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: then it is not a value this bridge wrote, which decodeClick reports as undefined.
    return undefined;
  }
}
