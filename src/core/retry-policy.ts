/**
 * Exponential backoff with "equal jitter", capped: the one backoff of the bridge, used by the
 * delivery loop and by the bot API clients. Randomness is a parameter so tests can fix it.
 */

/** How often and how patiently to retry. */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The bridge's default delivery retry policy: about 6 attempts over roughly a minute. */
export const defaultDeliveryRetry: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

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
