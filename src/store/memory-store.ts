/**
 * The in-process store for tests and development: lru-cache maps, nothing survives a restart.
 *
 * Bounds: conversations, thread bindings, claims, records, lists and idle sequence counters are
 * each an LRU of at most `limits.maxMemoryEntries` entries (default 10,000), and all but claims
 * also expire `limits.retentionMs` after their last write; claims expire by their own TTL. The
 * outbox holds pending entries for at most `maxMemoryEntries` conversations, each at most
 * `maxPendingPerConversation`; dead letters are capped at `maxDeadLetters`. Pending entries are
 * never evicted: a full outbox refuses new entries instead.
 */
import { LRUCache } from 'lru-cache';
import { BridgeError } from '../core/errors.js';
import type { BotMessage } from '../core/bot-message.js';
import type { ConversationRecord, DeadLetter, OutboxEntry, Store, Versioned } from './store.js';
import { resolveStoreLimits, type StoreClock, type StoreLimits, type StoreOptions } from './store-limits.js';
import {
  addressConflictError,
  decideAddressBinding,
  decodeOutboxEntry,
  encodeOutboxPayload,
  isBoundTo,
  outboxFullError,
  requireInteger,
  toJson,
} from './store-rules.js';

interface Claim {
  owner: string;
  expiresAt: number;
}

interface StoredRecord {
  json: string;
  version: number;
}

interface PendingEntry {
  seq: number;
  payload: string;
  attempts: number;
}

interface StoredDeadLetter extends PendingEntry {
  conversationId: string;
  reason: string;
  failedAt: number;
}

