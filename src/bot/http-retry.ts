/**
 * Calls to a bot's HTTP API (Ultimate, CSML): a hard timeout on every attempt, bounded retries
 * with exponential backoff and jitter on network errors, timeouts, 429 and 5xx (honouring
 * `Retry-After`), no retry on other 4xx, and one mapping of failures to `BotRequestError`.
 *
 * Errors raised here never carry request details: the headers hold the API key, so the `cause`
 * is a plain error with the transport code and status only.
 */
import { BotRequestError } from '../core/errors.js';
import { backoffDelayMs } from '../core/retry-policy.js';
import { postJson, TransportError, type JsonResponse } from './json-post.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';

/** How often and how long to retry. */
export interface RetryPolicy {
  /** Attempts in total, the first included. */
  attempts: number;
  /** Delay before the first retry; doubles per retry. */
  baseDelayMs: number;
  /** Cap of the computed backoff delay. */
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the call fails as retryable instead. */
  maxRetryAfterMs: number;
}

/** Three attempts, 250 ms then 500 ms (each with jitter), waits up to 30 s when told to. */
export const defaultRetryPolicy: RetryPolicy = { attempts: 3, baseDelayMs: 250, maxDelayMs: 4_000, maxRetryAfterMs: 30_000 };

/** Default timeout of one attempt. */
export const defaultBotTimeoutMs = 10_000;

/** Waits; a parameter so tests need no real waits. */
export type Sleep = (ms: number) => Promise<void>;

/** A real wait. */
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** What 401, 403 and 404 mean for one bot API, naming the likely cause and the variable to check. */
export interface StatusHints {
  401: string;
  403: string;
  404: string;
}

/** Timeout and retry settings a backend's options may override; all optional. */
export interface BotHttpTuning {
  /** Timeout of one attempt; default 10 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  random?: () => number;
}

/** Everything a `BotHttpClient` needs. */
export interface BotHttpClientOptions {
  /** `ultimate` or `csml`: metrics label and the start of error messages. */
  backend: string;
  /** Name of the API in messages, e.g. "Ultimate". */
  apiName: string;
  /** Headers of every request (API key, bot id). */
  headers: Record<string, string>;
  timeoutMs: number;
  policy: RetryPolicy;
  hints: StatusHints;
  metrics: Metrics;
  logger: Logger;
  sleep: Sleep;
  /** Uniform in [0, 1): jitter source, a parameter so tests fix it. */
  random: () => number;
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfterMs(value: unknown, nowMs: number = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Whether an HTTP status may succeed when the same call is repeated. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Transport codes that mean the request itself is malformed: repeating it cannot help. */
const permanentTransportCodes = new Set(['ERR_INVALID_URL', 'ERR_ANSWER_TOO_LARGE']);

/** One failed attempt, classified. */
interface AttemptFailure {
  retryable: boolean;
  status?: number;
  retryAfterMs?: number;
  /** Transport code (ECONNREFUSED, ECONNABORTED...) or `HTTP <status>`; no secrets. */
  detail: string;
  timedOut: boolean;
}

/** A `BotHttpClient` with the defaults filled in for whatever `tuning` leaves out. */
export function createBotHttpClient(
  fixed: Omit<BotHttpClientOptions, 'timeoutMs' | 'policy' | 'sleep' | 'random'>,
  tuning: BotHttpTuning,
): BotHttpClient {
  return new BotHttpClient({
    ...fixed,
    timeoutMs: tuning.timeoutMs ?? defaultBotTimeoutMs,
    policy: { ...defaultRetryPolicy, ...tuning.retry },
    sleep: tuning.sleep ?? realSleep,
    random: tuning.random ?? Math.random,
  });
}

/** A bot API client that retries as `RetryPolicy` says and throws only `BotRequestError`. */
export class BotHttpClient {
  constructor(private readonly options: BotHttpClientOptions) {}

  /**
   * POST with retries. `request` builds each attempt's config (a signed header needs a fresh
   * timestamp per attempt). `event` labels metrics and logs.
   */
  async post(event: string, request: () => { url: string; data: unknown; headers?: Record<string, string> }): Promise<JsonResponse> {
    const { policy, metrics, backend } = this.options;
    for (let attempt = 1; ; attempt++) {
      let failure: AttemptFailure;
      try {
        const { url, data, headers } = request();
        const response = await postJson(url, data, { headers: { ...this.options.headers, ...headers }, timeoutMs: this.options.timeoutMs });
        if (response.status >= 200 && response.status < 300) {
          metrics.botRequests.inc({ backend, event, outcome: 'ok' });
          return response;
        }
        failure = statusFailure(response);
      } catch (error) {
        failure = transportFailure(error);
      }
      const delayMs = failure.retryable && attempt < policy.attempts ? this.retryDelayMs(attempt, failure) : undefined;
      if (delayMs === undefined) {
        const botError = this.toBotRequestError(failure, attempt, event);
        metrics.botRequests.inc({ backend, event, outcome: botError.code });
        this.options.logger.warn({ backend, event, attempt, status: failure.status, code: botError.code, detail: failure.detail }, `${this.options.apiName} request failed`);
        throw botError;
      }
      metrics.botRequests.inc({ backend, event, outcome: 'retried' });
      this.options.logger.warn({ backend, event, attempt, status: failure.status, detail: failure.detail, delayMs }, `${this.options.apiName} request failed; retrying`);
      await this.options.sleep(delayMs);
    }
  }

  /** The wait before the next attempt, or undefined when the server asks for more than we wait. */
  private retryDelayMs(attempt: number, failure: AttemptFailure): number | undefined {
    const { policy, random } = this.options;
    if (failure.retryAfterMs === undefined) return backoffDelayMs(attempt, policy, random);
    return failure.retryAfterMs > policy.maxRetryAfterMs ? undefined : failure.retryAfterMs;
  }

  private toBotRequestError(failure: AttemptFailure, attempts: number, event: string): BotRequestError {
    const { apiName, hints, timeoutMs } = this.options;
    const cause = new Error(failure.detail);
    const status = failure.status;
    if (status === 401 || status === 403 || status === 404) {
      const code = status === 401 ? 'bot_auth_failed' : status === 403 ? 'bot_forbidden' : 'bot_not_found';
      return new BotRequestError(code, hints[status], { retryable: false, status, cause });
    }
    const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
    let message: string;
    if (failure.timedOut) message = `${apiName} did not answer the ${event} event within ${timeoutMs} ms (${tries})`;
    else if (status === undefined) message = `${apiName} could not be reached for the ${event} event (${failure.detail}, ${tries})`;
    else if (failure.retryable && failure.retryAfterMs !== undefined && failure.retryAfterMs > this.options.policy.maxRetryAfterMs)
      message = `${apiName} answered ${status} to the ${event} event and asked to wait ${Math.ceil(failure.retryAfterMs / 1000)} s`;
    else if (failure.retryable) message = `${apiName} answered ${status} to the ${event} event (${tries})`;
    else message = `${apiName} refused the ${event} event with ${status}`;
    return new BotRequestError('bot_request_failed', message, { retryable: failure.retryable, status, cause });
  }
}

function statusFailure(response: JsonResponse): AttemptFailure {
  const { status } = response;
  return { retryable: isRetryableStatus(status), status, retryAfterMs: parseRetryAfterMs(response.headers['retry-after']), detail: `HTTP ${status}`, timedOut: false };
}

function transportFailure(error: unknown): AttemptFailure {
  if (error instanceof TransportError) return { retryable: !permanentTransportCodes.has(error.code), detail: error.code, timedOut: error.timedOut };
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown failure';
  return { retryable: false, detail, timedOut: false };
}
