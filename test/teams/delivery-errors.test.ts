/** The one mapping from Bot Framework failures to DeliveryError. */
import { describe, expect, it } from 'vitest';
import { retryAfterOf, toDeliveryError } from '../../adapters/teams/delivery-errors.js';
import { DeliveryError } from '../../src/core/errors.js';

const now = () => Date.parse('2026-01-01T00:00:00Z');

describe('toDeliveryError', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterOf({ 'Retry-After': '2.5' }, now)).toBe(2_500);
    expect(retryAfterOf({ get: (name: string) => (name === 'retry-after' ? 'Thu, 01 Jan 2026 00:00:07 GMT' : undefined) }, now)).toBe(7_000);
    expect(retryAfterOf({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterOf(undefined, now)).toBeUndefined();
  });

  it('maps a connector RestError by status, keeping the cause and no body', () => {
    const rest = Object.assign(new Error('Too many requests: secret-token-in-body'), { name: 'RestError', statusCode: 429, response: { status: 429, headers: { get: () => '4' } } });
    const error = toDeliveryError(rest, 'proactive send', now);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 4_000, platformCode: '429', cause: rest });
    expect(error.message).toBe('Teams proactive send failed with HTTP 429');
    expect(toDeliveryError({ statusCode: 401 }, 'update')).toMatchObject({ retryable: false, retryAfterMs: undefined });
  });

  it('treats timeouts and connection failures as retryable, anything else as final', () => {
    expect(toDeliveryError(Object.assign(new Error('aborted'), { name: 'AbortError' }), 'send')).toMatchObject({ retryable: true, platformCode: 'timeout' });
    expect(toDeliveryError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 'send')).toMatchObject({ retryable: true, platformCode: 'ECONNRESET' });
    expect(toDeliveryError(new TypeError('bad'), 'send')).toMatchObject({ retryable: false });
    const existing = new DeliveryError('as is', { retryable: true });
    expect(toDeliveryError(existing, 'send')).toBe(existing);
  });
});
