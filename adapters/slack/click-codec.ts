/**
 * The one codec for what a rendered button carries out and what its click brings back.
 * A reply button's `action_id` is `bridge.reply.<n>` (unique within the message, hence within
 * its block) and its `value` is compact JSON of the ClickPayload; a link button's `action_id` is
 * `bridge.link.<n>` and decodes to nothing (Slack still reports its clicks). Pure.
 */
import { z } from 'zod';
import type { ClickPayload } from '../../src/core/bot-message.js';
import { SLACK_LIMITS } from './limits.js';

const replyPrefix = 'bridge.reply.';
const linkPrefix = 'bridge.link.';

const valueSchema = z.object({
  c: z.string(),
  t: z.string(),
  i: z.number().int().min(0).optional(),
  p: z.string().optional(),
});

type EncodedClick = z.infer<typeof valueSchema>;

/** The action_id of the `index`-th reply button of a message. */
export function replyActionId(index: number): string {
  return `${replyPrefix}${index}`;
}

/** The action_id of the `index`-th link button of a message. */
export function linkActionId(index: number): string {
  return `${linkPrefix}${index}`;
}

/** True when an action_id is one of the bridge's reply buttons. */
export function isReplyActionId(actionId: string): boolean {
  return actionId.startsWith(replyPrefix);
}

/**
 * The button `value` for a click. Within Slack's 2,000 characters; a click that cannot fit (a
 * text or payload of nearly 2,000 characters) keeps its conversation and card index and has its
 * payload, then its text, cut to the longest prefix that fits.
 */
export function encodeClick(click: ClickPayload): string {
  const encoded: EncodedClick = { c: click.conversationId, t: click.text };
  if (click.cardIndex !== undefined) encoded.i = click.cardIndex;
  if (click.payload !== undefined) encoded.p = click.payload;
  if (fits(encoded)) return JSON.stringify(encoded);
  if (encoded.p !== undefined) encoded.p = longestFittingPrefix(encoded, 'p');
  if (!fits(encoded)) encoded.t = longestFittingPrefix(encoded, 't');
  return JSON.stringify(encoded);
}

function fits(encoded: EncodedClick): boolean {
  return JSON.stringify(encoded).length <= SLACK_LIMITS.buttonValue;
}

/** The longest prefix of one field that lets the whole value fit (JSON escaping counts). */
function longestFittingPrefix(encoded: EncodedClick, field: 't' | 'p'): string {
  const full = encoded[field] ?? '';
  let low = 0;
  let high = full.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits({ ...encoded, [field]: prefix(full, middle) })) low = middle;
    else high = middle - 1;
  }
  return prefix(full, low);
}

/** The click a reply button sends back, or undefined for link buttons and anything not ours. */
export function decodeClick(actionId: string, value: string | undefined): ClickPayload | undefined {
  if (!isReplyActionId(actionId) || value === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return undefined; // a value we did not write (another app's button in a shared message)
  }
  const parsed = valueSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const { c, t, i, p } = parsed.data;
  const click: ClickPayload = { conversationId: c, text: t };
  if (i !== undefined) click.cardIndex = i;
  if (p !== undefined) click.payload = p;
  return click;
}

/** The first `length` characters, one fewer when that would split a surrogate pair. */
function prefix(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  return text.slice(0, length > 0 && code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}
