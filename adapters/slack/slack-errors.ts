/**
 * The mapping from Slack Web API failures to the bridge's DeliveryError (the client's errors
 * here, the lean transport's answers in lean-web-api.ts, both through `slackFailure`), so the core's
 * delivery loop decides about retries: rate limits carry `retryAfterMs` from Retry-After,
 * 5xx and network failures are retryable, Slack's refusals (channel_not_found, not_in_channel,
 * invalid_auth, invalid_blocks, ...) are not. Messages carry the method and Slack's error name only.
 */
import { webApi } from '@slack/bolt';
import { DeliveryError } from '../../src/core/errors.js';
import { parseRetryAfterMs } from '../../src/core/retry-after.js';

/** Slack error names that describe a passing condition; anything else will fail the same way again. */
const transientPlatformErrors = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
  'rate_limited',
  'message_limit_exceeded',
  'team_added_to_org',
]);

/** Slack's error name of a failed call (`channel_not_found`, `invalid_blocks`, ...), if it was answered with one. */
export function slackErrorName(error: unknown): string | undefined {
  if (error instanceof DeliveryError) return error.platformCode;
  if (!isCoded(error) || error.code !== webApi.ErrorCode.PlatformError) return undefined;
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** The DeliveryError of a failed call of `method`; its message holds the method and Slack's error name only. */
export function slackFailure(method: string, platformCode: string, retryable: boolean, more: { retryAfterMs?: number; cause?: unknown } = {}): DeliveryError {
  return new DeliveryError(`Slack ${method} failed: ${platformCode}`, { retryable, platformCode, ...more });
}

/** Map any failure of a Web API call to a DeliveryError (one attempt; the core retries). */
export function toDeliveryError(error: unknown, method: string): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const fail = (platformCode: string, retryable: boolean, retryAfterMs?: number) => slackFailure(method, platformCode, retryable, { retryAfterMs, cause: error });
  if (!isCoded(error)) return fail('unknown', true);
  switch (error.code) {
    case webApi.ErrorCode.RateLimitedError: {
      const seconds = (error as { retryAfter?: unknown }).retryAfter;
      return fail('ratelimited', true, typeof seconds === 'number' && seconds >= 0 ? seconds * 1000 : undefined);
    }
    case webApi.ErrorCode.PlatformError: {
      const name = slackErrorName(error) ?? 'platform_error';
      return fail(name, isTransientSlackError(name));
    }
    case webApi.ErrorCode.HTTPError: {
      const { statusCode, headers } = error as { statusCode?: number; headers?: Record<string, string> };
      const status = statusCode ?? 0;
      return fail(`http_${status}`, status >= 500 || status === 408 || status === 429, parseRetryAfterMs(headers?.['retry-after']));
    }
    case webApi.ErrorCode.RequestError: {
      const original = (error as { original?: { name?: string } }).original;
      return fail(original?.name === 'TimeoutError' || original?.name === 'AbortError' ? 'timeout' : 'request_error', true);
    }
    default:
      return fail(String(error.code), true);
  }
}

/** Whether a Slack error name describes a passing condition (worth a retry). */
export function isTransientSlackError(name: string): boolean {
  return transientPlatformErrors.has(name);
}

function isCoded(error: unknown): error is { code: string } {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}
