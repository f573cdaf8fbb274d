/**
 * One JSON POST to a bot API over a keep-alive connection (src/http/outbound-post.ts), with one
 * hard deadline. The benchmark (`npm run bench`, path (a)) measured axios at about 2.5 times the
 * CPU of a plain `http.request` per Converse call. The deadline covers the whole request, the
 * answer read in full included, so a server that stalls mid-answer cannot hold a delivery past its
 * lease. The callers (bot-http-client.ts, the widget API client) map the outcome to the bridge's
 * errors and never retry: the outbox does (the transport only resends a request a reused
 * connection lost before the server read it). Redirects are not followed (they would resend the
 * API key elsewhere).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { keepAliveAgent, postOnce, TransportError } from '../http/outbound-post.js';

/** The answer: any status (the caller classifies), the body parsed as JSON when it is JSON. */
export interface JsonResponse {
  status: number;
  headers: IncomingHttpHeaders;
  data: unknown;
}

/** Whether an HTTP status may succeed when the same call is repeated later: 429 and 5xx; other 4xx are final. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

const agents = { 'http:': keepAliveAgent('http:', 64), 'https:': keepAliveAgent('https:', 64) };
const maxAnswerBytes = 4 * 1024 * 1024;

/** `path` under an API base URL given with or without a trailing slash (`ULTIMATE_API_URL`, `CSML_API_URL`). */
export function endpointUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/** POST `body` as JSON to `url`. Rejects with `TransportError`, or with Node's own error for a request it cannot build (an invalid header). */
export async function postJson(url: string, body: unknown, options: { headers: Record<string, string>; timeoutMs: number }): Promise<JsonResponse> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new TransportError('ERR_INVALID_URL', false);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new TransportError('ERR_INVALID_URL', false);
  const payload = JSON.stringify(body);
  const answer = await postOnce(target, payload, {
    agent: agents[target.protocol],
    headers: { ...options.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    timeoutMs: options.timeoutMs,
    maxAnswerBytes,
  });
  return { status: answer.status, headers: answer.headers, data: parseBody(answer.body.toString('utf8')) };
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
