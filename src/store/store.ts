/**
 * The one storage interface, implemented by memory (lru-cache), SQLite (better-sqlite3) and Redis
 * (ioredis). A single conformance suite (test/store/store-conformance.ts) runs against all three.
 *
 * It is shaped for several replicas sharing one Redis: every operation that decides something
 * (create-if-absent, compare-and-set, enqueue with dedupe, fenced leases) is atomic in the back-end.
 */
import type { ChannelAddress, RequesterProfile } from '../core/visitor-event.js';

/** Where a conversation is in its life. */
export type SessionState = 'active' | 'escalated' | 'ended';

/** One conversation: a platform thread mapped to the bot's platformConversationId. */
export interface ConversationRecord {
  /** The platformConversationId sent to the bot: a UUID (or the widget's own id). */
  id: string;
  address: ChannelAddress;
  requester: RequesterProfile;
  session: SessionState;
  /** The open ticket while escalated. */
  ticketId?: string;
  createdAt: number;
  updatedAt: number;
}

/** A value with a version for compare-and-set; version 0 means absent. */
export interface Versioned<T> {
  value: T;
  version: number;
}

/** What `createConversation` did. */
export type CreateConversationResult =
  | { created: true; version: number }
  /** The thread (or the id) already belongs to a live conversation: that one, as stored. */
  | { created: false; existing: Versioned<ConversationRecord> };

/** Conversations, indexed by id and by thread address; every change is compare-and-set. */
export interface ConversationStore {
  getConversation(id: string): Promise<Versioned<ConversationRecord> | undefined>;
  /** The conversation currently bound to a platform thread (`channel` + `key`), ended or not. */
  findConversationByAddress(channel: string, key: string): Promise<Versioned<ConversationRecord> | undefined>;
  /**
   * Insert a new conversation and bind its thread to it, atomically, unless the id exists or the
   * thread is bound to a conversation that has not ended: then nothing is written and the one
   * stored is returned (two replicas racing for a new thread both end up with the winner's).
   * A thread whose conversation ended is re-bound; the old record stays readable by id.
   */
  createConversation(record: ConversationRecord): Promise<CreateConversationResult>;
  /**
   * Replace a conversation if its stored version is still `expectedVersion`; returns the new
   * version, or undefined when another writer got there first (or it is gone). The thread binding
   * is not changed (an ended conversation keeps its binding until a new one takes the thread).
   */
  updateConversation(record: ConversationRecord, expectedVersion: number): Promise<number | undefined>;
}

