/**
 * chat.postMessage and chat.update (every message the outbox delivers, ticket posts and their
 * updates) as one keep-alive HTTP request with a whole-request deadline (src/http/outbound-post.ts).
 * The benchmark (bench/, `npm run bench`) measured the Web API client at about 600 µs of CPU per
 * call against under 100 µs for a plain request: it queues, wraps retries we switch off anyway,
 * and serialises a redacted copy of every body for debug logging. Reads (users.info, presence,
 * permalinks) keep using the client. The request is what the client sends: form-encoded, nested
 * fields as JSON, the bot token as a Bearer header, to SLACK_API_URL; one attempt, failures
 * mapped to DeliveryError.
 * The token is an argument of each call: every workspace's messages go out with its own token.
 */
import type http from 'node:http';
import { DeliveryError } from '../../src/core/errors.js';
import { keepAliveAgent, postOnce, TransportError } from '../../src/http/outbound-post.js';
import { parseRetryAfterMs } from '../../src/core/retry-after.js';
import { isTransientSlackError } from './slack-errors.js';

/** What the poster needs. */
export interface ChatPosterOptions {
  /** SLACK_API_URL, ending in `/`. */
  apiUrl: string;
  /** Deadline of each whole request. */
  timeoutMs: number;
}

/** The parts of Slack's answer delivery uses. */
export interface PostMessageAnswer {
  channel?: string;
  ts?: string;
  /** The workspace of the posted message, when Slack says. */
  team?: string;
}

const maxAnswerBytes = 1024 * 1024;

/** The Slack methods that write messages: every post and in-place update of the bridge goes through here. */
export type ChatMethod = 'chat.postMessage' | 'chat.update';

/** Posts and updates messages with chat.postMessage and chat.update. */
export class ChatPoster {
  private readonly base: URL;
  private readonly agent: http.Agent;

  constructor(private readonly options: ChatPosterOptions) {
    this.base = new URL(options.apiUrl);
    this.agent = keepAliveAgent(this.base.protocol === 'https:' ? 'https:' : 'http:', 64);
  }

  /** One chat.postMessage call with the workspace's `token`; throws DeliveryError (platformCode = Slack's error name). */
  postMessage(args: Record<string, unknown>, token: string): Promise<PostMessageAnswer> {
    return this.call('chat.postMessage', args, token);
  }

  /** One chat.update call with the workspace's `token`; throws DeliveryError. */
  update(args: Record<string, unknown>, token: string): Promise<PostMessageAnswer> {
    return this.call('chat.update', args, token);
  }

  private async call(method: ChatMethod, args: Record<string, unknown>, token: string): Promise<PostMessageAnswer> {
    const { status, headers, text } = await this.send(new URL(method, this.base), formEncode(args), { method, token });
    let answer: { ok?: unknown; error?: unknown; channel?: unknown; ts?: unknown; message?: { team?: unknown } };
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch (error) {
      throw new DeliveryError(`Slack ${method} answered ${status} without JSON`, { retryable: status >= 500, platformCode: `http_${status}`, cause: error });
    }
    if (status === 429) {
      throw new DeliveryError(`Slack ${method} failed: ratelimited`, { retryable: true, retryAfterMs: parseRetryAfterMs(headers['retry-after']), platformCode: 'ratelimited' });
    }
    if (answer.ok !== true) {
      const name = typeof answer.error === 'string' ? answer.error : `http_${status}`;
      throw new DeliveryError(`Slack ${method} failed: ${name}`, { retryable: status >= 500 || isTransientSlackError(name), platformCode: name });
    }
    const team = answer.message?.team;
    return {
      channel: typeof answer.channel === 'string' ? answer.channel : undefined,
      ts: typeof answer.ts === 'string' ? answer.ts : undefined,
      ...(typeof team === 'string' ? { team } : {}),
    };
  }

  /** Close idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  private async send(url: URL, body: string, { method, token }: { method: ChatMethod; token: string }): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
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

function networkError(error: TransportError, method: ChatMethod): DeliveryError {
  const timeout = error.timedOut;
  return new DeliveryError(`Slack ${method} failed: ${timeout ? 'timeout' : 'request_error'}`, {
    retryable: true,
    platformCode: timeout ? 'timeout' : 'request_error',
    cause: error,
  });
}
