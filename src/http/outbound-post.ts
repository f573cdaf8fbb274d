/**
 * One POST over a keep-alive connection with one deadline for the whole request (connect, send,
 * the answer read in full), and a bound on the answer's size: the transport of the bridge's two
 * hand-written hot-path clients (the bot APIs, src/bot/json-post.ts, and Slack's chat.postMessage,
 * chat.update and users.info, adapters/slack/lean-web-api.ts). No redirects are followed and nothing is parsed here; a request
 * without a whole answer fails with `TransportError`, which each client maps to its own errors.
 *
 * A keep-alive connection can be closed by the server just as it is reused (its idle timeout, a
 * load balancer's). Two things keep that from costing a delivery attempt:
 * - `keepAliveAgent` closes connections idle for 4 s, before the 5 s of Node's servers and far
 *   before the 60 s or more of load balancers (agentkeepalive's `freeSocketTimeout`, for the same
 *   reason), and earlier still when the server announces a shorter `Keep-Alive: timeout`;
 * - a request on a reused connection that fails with ECONNRESET or EPIPE before a single byte of
 *   answer is sent once more, on a connection of its own, within the same deadline, as Node's
 *   documentation advises for `request.reusedSocket`. Usually the server had closed the connection
 *   before reading the request; should it instead have died with the request read, the outbox
 *   would have repeated the request anyway, only later.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

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
    options?: { cause?: unknown },
  ) {
    super(timedOut ? 'no answer before the deadline' : `transport failure ${code}`, options);
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

/** How long a kept-alive connection may stay idle before the agent closes it. */
const idleConnectionMs = 4000;

/** The agent of one client: connections kept alive, at most `maxSockets` at once, closed after 4 s idle. */
export function keepAliveAgent(protocol: 'http:' | 'https:', maxSockets: number): http.Agent {
  const options = { keepAlive: true, maxSockets, timeout: idleConnectionMs };
  return protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
}

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
    const fail = (error: NodeJS.ErrnoException) => finish(new TransportError(error.code ?? 'ERR_NETWORK', false, { cause: error }));
    const deadline = setTimeout(() => {
      finish(new TransportError('ETIMEDOUT', true));
      current?.destroy();
    }, options.timeoutMs);
    deadline.unref();

    const send = (mayRepeat: boolean) => {
      let request: http.ClientRequest;
      try {
        // The repetition gets a connection of its own: the agent's other idle ones may be as stale.
        request = transport.request(url, { method: 'POST', agent: mayRepeat ? options.agent : false, headers: options.headers });
      } catch (error) {
        return finish(error as Error); // Node refused to build it: nothing was sent
      }
      current = request;
      // The bytes its connection had received before this request: any more, and the server answered.
      let connection: { socket: Socket; readBefore: number } | undefined;
      request.on('socket', (socket) => {
        connection = { socket, readBefore: socket.bytesRead };
      });
      const answered = () => connection === undefined || connection.socket.bytesRead > connection.readBefore;
      request.on('response', (response) => {
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
        if (mayRepeat && !settled && request.reusedSocket && closedConnectionCodes.has(error.code ?? '') && !answered()) send(false);
        else fail(error);
      });
      request.end(body);
    };
    send(true);
  });
}
