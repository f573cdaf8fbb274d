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

  it('treats 5xx, 429 and 412 as retryable with Retry-After, other 4xx as final', () => {
    for (const status of [500, 502, 503, 504, 429, 412]) {
      expect(toDeliveryError({ statusCode: status, response: { status, headers: { 'retry-after': '2' } } }, 'send', now)).toMatchObject({ retryable: true, retryAfterMs: 2_000 });
    }
    for (const status of [400, 401, 403, 404, 408, 409, 413]) {
      expect(toDeliveryError({ statusCode: status, response: { status, headers: { 'retry-after': '2' } } }, 'send', now)).toMatchObject({ retryable: false, retryAfterMs: undefined });
    }
  });

  it('treats transient token failures (MSAL network_error, Azure AD 5xx, managed identity 5xx) as retryable', () => {
    // The shapes @azure/msal-common (ClientAuthError, ServerError) and @azure/identity (AuthenticationError) throw.
    const network = Object.assign(new Error('network_error: Network request failed'), { name: 'ClientAuthError', errorCode: 'network_error' });
    expect(toDeliveryError(network, 'send')).toMatchObject({ retryable: true, platformCode: 'network_error' });
    const unavailable = Object.assign(new Error('temporarily_unavailable: AADSTS90033'), { name: 'ServerError', errorCode: 'temporarily_unavailable' });
    expect(toDeliveryError(unavailable, 'send')).toMatchObject({ retryable: true });
    expect(toDeliveryError(Object.assign(new Error('IMDS 503'), { name: 'AuthenticationError', statusCode: 503 }), 'send')).toMatchObject({ retryable: true });
    const refused = Object.assign(new Error('invalid_client: AADSTS7000215'), { name: 'ServerError', errorCode: 'invalid_client', status: 401 });
    expect(toDeliveryError(refused, 'send')).toMatchObject({ retryable: false });
  });

  it('finds the network code under fetch\'s "fetch failed" (EAI_AGAIN, ECONNRESET, ETIMEDOUT)', () => {
    for (const code of ['EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT']) {
      const error = new TypeError('fetch failed', { cause: Object.assign(new Error(`getaddrinfo ${code} smba.trafficmanager.net`), { code }) });
      expect(toDeliveryError(error, 'send')).toMatchObject({ retryable: true, platformCode: code });
    }
  });

  it('treats timeouts and connection failures as retryable, anything else as final', () => {
    expect(toDeliveryError(Object.assign(new Error('aborted'), { name: 'AbortError' }), 'send')).toMatchObject({ retryable: true, platformCode: 'timeout' });
    expect(toDeliveryError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 'send')).toMatchObject({ retryable: true, platformCode: 'ECONNRESET' });
    expect(toDeliveryError(new TypeError('bad'), 'send')).toMatchObject({ retryable: false });
    const existing = new DeliveryError('as is', { retryable: true });
    expect(toDeliveryError(existing, 'send')).toBe(existing);
  });
});
