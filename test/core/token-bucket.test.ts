/** The token bucket on a fixed clock: burst, continuous refill, cap, and a pause that empties it. */
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/core/token-bucket.js';

/** How many tokens can be taken at `now`. */
function drain(bucket: TokenBucket, now: number): number {
  let taken = 0;
  while (bucket.tryTake(now)) taken += 1;
  return taken;
}

describe('TokenBucket', () => {
  it('gives a burst of `capacity`, then refills at its rate, never above capacity', () => {
    const bucket = new TokenBucket({ capacity: 10, refillPerMinute: 40 }, 0);
    expect(drain(bucket, 0)).toBe(10);
    expect(drain(bucket, 1_499)).toBe(0);
    expect(drain(bucket, 1_500)).toBe(1);
    expect(drain(bucket, 61_500)).toBe(10); // 60 s would refill 40; the cap keeps 10
  });

  it('holds no tokens during a pause, and starts refilling from empty when it ends', () => {
    const bucket = new TokenBucket({ capacity: 10, refillPerMinute: 40 }, 0);
    bucket.pauseUntil(30_000, 0);
    expect(drain(bucket, 29_999)).toBe(0);
    expect(drain(bucket, 30_000)).toBe(0);
    expect(drain(bucket, 31_500)).toBe(1);
  });

  it('refuses a budget it cannot keep', () => {
    expect(() => new TokenBucket({ capacity: 0, refillPerMinute: 40 }, 0)).toThrow(RangeError);
    expect(() => new TokenBucket({ capacity: 5, refillPerMinute: 0 }, 0)).toThrow(RangeError);
  });
});
