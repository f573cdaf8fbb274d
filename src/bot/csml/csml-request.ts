/**
 * The body of CSML's `POST /chat` (seed 001) built from a `BotEvent`, and its auth headers. Pure.
 *
 * CSML has no session events, so:
 * - startSession sends a `flow_trigger` for a configured welcome flow (with `close_flows`, so a
 *   half-finished flow does not resume) and nothing at all without one: the flow id is the only
 *   thing CSML can start a conversation with, and guessing a text like "start" would be taken as
 *   the user's words.
 * - endSession sends nothing. The next conversation gets a new id, which is CSML's `user_id`,
 *   so CSML sees a new user and the old flow is simply never resumed.
 * A message sends `payload` for a click on a button with a payload, else `text`. CSML has no
 * card index: a carousel button's payload already says which card it belongs to.
 */
import { createHmac } from 'node:crypto';
import type { BotEvent, MetaDataEntry } from '../bot-backend.js';
import { BotRequestError } from '../../core/errors.js';

/** A CSML message payload on its way in. */
export type CsmlRequestPayload =
  | { content_type: 'text'; content: { text: string } }
  | { content_type: 'payload'; content: { payload: string } }
  | { content_type: 'flow_trigger'; content: { flow_id: string; close_flows: boolean } };

/** The Chat API request body. */
export interface CsmlChatRequest {
  client: { user_id: string };
  metadata: Record<string, string>;
  request_id: string;
  payload: CsmlRequestPayload;
}

/** Options of `toCsmlRequest`. */
export interface CsmlRequestOptions {
  requestId: string;
  /** Flow triggered by startSession; without it startSession sends nothing. */
  welcomeFlowId?: string;
}

/** The request for `event`, or undefined when CSML has nothing matching it (see above). */
export function toCsmlRequest(event: BotEvent, options: CsmlRequestOptions): CsmlChatRequest | undefined {
  const payload = toPayload(event, options.welcomeFlowId);
  if (!payload) return undefined;
  return {
    client: { user_id: event.conversationId },
    metadata: toMetadata(event.metaData),
    request_id: options.requestId,
    payload,
  };
}

function toPayload(event: BotEvent, welcomeFlowId: string | undefined): CsmlRequestPayload | undefined {
  switch (event.type) {
    case 'startSession':
      return welcomeFlowId ? { content_type: 'flow_trigger', content: { flow_id: welcomeFlowId, close_flows: true } } : undefined;
    case 'endSession':
      return undefined;
    case 'message':
      if (event.payload !== undefined) return { content_type: 'payload', content: { payload: event.payload } };
      if (event.text !== undefined) return { content_type: 'text', content: { text: event.text } };
      throw new BotRequestError('bot_request_failed', 'A message event for CSML needs text or a button payload', { retryable: false });
  }
}

/** CSML metadata is one flat object; the `sanitize` flag has no CSML counterpart. */
function toMetadata(entries: MetaDataEntry[] | undefined): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const entry of entries ?? []) metadata[entry.key] = String(entry.value);
  return metadata;
}

/** Credentials for CSML's auth headers. */
export interface CsmlCredentials {
  apiKey: string;
  /** When set, requests are signed (the older accounts' form). */
  apiSecret?: string;
}

/**
 * `X-Api-Key: KEY` alone, or with a secret the signed form `X-Api-Key: KEY|TIMESTAMP` (unix
 * seconds) plus `X-Api-Signature: sha256=<hex HMAC-SHA256 of that value, keyed by the secret>`.
 */
export function csmlAuthHeaders(credentials: CsmlCredentials, nowMs: number): Record<string, string> {
  if (!credentials.apiSecret) return { 'X-Api-Key': credentials.apiKey };
  const keyWithTime = `${credentials.apiKey}|${Math.floor(nowMs / 1000)}`;
  const signature = createHmac('sha256', credentials.apiSecret).update(keyWithTime, 'utf8').digest('hex');
  return { 'X-Api-Key': keyWithTime, 'X-Api-Signature': `sha256=${signature}` };
}
