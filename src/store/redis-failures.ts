/**
 * How a failed Redis command is reported. A command that timed out, or one cut off by a broken
 * or missing connection, may or may not have run in Redis: that is StoreUnavailableError (HTTP
 * answers 503, the sender retries, and enqueue's atomic dedupe makes the retry safe). Anything else
 * (Redis answered with an error, a stored value that does not parse) is `store_failed` through
 * storeFailure, as in the other stores.
 */
import { BridgeError, StoreUnavailableError } from '../core/errors.js';
import { causeMessage, storeFailure } from './store-rules.js';

/** ioredis's own messages for a command that timed out and for one on a closed connection. */
const UNKNOWN_OUTCOME_MESSAGES = new Set(['Command timed out', 'Connection is closed.']);

/** Socket errors that mean Redis could not be reached at all. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The error for a failed Redis operation; `detail` is appended to the message (the last connection error). */
export function redisFailure(operation: string, cause: unknown, detail = ''): BridgeError {
  if (!outcomeUnknown(cause)) return storeFailure('redis', operation, cause, detail);
  const message = `redis store: ${operation} did not complete, its outcome is unknown: ${causeMessage(cause)}${detail}`;
  return new StoreUnavailableError(message, { cause });
}

/** True when the command may have run although no answer came (timeout, lost or absent connection). */
export function outcomeUnknown(cause: unknown): boolean {
  // A BridgeError is the store's own verdict (a lost lease, a full queue), never a transport failure.
  if (!(cause instanceof Error) || cause instanceof BridgeError) return false;
  // MaxRetriesPerRequestError: the command waited out the reconnection attempts ioredis allows.
  if (cause.name === 'MaxRetriesPerRequestError' || UNKNOWN_OUTCOME_MESSAGES.has(cause.message)) return true;
  const code = (cause as NodeJS.ErrnoException).code;
  return code !== undefined && NETWORK_ERROR_CODES.has(code);
}
