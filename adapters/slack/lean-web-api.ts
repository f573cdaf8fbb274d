/**
 * The Slack Web API methods of the hot paths (chat.postMessage and chat.update for every message
 * the outbox delivers, users.info for every new requester) as one keep-alive HTTP request each,
 * with a whole-request deadline (src/http/outbound-post.ts). The benchmark (bench/, `npm run
 * bench`) measured the Web API client at about 600 µs of CPU per call against under 100 µs for a
 * plain request: it queues, wraps retries we switch off anyway, runs each call through fetch with
 * an AbortSignal, and serialises a redacted copy of every body for debug logging. Other reads
 * (presence, permalinks, members) keep using the client. The request is the client's,
 * form-encoded with nested fields as JSON, to SLACK_API_URL, but the token goes only in the
 * Authorization header (the client also repeated it in the form), as Slack recommends; one
 * attempt, failures mapped to DeliveryError (platformCode = Slack's error name). The token is an
 * argument of each call: every workspace's calls go out with its own token. Each instance has its
 * own connections (the adapter keeps one for posts and one for lookups, so a burst of new
 * requesters never makes a delivery wait for a socket inside its deadline).
 */
import type http from 'node:http';
import type { DeliveryError } from '../../src/core/errors.js';
import { parseRetryAfterMs } from '../../src/core/retry-after.js';
import { keepAliveAgent, postOnce, TransportError } from '../../src/http/outbound-post.js';
import { isTransientSlackError, slackFailure } from './slack-errors.js';

/** Where, how long, how many at once. */
export interface LeanWebApiOptions {
  /** SLACK_API_URL, ending in `/`. */
  apiUrl: string;
  /** Deadline of each whole request. */
  timeoutMs: number;
  /** Connections open at once (more requests wait for one). */
  maxSockets: number;
}

/** The Slack methods called here. */
export type LeanMethod = 'chat.postMessage' | 'chat.update' | 'users.info';

/** An answer Slack gave with `ok: true`, as parsed. */
export type SlackAnswer = Record<string, unknown>;

const maxAnswerBytes = 1024 * 1024;

/** Calls Slack Web API methods over one pool of keep-alive connections. */
export class LeanWebApi {
  private readonly base: URL;
  private readonly agent: http.Agent;

  constructor(private readonly options: LeanWebApiOptions) {
    this.base = new URL(options.apiUrl);
    this.agent = keepAliveAgent(this.base.protocol === 'https:' ? 'https:' : 'http:', options.maxSockets);
  }

  /** One call of `method` with the workspace's `token`: Slack's answer when ok, else a DeliveryError. */
  async call(method: LeanMethod, args: Record<string, unknown>, token: string): Promise<SlackAnswer> {
    const { status, headers, text } = await this.send(new URL(method, this.base), formEncode(args), { method, token });
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch (error) {
      throw slackFailure(method, `http_${status}`, status >= 500, { cause: error }); // not JSON
    }
    if (status === 429) throw slackFailure(method, 'ratelimited', true, { retryAfterMs: parseRetryAfterMs(headers['retry-after']) });
    const { ok, error } = (typeof answer === 'object' && answer !== null ? answer : {}) as SlackAnswer;
    if (ok !== true) {
      const name = typeof error === 'string' ? error : `http_${status}`;
      throw slackFailure(method, name, status >= 500 || isTransientSlackError(name));
    }
    return answer as SlackAnswer;
  }

  /** Close idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  private async send(url: URL, body: string, { method, token }: { method: LeanMethod; token: string }): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
    try {
      const answer = await postOnce(url, body, {
        agent: this.agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
        timeoutMs: this.options.timeoutMs,
        maxAnswerBytes,
      });
      return { status: answer.status, headers: answer.headers, text: answer.body.toString('utf8') };
    } catch (error) {
      throw error instanceof TransportError ? networkError(error, method) : error;
    }
  }
}

/** The Web API's form encoding: strings as they are, everything else as JSON. */
function formEncode(args: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(args)) {
    if (value !== undefined) form.append(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return form.toString();
}

function networkError(error: TransportError, method: LeanMethod): DeliveryError {
  const platformCode = error.timedOut ? 'timeout' : error.code === 'ERR_ANSWER_TOO_LARGE' ? 'answer_too_large' : 'request_error';
  return slackFailure(method, platformCode, error.retryable, { cause: error });
}
