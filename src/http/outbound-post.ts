/**
 * One POST over a keep-alive connection with one deadline for the whole request (connect, send,
 * the answer read in full), and a bound on the answer's size: the transport of the bridge's two
 * hand-written hot-path clients (the bot APIs, src/bot/json-post.ts, and Slack's chat.postMessage,
 * adapters/slack/chat-poster.ts). No redirects are followed and nothing is parsed here; a request
 * without a whole answer fails with `TransportError`, which each client maps to its own errors.
 *
 * A keep-alive connection can be closed by the server just as it is reused (its idle timeout, a
 * load balancer's): the request then fails with ECONNRESET or EPIPE before any answer. Such a
 * request is sent once more on a new connection, as Node's documentation advises for
 * `request.reusedSocket`, within the same deadline. The server closed the connection before reading
 * it, so this does not send twice what was processed once; should the server instead have died
 * with the request read, the outbox would have repeated it anyway, only later.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

/** The answer: any status (the caller classifies it), the body as it came. */
export interface PostAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** How one POST is sent. */
export interface PostOptions {
  agent: http.Agent;
  headers: Record<string, string | number>;
  /** The deadline of the whole request, the one repetition included. */
  timeoutMs: number;
  /** A longer answer fails with code ERR_ANSWER_TOO_LARGE. */
  maxAnswerBytes: number;
}

/** The request got no (whole) answer: `code` is Node's (ECONNRESET, ...), ETIMEDOUT past the deadline, ERR_ANSWER_TOO_LARGE. */
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

/** Codes of a reused connection the server had closed before it answered. */
const closedConnectionCodes = new Set(['ECONNRESET', 'EPIPE']);

/**
 * POST `body` to `url`. Rejects with `TransportError` when no whole answer came, and with Node's
 * own error, unchanged, for a request it refuses to build (an invalid header character).
 */
export function postOnce(url: URL, body: string, options: PostOptions): Promise<PostAnswer> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let current: http.ClientRequest | undefined;
    let settled = false;
    const finish = (error: Error | undefined, answer?: PostAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (error) reject(error);
      else resolve(answer!);
    };
    const fail = (error: NodeJS.ErrnoException) => finish(new TransportError(error.code ?? 'ERR_NETWORK', false));
    const deadline = setTimeout(() => {
      finish(new TransportError('ETIMEDOUT', true));
      current?.destroy();
    }, options.timeoutMs);
    deadline.unref();

    const send = (mayRepeat: boolean) => {
      let answered = false;
      let request: http.ClientRequest;
      try {
        request = transport.request(url, { method: 'POST', agent: options.agent, headers: options.headers });
      } catch (error) {
        return finish(error as Error); // Node refused to build it: nothing was sent
      }
      current = request;
      request.on('response', (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= options.maxAnswerBytes) return void chunks.push(chunk);
          finish(new TransportError('ERR_ANSWER_TOO_LARGE', false));
          request.destroy();
        });
        response.on('error', fail);
        response.on('end', () => finish(undefined, { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (mayRepeat && !answered && !settled && request.reusedSocket && closedConnectionCodes.has(error.code ?? '')) send(false);
        else fail(error);
      });
      request.end(body);
    };
    send(true);
  });
}
