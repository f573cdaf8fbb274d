/** The one Retry-After parser: delay-seconds and HTTP dates (RFC 9110 section 10.2.3), nothing else. */
import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs } from '../../src/core/retry-after.js';

const now = Date.parse('2025-06-01T12:00:00Z');

describe('parseRetryAfterMs', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfterMs('7', now)).toBe(7_000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
    expect(parseRetryAfterMs('0.5', now)).toBe(500);
  });

  it('reads the three HTTP date forms relative to the clock, never below zero', () => {
    expect(parseRetryAfterMs('Sun, 01 Jun 2025 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfterMs('Sunday, 01-Jun-25 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Sun, 01 Jun 2025 11:00:00 GMT', now)).toBe(0);
  });

  it('takes the first of a repeated header', () => {
    expect(parseRetryAfterMs(['3', '60'], now)).toBe(3_000);
  });

  it('ignores what it cannot read, so the caller falls back to its backoff', () => {
    for (const value of ['soon', '', '   ', '-1', '1e3', '12abc', undefined, 7, null, []]) expect(parseRetryAfterMs(value, now)).toBeUndefined();
  });
});
