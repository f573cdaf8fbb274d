/**
 * How the outbox retries, per destination, and the one backoff formula of the bridge
 * (exponential with "equal jitter", capped). Randomness is a parameter so tests can fix it.
 */
import type { Destination } from '../store/store.js';

/** How often and how patiently one destination's entries are retried. */
export interface RetryPolicy {
  /** Delay before the first retry; doubles per retry up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Give up after this many failed attempts (the first included), when set. */
  maxAttempts?: number;
  /** Give up once an entry has waited this long since it was enqueued, when set. */
  maxAgeMs?: number;
}

/** The retry table: one policy per destination. */
export type RetryTable = Record<Destination, RetryPolicy>;

/**
 * The defaults. Platform posts: ten attempts over about five minutes (Slack's and Teams' rate
 * limits clear well within that). Bot events: for `BOT_RETRY_MINUTES`, however many attempts.
 */
export function defaultRetryTable(botRetryMinutes: number): RetryTable {
  const platform: RetryPolicy = { baseDelayMs: 500, maxDelayMs: 60_000, maxAttempts: 10 };
  return {
    bot: { baseDelayMs: 1_000, maxDelayMs: 30_000, maxAgeMs: botRetryMinutes * 60_000 },
    conversation: platform,
    ticket: platform,
    widget: platform,
  };
}

/**
 * The wait before retry number `attempt` (1 = the first retry). A platform's Retry-After wins
 * over the computed backoff, but is capped too so one bad header cannot park a queue for hours.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, policy.maxDelayMs * 4);
  return backoffDelayMs(attempt, policy, random);
}

/** Backoff before retry number `retry` (1-based): doubling from `baseDelayMs`, capped, half of it random. */
export function backoffDelayMs(retry: number, policy: { baseDelayMs: number; maxDelayMs: number }, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Whether an entry that failed `attempts` times and has been waiting `elapsedMs` may be tried
 * again after another `waitMs`.
 */
export function mayRetry(policy: RetryPolicy, attempts: number, elapsedMs: number, waitMs: number): boolean {
  if (policy.maxAttempts !== undefined && attempts >= policy.maxAttempts) return false;
  if (policy.maxAgeMs !== undefined && elapsedMs + waitMs > policy.maxAgeMs) return false;
  return true;
}
