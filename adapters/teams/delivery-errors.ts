/**
 * The one mapping from what a Bot Framework call throws (the connector's RestError, network
 * errors, timeouts) to the bridge's `DeliveryError`, so the core's delivery loop decides about
 * retries. Teams throttles with 429 and `Retry-After`; 412, 502 and 504 are transient too.
 * Messages carry the status and the operation, never a token or a request body.
 */
import { DeliveryError } from '../../src/core/errors.js';

/** HTTP statuses Microsoft documents as transient for bots (Teams rate limiting and gateway errors). */
const retryableStatuses = new Set([412, 429, 502, 504]);

/** Node and fetch error codes of a connection that failed before an answer. */
const networkCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'REQUEST_SEND_ERROR', 'UND_ERR_SOCKET']);

/** The shape of the errors botframework-connector (Azure core) throws. */
interface ErrorLike {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  status?: unknown;
  response?: { status?: unknown; headers?: unknown };
}

/** Map an error from a Teams call to a `DeliveryError`; `now` reads HTTP-date Retry-After values. */
export function toDeliveryError(error: unknown, operation: string, now: () => number = Date.now): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const err = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const status = statusOf(err);
  if (status !== undefined) {
    const retryable = retryableStatuses.has(status);
    const retryAfterMs = retryable ? retryAfterOf(err.response?.headers, now) : undefined;
    return new DeliveryError(`Teams ${operation} failed with HTTP ${status}`, { retryable, retryAfterMs, platformCode: String(status), cause: error });
  }
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (err.name === 'AbortError' || err.name === 'TimeoutError') {
    return new DeliveryError(`Teams ${operation} timed out`, { retryable: true, platformCode: 'timeout', cause: error });
  }
  if (code && networkCodes.has(code)) {
    return new DeliveryError(`Teams ${operation} failed: network error ${code}`, { retryable: true, platformCode: code, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DeliveryError(`Teams ${operation} failed: ${message}`, { retryable: false, cause: error });
}

function statusOf(err: ErrorLike): number | undefined {
  for (const candidate of [err.statusCode, err.response?.status, err.status]) {
    if (typeof candidate === 'number' && candidate >= 100 && candidate < 600) return candidate;
  }
  return undefined;
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterOf(headers: unknown, now: () => number = Date.now): number | undefined {
  const value = headerValue(headers, 'retry-after');
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    const value: unknown = get.call(headers, name);
    return typeof value === 'string' ? value : undefined;
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
  }
  return undefined;
}
