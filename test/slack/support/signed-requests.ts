/**
 * Requests as Slack sends them: signed with the signing secret (v0 HMAC-SHA256 over
 * `v0:timestamp:body`), JSON for events, form-encoded `payload=` for interactivity.
 */
import { createHmac } from 'node:crypto';

/** Slack's signature headers for a body. */
export function signatureHeaders(secret: string, body: string, timestampSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${signature}`, 'x-slack-request-timestamp': String(timestampSeconds) };
}

/** Options for a signed post. */
export interface SignedPostOptions {
  secret: string;
  timestampSeconds?: number;
  headers?: Record<string, string>;
}

/** POST an Events API body (JSON). */
export function postEvent(url: string, payload: unknown, options: SignedPostOptions): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signatureHeaders(options.secret, body, options.timestampSeconds), ...options.headers },
    body,
  });
}

/** POST an interactivity payload (form-encoded `payload`). */
export function postInteraction(url: string, payload: unknown, options: SignedPostOptions): Promise<Response> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...signatureHeaders(options.secret, body, options.timestampSeconds), ...options.headers },
    body,
  });
}

/** POST a slash command (form-encoded fields). */
export function postCommand(url: string, fields: Record<string, string>, options: SignedPostOptions): Promise<Response> {
  const body = new URLSearchParams(fields).toString();
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...signatureHeaders(options.secret, body, options.timestampSeconds) },
    body,
  });
}