/** Set-if-absent keys with a time to live (locks, once-only markers). */
export interface ClaimStore {
  /** Sets `key` to `owner` if absent or expired; true if this call set it. */
  claim(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Deletes `key` if it still belongs to `owner`. */
  release(key: string, owner: string): Promise<void>;
}

/** The four kinds of work the outbox carries (DESIGN section 6). */
export type Destination = 'bot' | 'conversation' | 'ticket' | 'widget';

/** Every destination, for gauges and sweeps. */
export const destinations: readonly Destination[] = ['bot', 'conversation', 'ticket', 'widget'];

/**
 * One ordered queue of the outbox: entries of one key are delivered in order, one at a time.
 * `key` is a conversation id (conversation, widget), a platform thread (bot) or a ticket id (ticket).
 */
export interface QueueRef {
  destination: Destination;
  key: string;
}

/** A JSON value as the store keeps it. */
export type Json = string | number | boolean | null | Json[] | { [field: string]: Json };

/** One queued piece of work. `seq` orders a queue's entries. */
export interface OutboxEntry {
  destination: Destination;
  key: string;
  seq: number;
  /** What to do; its shape belongs to the destination's handler. */
  payload: Json;
  enqueuedAt: number;
  /** Delivery attempts that failed so far. */
  attempts: number;
  /** What a handler recorded of a delivery in several steps (posts already made), or undefined. */
  progress?: Json;
}

/** An entry that finally failed, kept for operators until replayed or purged. */
export interface DeadLetter extends OutboxEntry {
  /** Unique among dead letters; increasing in the order they failed. */
  id: string;
  reason: string;
  failedAt: number;
}

/** Dedupe of an enqueue: the same `key` within `ttlMs` enqueues nothing. */
export interface EnqueueDedupe {
  key: string;
  ttlMs: number;
}

/** What `enqueue` did: the seqs the payloads got, in order, or nothing for a held dedupe key. */
export type EnqueueResult = { status: 'queued'; seqs: number[] } | { status: 'duplicate' };

/**
 * A replica's right to work on one queue. `token` is a fencing token: tokens only ever grow, across
 * all queues, so a replica whose lease expired and was taken over holds a token the store refuses.
 */
export interface Lease {
  queue: QueueRef;
  token: number;
}

/** A lease just acquired and the oldest pending entries of its queue. */
export interface AcquiredLease {
  lease: Lease;
  entries: OutboxEntry[];
}

/** Per queue: how many entries wait, and since when the oldest. */
export interface OutboxDepth {
  destination: Destination;
  depth: number;
  /** enqueuedAt of the oldest pending entry of that destination; undefined when depth is 0. */
  oldestEnqueuedAt?: number;
}

/**
 * The durable outbox: ordered queues, fenced leases, progress on entries, dead letters.
 * Operations that change an entry take the caller's lease and throw `LeaseLostError` (code
 * `lease_lost`) when its token is no longer the queue's current one.
 */
export interface OutboxStore {
  /**
   * Append payloads to a queue in order. With `dedupe`, the dedupe key is claimed in the same
   * atomic step: when it is already held nothing is written and the result is `duplicate`.
   * `appends` (transcript turns of what is queued) are appended in that step too, only when the
   * payloads are queued.
   */
  enqueue(queue: QueueRef, payloads: Json[], now: number, dedupe?: EnqueueDedupe, appends?: readonly ListAppend[]): Promise<EnqueueResult>;
  /**
   * The lease of a queue, unless another holder's is unexpired, with the queue's oldest `limit`
   * pending entries read in the same step (what `pending` answers right after).
   */
  acquireLease(queue: QueueRef, ttlMs: number, limit: number): Promise<AcquiredLease | undefined>;
  /** Extend a lease; false when it is no longer current (expired and taken, or released). */
  renewLease(lease: Lease, ttlMs: number): Promise<boolean>;
  /**
   * Give a lease up (a stale one changes nothing). True when the queue has pending entries then,
   * read in the same step: an entry another replica enqueued meanwhile found the lease taken.
   * With `completed`, that delivered entry is removed first, in the same step, as `complete`
   * removes it (a stale lease then throws `LeaseLostError` and changes nothing).
   */
  releaseLease(lease: Lease, completed?: number): Promise<boolean>;
  /** The oldest pending entries of a queue, in order. */
  pending(queue: QueueRef, limit: number): Promise<OutboxEntry[]>;
  /** Count a failed attempt on an entry (it stays at the head of its queue). */
  recordAttempt(lease: Lease, seq: number): Promise<void>;
  /**
   * Record how far a delivery in several steps got; a retry or another replica continues from it.
   * With `append`, the step's own list item (a transcript turn) is appended in the same atomic
   * step: both are recorded or neither (a stale lease, an entry already gone).
   */
  saveProgress(lease: Lease, seq: number, progress: Json, append?: ListAppend): Promise<void>;
  /** Remove a delivered entry. */
  complete(lease: Lease, seq: number): Promise<void>;
  /** Move an entry that finally failed out of its queue into the dead letters. */
  deadLetter(lease: Lease, seq: number, reason: string, now: number): Promise<void>;
  /** Queues with pending entries, the one with the oldest entry first (sweeps after a crash). */
  queuesWithPending(limit: number): Promise<QueueRef[]>;
  /** Pending entries per destination, for the outbox gauges. */
  outboxDepths(): Promise<OutboxDepth[]>;
  /** Dead letters in the order they failed, oldest first. */
  deadLetters(limit: number): Promise<DeadLetter[]>;
  getDeadLetter(id: string): Promise<DeadLetter | undefined>;
  /**
   * Put a dead letter back at the end of its queue (a new seq, no attempts, its progress kept) and
   * remove it from the dead letters; undefined when there is no such dead letter.
   */
  replayDeadLetter(id: string, now: number): Promise<OutboxEntry | undefined>;
  /** Remove every dead letter; returns how many there were. */
  purgeDeadLetters(): Promise<number>;
}

/** Versioned JSON records with compare-and-set (tickets, indexes), and bounded lists (transcripts). */
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

/** An item for `appendToList`, recorded together with an entry's progress. */
export interface ListAppend {
  key: string;
  item: string;
  maxItems: number;
}

/** The whole store. */
export interface Store extends ConversationStore, ClaimStore, OutboxStore, RecordStore {
  /** `memory`, `sqlite` or `redis`. */
  readonly kind: string;
  /** Throws when the store cannot be used (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
