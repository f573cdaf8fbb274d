/**
 * The one storage interface, implemented by memory (lru-cache), SQLite (better-sqlite3) and Redis
 * (ioredis). A single conformance suite (test/store/store-conformance.ts) runs against all three.
 *
 * It is shaped for several replicas sharing one Redis: every operation that decides something
 * (set-if-absent, compare-and-set, leases, sequence numbers) is atomic in the back-end.
 */
import type { ChannelAddress, RequesterProfile } from '../core/visitor-event.js';
import type { BotMessage } from '../core/bot-message.js';

/** Where a conversation is in its life. */
export type SessionState = 'active' | 'escalated' | 'ended';

/** One conversation: a platform thread mapped to the bot's platformConversationId. */
export interface ConversationRecord {
  /** The platformConversationId sent to the bot: a UUID. */
  id: string;
  address: ChannelAddress;
  requester: RequesterProfile;
  session: SessionState;
  /** The open ticket while escalated. */
  ticketId?: string;
  createdAt: number;
  updatedAt: number;
}

/** One queued outbound message of a conversation. `seq` orders a conversation's messages. */
export interface OutboxEntry {
  conversationId: string;
  seq: number;
  message: BotMessage;
  enqueuedAt: number;
  /** Delivery attempts made so far. */
  attempts: number;
}

/** A message that could not be delivered, kept for operators. */
export interface DeadLetter extends OutboxEntry {
  reason: string;
  failedAt: number;
}

/** A value with a version for compare-and-set; version 0 means absent. */
export interface Versioned<T> {
  value: T;
  version: number;
}

/** Conversations, indexed by id and by thread address. */
export interface ConversationStore {
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  /** The conversation currently bound to a platform thread (`channel` + `key`). */
  findConversationByAddress(channel: string, key: string): Promise<ConversationRecord | undefined>;
  /**
   * Insert or replace a conversation and bind its address to it. Binding a new conversation to
   * an address that had an ended one re-points the address; the old record stays readable by id.
   */
  saveConversation(record: ConversationRecord): Promise<void>;
}

/** Set-if-absent keys with a time to live: event dedupe and leases. */
export interface ClaimStore {
  /** Sets `key` to `owner` if absent or expired; true if this call set it. */
  claim(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Deletes `key` if it still belongs to `owner` (a lease's release, or undoing a failed dedupe). */
  release(key: string, owner: string): Promise<void>;
}

/** Per-conversation ordered outbox: durable before the webhook is acknowledged. */
export interface OutboxStore {
  /** Append messages in order; returns the entries with their sequence numbers. */
  enqueue(conversationId: string, messages: BotMessage[], now: number): Promise<OutboxEntry[]>;
  /** The oldest undelivered entries of a conversation, in order. */
  pending(conversationId: string, limit: number): Promise<OutboxEntry[]>;
  /** Record a failed attempt on an entry (it stays at the head of the queue). */
  recordAttempt(conversationId: string, seq: number): Promise<void>;
  /** Remove a delivered entry. */
  complete(conversationId: string, seq: number): Promise<void>;
  /** Move an entry that finally failed out of the queue into the dead letters. */
  deadLetter(conversationId: string, seq: number, reason: string, now: number): Promise<void>;
  /** Conversations with undelivered entries (to resume after a restart). */
  conversationsWithPending(limit: number): Promise<string[]>;
  /** Recent dead letters, newest first. */
  deadLetters(limit: number): Promise<DeadLetter[]>;
}

/** Versioned JSON records with compare-and-set (tickets), and bounded lists (transcripts). */
export interface RecordStore {
  getRecord<T>(key: string): Promise<Versioned<T> | undefined>;
  /**
   * Writes `value` if the stored version equals `expectedVersion` (0: only if absent).
   * Returns the new version, or undefined if another writer got there first.
   */
  compareAndSet<T>(key: string, expectedVersion: number, value: T): Promise<number | undefined>;
  /** Appends to a list, keeping only the newest `maxItems`. */
  appendToList(key: string, item: string, maxItems: number): Promise<void>;
  /** The list, oldest first. */
  readList(key: string): Promise<string[]>;
}

/** The whole store. */
export interface Store extends ConversationStore, ClaimStore, OutboxStore, RecordStore {
  /** `memory`, `sqlite` or `redis`. */
  readonly kind: string;
  /** Throws when the store cannot be used (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
