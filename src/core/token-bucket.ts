/**
 * A token bucket for pacing calls to a rate-limited platform method: at most `capacity` calls in a
 * burst, then `refillPerMinute` a minute. In any 60 s window it lets through at most
 * `capacity + refillPerMinute` calls, so the two together are the budget. The clock is the
 * caller's (every method takes `now`), so tests drive it without waiting.
 */

/** The size of a bucket. */
export interface TokenBucketBudget {
  /** Calls allowed in one burst (also the most tokens ever saved up). */
  capacity: number;
  /** Tokens added per minute, continuously. */
  refillPerMinute: number;
}

/** One bucket; not shared between processes. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private pausedUntil = 0;

  constructor(
    private readonly budget: TokenBucketBudget,
    now: number,
  ) {
    if (!(budget.capacity >= 1) || !(budget.refillPerMinute > 0)) throw new RangeError('A token bucket needs capacity >= 1 and refillPerMinute > 0');
    this.tokens = budget.capacity;
    this.updatedAt = now;
  }

  /** Take one token at `now`; false (nothing taken) when the bucket is empty or paused. */
  tryTake(now: number): boolean {
    this.refill(now);
    if (now < this.pausedUntil || this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * No tokens before `until` (a 429's Retry-After), and an empty bucket then: the platform said
   * the budget is spent, so saved-up tokens would only earn the next 429.
   */
  pauseUntil(until: number, now: number): void {
    this.refill(now);
    this.tokens = 0;
    this.pausedUntil = Math.max(this.pausedUntil, until);
    this.updatedAt = Math.max(this.updatedAt, this.pausedUntil);
  }

  private refill(now: number): void {
    if (now <= this.updatedAt) return;
    this.tokens = Math.min(this.budget.capacity, this.tokens + ((now - this.updatedAt) * this.budget.refillPerMinute) / 60_000);
    this.updatedAt = now;
  }
}