/** The memory store (`STORE_URL=memory:`). */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  private readonly limits: StoreLimits;
  private readonly now: StoreClock;
  private readonly conversations: LRUCache<string, string>;
  private readonly addresses: LRUCache<string, string>;
  private readonly claims: LRUCache<string, Claim>;
  private readonly records: LRUCache<string, StoredRecord>;
  private readonly lists: LRUCache<string, readonly string[]>;
  /** The last sequence number given out per conversation, kept after its queue drains. */
  private readonly sequences: LRUCache<string, number>;
  /** Pending entries per conversation, in seq order; Map order is the order they became pending. */
  private readonly outboxes = new Map<string, PendingEntry[]>();
  /** Oldest first. */
  private deadLetterLog: StoredDeadLetter[] = [];
  private closed = false;

  constructor(options: StoreOptions = {}) {
    this.limits = resolveStoreLimits(options.limits);
    this.now = options.now ?? Date.now;
    this.conversations = this.retainedCache();
    this.addresses = this.retainedCache();
    this.records = this.retainedCache();
    this.lists = this.retainedCache();
    this.sequences = this.retainedCache();
    // Claims carry their own TTL per entry; the cache TTL only frees expired ones early.
    this.claims = new LRUCache<string, Claim>({ max: this.limits.maxMemoryEntries, ...this.cacheClock() });
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    return this.readConversation(id);
  }

  async findConversationByAddress(channel: string, key: string): Promise<ConversationRecord | undefined> {
    const id = this.addresses.get(addressKey(channel, key));
    const record = id === undefined ? undefined : this.readConversation(id);
    return record && isBoundTo(record, channel, key) ? record : undefined;
  }

  async saveConversation(record: ConversationRecord): Promise<void> {
    const json = toJson('Conversation record', record);
    const key = addressKey(record.address.channel, record.address.key);
    const boundId = this.addresses.get(key);
    // No await between reading the binding and writing it: the decision stays atomic.
    const bound = boundId === undefined || boundId === record.id ? undefined : this.readConversation(boundId);
    const binding = decideAddressBinding(record, boundId, bound?.session);
    if (binding === 'conflict') throw addressConflictError(record, boundId ?? '');
    this.conversations.set(record.id, json);
    if (binding === 'bind') this.addresses.set(key, record.id);
  }

  async claim(key: string, owner: string, ttlMs: number): Promise<boolean> {
    requireInteger('ttlMs', ttlMs, 1);
    const now = this.now();
    const held = this.claims.get(key);
    if (held && held.expiresAt > now) return false;
    this.claims.set(key, { owner, expiresAt: now + ttlMs }, { ttl: ttlMs });
    return true;
  }

  async release(key: string, owner: string): Promise<void> {
    if (this.claims.get(key)?.owner === owner) this.claims.delete(key);
  }

  async enqueue(conversationId: string, messages: BotMessage[], now: number): Promise<OutboxEntry[]> {
    const payloads = messages.map((message) => encodeOutboxPayload(message, now));
    if (payloads.length === 0) return [];
    const queue = this.outboxes.get(conversationId) ?? [];
    const limit = this.limits.maxPendingPerConversation;
    if (queue.length + payloads.length > limit) {
      throw outboxFullError(conversationId, queue.length, payloads.length, limit);
    }
    if (queue.length === 0 && this.outboxes.size >= this.limits.maxMemoryEntries) {
      throw new BridgeError(
        'store_failed',
        `Memory store outbox is full: ${this.outboxes.size} conversations have pending entries, the limit`,
      );
    }
    // A counter evicted from the LRU must not hand out a seq still in the queue.
    let seq = Math.max(this.sequences.get(conversationId) ?? 0, queue.at(-1)?.seq ?? 0);
    const added = payloads.map((payload) => ({ seq: ++seq, payload, attempts: 0 }));
    queue.push(...added);
    this.outboxes.set(conversationId, queue);
    this.sequences.set(conversationId, seq);
    return added.map((entry) => decodeOutboxEntry(conversationId, entry.seq, entry.payload, 0));
  }

  async pending(conversationId: string, limit: number): Promise<OutboxEntry[]> {
    requireInteger('limit', limit, 0);
    const queue = this.outboxes.get(conversationId) ?? [];
    return queue
      .slice(0, limit)
      .map((entry) => decodeOutboxEntry(conversationId, entry.seq, entry.payload, entry.attempts));
  }

  async recordAttempt(conversationId: string, seq: number): Promise<void> {
    const entry = this.outboxes.get(conversationId)?.find((candidate) => candidate.seq === seq);
    if (entry) entry.attempts += 1;
  }

  async complete(conversationId: string, seq: number): Promise<void> {
    this.takeEntry(conversationId, seq);
  }

  async deadLetter(conversationId: string, seq: number, reason: string, now: number): Promise<void> {
    const entry = this.takeEntry(conversationId, seq);
    if (!entry) return;
    this.deadLetterLog.push({ ...entry, conversationId, reason, failedAt: now });
    const excess = this.deadLetterLog.length - this.limits.maxDeadLetters;
    if (excess > 0) this.deadLetterLog.splice(0, excess);
  }

  async conversationsWithPending(limit: number): Promise<string[]> {
    requireInteger('limit', limit, 0);
    const ids: string[] = [];
    for (const id of this.outboxes.keys()) {
      if (ids.length >= limit) break;
      ids.push(id);
    }
    return ids;
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    requireInteger('limit', limit, 0);
    return this.deadLetterLog
      .slice(Math.max(0, this.deadLetterLog.length - limit))
      .reverse()
      .map(({ conversationId, seq, payload, attempts, reason, failedAt }) => ({
        ...decodeOutboxEntry(conversationId, seq, payload, attempts),
        reason,
        failedAt,
      }));
  }

  async getRecord<T>(key: string): Promise<Versioned<T> | undefined> {
    const stored = this.records.get(key);
    return stored && { value: JSON.parse(stored.json) as T, version: stored.version };
  }

  async compareAndSet<T>(key: string, expectedVersion: number, value: T): Promise<number | undefined> {
    requireInteger('expectedVersion', expectedVersion, 0);
    const json = toJson(`Record ${key}`, value);
    const version = this.records.get(key)?.version ?? 0;
    if (version !== expectedVersion) return undefined;
    this.records.set(key, { json, version: version + 1 });
    return version + 1;
  }

  async appendToList(key: string, item: string, maxItems: number): Promise<void> {
    requireInteger('maxItems', maxItems, 1);
    const list = this.lists.get(key) ?? [];
    this.lists.set(key, [...list, item].slice(-maxItems));
  }

  async readList(key: string): Promise<string[]> {
    return [...(this.lists.get(key) ?? [])];
  }

  async ping(): Promise<void> {
    if (this.closed) throw new BridgeError('store_failed', 'memory store is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const cache of [this.conversations, this.addresses, this.claims, this.records, this.lists, this.sequences]) {
      cache.clear();
    }
    this.outboxes.clear();
    this.deadLetterLog = [];
  }

  private readConversation(id: string): ConversationRecord | undefined {
    const json = this.conversations.get(id);
    return json === undefined ? undefined : (JSON.parse(json) as ConversationRecord);
  }

  private takeEntry(conversationId: string, seq: number): PendingEntry | undefined {
    const queue = this.outboxes.get(conversationId);
    const index = queue?.findIndex((entry) => entry.seq === seq) ?? -1;
    if (!queue || index < 0) return undefined;
    const [entry] = queue.splice(index, 1);
    if (queue.length === 0) this.outboxes.delete(conversationId);
    return entry;
  }

  private retainedCache<V extends {}>(): LRUCache<string, V> {
    return new LRUCache<string, V>({ max: this.limits.maxMemoryEntries, ttl: this.limits.retentionMs, ...this.cacheClock() });
  }

  /** lru-cache reads time from `perf`; no caching of `now` so a test clock takes effect at once. */
  private cacheClock() {
    return { perf: { now: this.now }, ttlResolution: 0 };
  }
}

/** The key of a thread binding; JSON keeps a channel containing ':' from colliding with a key. */
function addressKey(channel: string, key: string): string {
  return JSON.stringify([channel, key]);
}
