/**
 * Rules all three stores share, so memory, SQLite and Redis behave alike: argument checks, the
 * errors for a full outbox or a contested thread address, how an address is (re)bound, and the
 * JSON form values take (every store round-trips values through JSON, the memory store too, so a
 * value reads back the same whichever store holds it).
 */
import { BridgeError } from '../core/errors.js';
import type { BotMessage } from '../core/bot-message.js';
import type { ConversationRecord, OutboxEntry, SessionState } from './store.js';

/** Throws a RangeError unless `value` is an integer ≥ `min` (a count, a limit, a TTL). */
export function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
}

/** JSON text of `value`; a value JSON cannot hold (undefined, a function) is a TypeError. */
export function toJson(what: string, value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${what} must be JSON-serialisable, got ${typeof value}`);
  return text;
}

/** The error enqueue() rejects with when a conversation's outbox would pass its bound. */
export function outboxFullError(conversationId: string, pending: number, adding: number, limit: number): BridgeError {
  return new BridgeError(
    'store_failed',
    `Outbox of conversation ${conversationId} is full: ${pending} pending + ${adding} new would exceed the limit of ${limit}`,
  );
}

/** The error saveConversation() rejects with when a thread is still bound to another live conversation. */
export function addressConflictError(record: ConversationRecord, boundId: string): BridgeError {
  const { channel, key } = record.address;
  return new BridgeError(
    'store_failed',
    `Thread ${channel}:${key} is bound to live conversation ${boundId}; end it before binding ${record.id}`,
  );
}

/** What saving a conversation does to its thread's binding. */
export type AddressBinding = 'bind' | 'keep' | 'conflict';

/**
 * Decides the binding when `saved` is written while its thread points at `boundId` (whose
 * session is `boundSession`, undefined when that record is gone). A new live conversation
 * takes over a thread whose conversation ended; an ended record being updated never takes the
 * thread back; two live conversations for one thread (two replicas racing) is a conflict, so
 * the loser learns of it instead of orphaning the winner's conversation.
 */
export function decideAddressBinding(
  saved: ConversationRecord,
  boundId: string | undefined,
  boundSession: SessionState | undefined,
): AddressBinding {
  if (boundId === undefined || boundId === saved.id) return 'bind';
  if (saved.session === 'ended') return 'keep';
  if (boundSession === undefined || boundSession === 'ended') return 'bind';
  return 'conflict';
}

/** True when a record read through an address binding really belongs to that thread. */
export function isBoundTo(record: ConversationRecord, channel: string, key: string): boolean {
  return record.address.channel === channel && record.address.key === key;
}

/** The stored form of an outbox entry's content; seq and attempts live beside it. */
export interface StoredOutboxPayload {
  message: BotMessage;
  enqueuedAt: number;
}

/** JSON of the parts of an outbox entry that never change. */
export function encodeOutboxPayload(message: BotMessage, enqueuedAt: number): string {
  return toJson('Outbox message', { message, enqueuedAt } satisfies StoredOutboxPayload);
}

/** An outbox entry from its stored JSON, sequence number and attempt count. */
export function decodeOutboxEntry(conversationId: string, seq: number, payload: string, attempts: number): OutboxEntry {
  const { message, enqueuedAt } = JSON.parse(payload) as StoredOutboxPayload;
  return { conversationId, seq, message, enqueuedAt, attempts };
}

/** Wraps a back-end failure as `store_failed`, naming the store and operation; BridgeErrors pass through. */
export function storeFailure(kind: string, operation: string, cause: unknown): BridgeError {
  if (cause instanceof BridgeError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new BridgeError('store_failed', `${kind} store: ${operation} failed: ${detail}`, { cause });
}
