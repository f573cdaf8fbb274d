/**
 * The one mapping from what a Bot Framework call throws (the connector's RestError, MSAL and
 * managed-identity token errors, network errors, timeouts) to the bridge's `DeliveryError`, so
 * the core's delivery loop decides about retries. Transient: Teams throttling (429, 412), the
 * connector's and Azure AD's 5xx, a token request that never got an answer (MSAL's
 * `network_error`), connections that failed (`EAI_AGAIN`, `ECONNRESET`, ...) and timeouts; any
 * other 4xx is final. `Retry-After` is read by the bridge's one parser. Messages carry the
 * status and the operation, never a token or a request body.
 */
import { parseRetryAfterMs } from '../../src/core/retry-after.js';
import { DeliveryError } from '../../src/core/errors.js';

/** HTTP statuses that may succeed when repeated: Teams rate limiting and server-side failures. */
const retryableStatuses = new Set([412, 429, 500, 502, 503, 504]);

/** Node, undici and axios codes of a connection that failed before an answer. */
const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'REQUEST_SEND_ERROR',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * MSAL error codes of a token request that may work when repeated: `network_error` is what MSAL
 * throws for any failure before Azure AD answered (DNS, reset, its own timeout).
 */
const transientTokenCodes = new Set(['network_error', 'temporarily_unavailable']);

/** How deep to follow `cause` for the code of the underlying network error (fetch wraps it). */
const maxCauseDepth = 4;

/** The shape of the errors botframework-connector (Azure core), MSAL and @azure/identity throw. */
interface ErrorLike {
  name?: unknown;
  code?: unknown;
  errorCode?: unknown;
  statusCode?: unknown;
  status?: unknown;
  response?: { status?: unknown; headers?: unknown };
  cause?: unknown;
}

/** Map an error from a Teams call to a `DeliveryError`; `now` reads HTTP-date Retry-After values. */
export function toDeliveryError(error: unknown, operation: string, now: () => number = Date.now): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const err = asErrorLike(error);
  const status = statusOf(err);
  if (status !== undefined) {
    const retryable = retryableStatuses.has(status);
    const retryAfterMs = retryable ? retryAfterOf(err.response?.headers, now) : undefined;
    return new DeliveryError(`Teams ${operation} failed with HTTP ${status}`, { retryable, retryAfterMs, platformCode: String(status), cause: error });
  }
  if (err.name === 'AbortError' || err.name === 'TimeoutError') {
    return new DeliveryError(`Teams ${operation} timed out`, { retryable: true, platformCode: 'timeout', cause: error });
  }
  const tokenCode = typeof err.errorCode === 'string' ? err.errorCode : undefined;
  if (tokenCode && transientTokenCodes.has(tokenCode)) {
    return new DeliveryError(`Teams ${operation} failed: token request ${tokenCode}`, { retryable: true, platformCode: tokenCode, cause: error });
  }
  const code = networkCodeOf(error);
  if (code) {
    return new DeliveryError(`Teams ${operation} failed: network error ${code}`, { retryable: true, platformCode: code, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DeliveryError(`Teams ${operation} failed: ${message}`, { retryable: false, ...(tokenCode ? { platformCode: tokenCode } : {}), cause: error });
}

/** `Retry-After` of a response's headers (Azure core's HttpHeaders or a plain object) in milliseconds. */
export function retryAfterOf(headers: unknown, now: () => number = Date.now): number | undefined {
  return parseRetryAfterMs(headerValue(headers, 'retry-after'), now());
}

function asErrorLike(error: unknown): ErrorLike {
  return (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
}

/** The network error code of the error or of one of its causes. */
function networkCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < maxCauseDepth && current; depth++) {
    const code = asErrorLike(current).code;
    if (typeof code === 'string' && networkCodes.has(code)) return code;
    current = asErrorLike(current).cause;
  }
  return undefined;
}

function statusOf(err: ErrorLike): number | undefined {
  for (const candidate of [err.statusCode, err.response?.status, err.status]) {
    if (typeof candidate === 'number' && candidate >= 100 && candidate < 600) return candidate;
  }
  return undefined;
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
