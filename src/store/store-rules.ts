/**
 * Rules all three stores share, so memory, SQLite and Redis behave alike: argument checks, the
 * errors for a full queue, when a create finds its thread taken, queue names, and the JSON form
 * values take (every store round-trips values through JSON, the memory store too, so a value reads
 * back the same whichever store holds it).
 */
import { BridgeError } from '../core/errors.js';
import {
  destinations,
  type ConversationRecord,
  type CreateConversationResult,
  type DeadLetter,
  type Destination,
  type Json,
  type OutboxEntry,
  type QueueRef,
  type Versioned,
} from './store.js';

/** Throws a RangeError unless `value` is an integer ≥ `min` (a count, a limit, a TTL). */
export function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
}

/** Throws a RangeError unless the queue names one of the four destinations (keys are laid out by it). */
export function requireQueue(queue: QueueRef): void {
  if (!destinations.includes(queue.destination)) {
    throw new RangeError(`destination must be one of ${destinations.join(', ')}, got ${String(queue.destination)}`);
  }
}

/**
 * `text` as one flat string. V8 builds long strings (JSON.stringify's result, concatenations) as a
 * tree of parts, which for a 1 KB conversation record costs about 200 bytes more than the text; a
 * string the memory store keeps is flattened once: V8 flattens a string in place before it reads
 * a character of it (the bench's heap probe measures the difference).
 */
export function flattened(text: string): string {
  text.charCodeAt(0);
  return text;
}

/** JSON text of `value`; a value JSON cannot hold (undefined, a function) is a TypeError. */
export function toJson(what: string, value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${what} must be JSON-serialisable, got ${typeof value}`);
  return text;
}

/** The queue as operators and errors name it; a destination has no ':', so the name is unambiguous. */
export function queueName(queue: QueueRef): string {
  return `${queue.destination}:${queue.key}`;
}

/** The error enqueue() and replayDeadLetter() reject with when a queue would pass its bound. */
export function outboxFullError(queue: QueueRef, pending: number, adding: number, limit: number): BridgeError {
  return new BridgeError(
    'store_failed',
    `Outbox queue ${queueName(queue)} is full: ${pending} pending + ${adding} new would exceed the limit of ${limit}`,
  );
}

/**
 * What createConversation answers without writing, or undefined when it may create: a record with
 * the id wins first, then a thread bound to a conversation that has not ended. A thread bound to an
 * ended (or expired) conversation is free, so a new conversation takes it over.
 */
export function createBlockedBy(
  byId: Versioned<ConversationRecord> | undefined,
  boundToThread: Versioned<ConversationRecord> | undefined,
): CreateConversationResult | undefined {
  if (byId) return { created: false, existing: byId };
  if (boundToThread && boundToThread.value.session !== 'ended') return { created: false, existing: boundToThread };
  return undefined;
}

/** An entry as a store keeps it: JSON texts beside the numbers; no progress is null or absent. */
export interface StoredEntry {
  seq: number;
  payload: string;
  enqueuedAt: number;
  attempts: number;
  progress?: string | null;
}

/** An outbox entry of `queue` from its stored form. */
export function decodeEntry(queue: QueueRef, stored: StoredEntry): OutboxEntry {
  const entry: OutboxEntry = {
    destination: queue.destination,
    key: queue.key,
    seq: stored.seq,
    payload: JSON.parse(stored.payload) as Json,
    enqueuedAt: stored.enqueuedAt,
    attempts: stored.attempts,
  };
  if (stored.progress != null) entry.progress = JSON.parse(stored.progress) as Json;
  return entry;
}

/** A dead letter as a store keeps it; `id` is the store's increasing number. */
export interface StoredDeadLetter extends StoredEntry {
  id: number;
  destination: Destination;
  key: string;
  reason: string;
  failedAt: number;
}

/** A dead letter from its stored form; ids are decimal numbers, increasing in the order of failure. */
export function decodeDeadLetter(stored: StoredDeadLetter): DeadLetter {
  const entry = decodeEntry({ destination: stored.destination, key: stored.key }, stored);
  return { ...entry, id: String(stored.id), reason: stored.reason, failedAt: stored.failedAt };
}

/**
 * The store's number for a dead letter id, or undefined for text no store gave out (so a typo
 * in `npm run admin -- dead-letters replay` finds nothing instead of failing).
 */
export function parseDeadLetterId(id: string): number | undefined {
  if (!/^[1-9][0-9]{0,15}$/.test(id)) return undefined;
  const number = Number(id);
  return Number.isSafeInteger(number) ? number : undefined;
}

/**
 * Wraps a back-end failure as `store_failed`, naming the store and operation, with `detail`
 * appended to the cause's message; BridgeErrors pass through.
 */
export function storeFailure(kind: string, operation: string, cause: unknown, detail = ''): BridgeError {
  if (cause instanceof BridgeError) return cause;
  return new BridgeError('store_failed', `${kind} store: ${operation} failed: ${causeMessage(cause)}${detail}`, { cause });
}

/** The message of a thrown value, whatever was thrown. */
export function causeMessage(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
