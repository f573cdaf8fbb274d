/**
 * One JSON POST to a bot API over a keep-alive connection, with one hard deadline timer. The
 * benchmark (`npm run bench`, path (a)) measured axios at about 2.5 times the CPU of a plain
 * `http.request` per Converse call. The deadline covers the whole request, the answer read in
 * full included, so a server that stalls mid-answer cannot hold a delivery past its lease. The
 * callers (bot-http-client.ts, the widget API client) map the outcome to the bridge's errors and
 * never retry: the outbox does. Redirects are not followed (they would resend the API key elsewhere).
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

/** The answer: any status (the caller classifies), the body parsed as JSON when it is JSON. */
export interface JsonResponse {
  status: number;
  headers: IncomingHttpHeaders;
  data: unknown;
}

/** The request never got an answer: `code` is Node's (ECONNREFUSED, ...) or ETIMEDOUT for our deadline. */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    readonly timedOut: boolean,
  ) {
    super(timedOut ? 'no answer before the deadline' : `transport failure ${code}`);
    this.name = 'TransportError';
  }

  /** A timeout or a network failure may pass; a malformed URL or an oversized answer will not. */
  get retryable(): boolean {
    return this.timedOut || !permanentTransportCodes.has(this.code);
  }
}

/** Transport codes that mean the request itself is wrong: repeating it cannot help. */
const permanentTransportCodes = new Set(['ERR_INVALID_URL', 'ERR_ANSWER_TOO_LARGE']);

/** Whether an HTTP status may succeed when the same call is repeated later: 429 and 5xx; other 4xx are final. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};
const maxAnswerBytes = 4 * 1024 * 1024;

/** `path` under an API base URL given with or without a trailing slash (`ULTIMATE_API_URL`, `CSML_API_URL`). */
export function endpointUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/** POST `body` as JSON to `url`. Rejects only with `TransportError`. */
export function postJson(url: string, body: unknown, options: { headers: Record<string, string>; timeoutMs: number }): Promise<JsonResponse> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.reject(new TransportError('ERR_INVALID_URL', false));
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.reject(new TransportError('ERR_INVALID_URL', false));
  const payload = JSON.stringify(body);
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const request = transport.request(target, {
      method: 'POST',
      agent: agents[target.protocol as 'http:' | 'https:'],
      headers: { ...options.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    const deadline = setTimeout(() => {
      timedOut = true;
      request.destroy();
    }, options.timeoutMs);
    const fail = (error: NodeJS.ErrnoException) => {
      clearTimeout(deadline);
      reject(new TransportError(timedOut ? 'ETIMEDOUT' : (error.code ?? 'ERR_NETWORK'), timedOut));
    };
    request.on('error', fail);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxAnswerBytes) request.destroy(Object.assign(new Error('answer too large'), { code: 'ERR_ANSWER_TOO_LARGE' }));
        else chunks.push(chunk);
      });
      response.on('error', fail);
      response.on('end', () => {
        clearTimeout(deadline);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, data: parseBody(Buffer.concat(chunks).toString('utf8')) });
      });
    });
    request.end(payload);
  });
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
