/**
 * One call to a bot's HTTP API (Ultimate, CSML): exactly one attempt under a whole-request
 * deadline, its outcome mapped to `BotRequestError` with `retryable`, `status` and
 * `retryAfterMs`. Retrying is not done here: the outbox's `bot` destination owns every retry
 * (src/core/retry-policy.ts), so a second retry loop here would multiply the attempts.
 *
 * Errors raised here never carry request details: the headers hold the API key, so the `cause`
 * is a plain error with the transport code or status only.
 */
import { BotRequestError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import { parseRetryAfterMs } from '../core/retry-after.js';
import { TransportError } from '../http/outbound-post.js';
import { isRetryableStatus, postJson, type JsonResponse } from './json-post.js';

/** Default deadline of one whole request (connect, send, answer read in full). */
export const defaultBotTimeoutMs = 10_000;

/**
 * What 401, 403 and 404 mean for one bot API, naming the likely cause and the variable to check.
 * `{url}` in a hint is replaced by the request's URL (a 404 usually means a wrong base URL).
 */
export interface StatusHints {
  401: string;
  403: string;
  404: string;
}

/** Everything a `BotHttpClient` needs. */
export interface BotHttpClientOptions {
  /** Name of the API in messages, e.g. "Ultimate". */
  apiName: string;
  /** Headers of every request (API key, bot id). */
  headers: Record<string, string>;
  /** Deadline of the whole request; default `defaultBotTimeoutMs`. */
  timeoutMs?: number;
  hints: StatusHints;
  metrics: Metrics;
  logger: Logger;
  /** Clock for `Retry-After` given as an HTTP date. */
  now?: () => number;
}

/** The settings a backend's options pass through to its client: sinks, deadline and clock. */
export type BotHttpSettings = Pick<BotHttpClientOptions, 'metrics' | 'logger' | 'timeoutMs' | 'now'>;

/** One request: the URL, the JSON body and headers beyond the client's own (a fresh signature). */
export interface BotHttpRequest {
  /** The conversation the call is for (named in the failure's log line). */
  conversationId: string;
  url: string;
  data: unknown;
  headers?: Record<string, string>;
}

/** A bot API client that makes one attempt per call and throws only `BotRequestError`. */
export class BotHttpClient {
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: BotHttpClientOptions) {
    this.timeoutMs = options.timeoutMs ?? defaultBotTimeoutMs;
    this.now = options.now ?? Date.now;
  }

  /**
   * POST once; `read` turns a 2xx answer into what the caller needs and may itself throw
   * `BotRequestError` (a reply that does not match the API's format). Every other outcome throws
   * `BotRequestError`. Each call is counted once, under its final outcome. `event` names the call
   * in messages and logs.
   */
  async post<T>(event: string, request: BotHttpRequest, read: (response: JsonResponse) => T): Promise<T> {
    try {
      const value = read(await this.answer(event, request));
      this.options.metrics.botRequests.inc({ outcome: 'ok' });
      return value;
    } catch (error) {
      if (error instanceof BotRequestError) {
        this.options.metrics.botRequests.inc({ outcome: error.code });
        const detail = error.cause instanceof Error ? error.cause.message : undefined;
        this.options.logger.warn({ conversationId: request.conversationId, event, status: error.status, code: error.code, retryable: error.retryable, retryAfterMs: error.retryAfterMs, detail }, `${this.options.apiName} request failed`);
      }
      throw error;
    }
  }

  private async answer(event: string, request: BotHttpRequest): Promise<JsonResponse> {
    let response: JsonResponse;
    try {
      response = await postJson(request.url, request.data, { headers: { ...this.options.headers, ...request.headers }, timeoutMs: this.timeoutMs });
    } catch (caught) {
      throw this.transportError(event, caught);
    }
    if (response.status >= 200 && response.status < 300) return response;
    throw this.statusError(event, request.url, response);
  }

  private statusError(event: string, url: string, response: JsonResponse): BotRequestError {
    const { apiName, hints } = this.options;
    const { status } = response;
    const cause = new Error(`HTTP ${status}`);
    if (status === 401 || status === 403 || status === 404) {
      const code = status === 401 ? 'bot_auth_failed' : status === 403 ? 'bot_forbidden' : 'bot_not_found';
      return new BotRequestError(code, hints[status].replace('{url}', url), { retryable: false, status, cause });
    }
    if (!isRetryableStatus(status)) return new BotRequestError('bot_request_failed', `${apiName} refused the ${event} event with ${status}`, { retryable: false, status, cause });
    const retryAfterMs = parseRetryAfterMs(response.headers['retry-after'], this.now());
    const wait = retryAfterMs === undefined ? '' : ` and asked to wait ${Math.ceil(retryAfterMs / 1000)} s`;
    return new BotRequestError('bot_request_failed', `${apiName} answered ${status} to the ${event} event${wait}`, { retryable: true, status, retryAfterMs, cause });
  }

  private transportError(event: string, caught: unknown): BotRequestError {
    const { apiName } = this.options;
    if (!(caught instanceof TransportError)) {
      // Node refused to build the request (an invalid header character): repeating it cannot help.
      // Only the error's name and code are kept: its message may quote a header.
      const code = (caught as NodeJS.ErrnoException | undefined)?.code;
      const cause = new Error(caught instanceof Error ? `${caught.name}${code ? ` ${code}` : ''}` : 'unknown failure');
      return new BotRequestError('bot_request_failed', `The request to ${apiName} for the ${event} event could not be built`, { retryable: false, cause });
    }
    const options = { retryable: caught.retryable, cause: new Error(caught.code) };
    if (caught.timedOut) return new BotRequestError('bot_request_failed', `${apiName} did not answer the ${event} event within ${this.timeoutMs} ms`, options);
    if (caught.code === 'ERR_INVALID_URL') return new BotRequestError('bot_request_failed', `The ${apiName} API URL is not a valid http(s) URL`, options);
    if (caught.code === 'ERR_ANSWER_TOO_LARGE') return new BotRequestError('bot_request_failed', `${apiName} answered the ${event} event with a body over the size limit`, options);
    return new BotRequestError('bot_request_failed', `${apiName} could not be reached for the ${event} event (${caught.code})`, options);
  }
}
