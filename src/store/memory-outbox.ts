/**
 * The outbox half of the memory store: queues, fenced leases, dedupe keys and dead letters in
 * process memory. MemoryStore (memory-store.ts) extends it with conversations, claims and records.
 *
 * Bounds: at most `maxMemoryEntries` queues hold pending entries and each at most
 * `maxPendingPerConversation`; pending entries are never evicted, a full outbox refuses new ones.
 * Dedupe keys and leases are LRUs of `maxMemoryEntries` each (an evicted lease is safe: its
 * holder's token is refused and the next acquire gets a larger one). Dead letters are capped at
 * `maxDeadLetters`, the oldest dropped first.
 *
 * Seqs: a queue with pending entries counts on from its last seq; a drained queue keeps no counter
 * (an idle conversation costs nothing here), and a queue without pending entries goes on above the
 * largest seq any drained queue gave out. So a queue's seqs, and the bot event ids made of them,
 * increase and never repeat while the process runs; they may skip numbers.
 */
import { LRUCache } from 'lru-cache';
import { BridgeError, LeaseLostError } from '../core/errors.js';
import {
  destinations,
  type AcquiredLease,
  type DeadLetter,
  type EnqueueDedupe,
  type EnqueueResult,
  type Json,
  type Lease,
  type ListAppend,
  type OutboxDepth,
  type OutboxEntry,
  type OutboxStore,
  type QueueRef,
} from './store.js';
import { resolveStoreLimits, type StoreClock, type StoreLimits, type StoreOptions } from './store-limits.js';
import {
  decodeDeadLetter,
  decodeEntry,
  flattened,
  outboxFullError,
  parseDeadLetterId,
  queueName,
  requireInteger,
  requireQueue,
  toJson,
  type StoredDeadLetter,
  type StoredEntry,
} from './store-rules.js';

interface MemoryQueue {
  ref: QueueRef;
  /** In seq order. */
  entries: StoredEntry[];
  /** The last seq given out (the entry that had it may be gone already). */
  lastSeq: number;
}

interface HeldLease {
  token: number;
  expiresAt: number;
}

/** The outbox of the memory store. */
export abstract class MemoryOutbox implements OutboxStore {
  protected readonly limits: StoreLimits;
  protected readonly now: StoreClock;
  /** Queues with pending entries, by queueName; a queue is removed when it drains. */
  private readonly queues = new Map<string, MemoryQueue>();
  /** The largest seq a drained queue gave out: where a queue without pending entries goes on from. */
  private drainedSeq = 0;
  /** Dedupe key → when it expires. */
  private readonly dedupeKeys: LRUCache<string, number>;
  private readonly leases: LRUCache<string, HeldLease>;
  private lastToken = 0;
  private lastDeadLetterId = 0;
  /** Oldest first. */
  private deadLetterLog: StoredDeadLetter[] = [];

  constructor(options: StoreOptions) {
    this.limits = resolveStoreLimits(options.limits);
    this.now = options.now ?? Date.now;
    this.dedupeKeys = this.retainedCache();
    this.leases = this.retainedCache();
  }

  async enqueue(queue: QueueRef, payloads: Json[], now: number, dedupe?: EnqueueDedupe, appends: readonly ListAppend[] = []): Promise<EnqueueResult> {
    requireQueue(queue);
    if (dedupe) requireInteger('dedupe.ttlMs', dedupe.ttlMs, 1);
    for (const append of appends) requireInteger('maxItems', append.maxItems, 1);
    const texts = payloads.map((payload) => toJson('Outbox payload', payload));
    const clock = this.now();
    // No await from here on: the dedupe check, the bound check and the writes stay one step.
    if (dedupe && (this.dedupeKeys.get(dedupe.key) ?? 0) > clock) return { status: 'duplicate' };
    const added = this.append(
      queue,
      texts.map((payload) => ({ payload, enqueuedAt: now, attempts: 0 })),
    );
    if (dedupe) this.dedupeKeys.set(flattened(dedupe.key), clock + dedupe.ttlMs, { ttl: dedupe.ttlMs });
    for (const append of appends) this.appendItem(append);
    return { status: 'queued', seqs: added.map((entry) => entry.seq) };
  }

  async acquireLease(queue: QueueRef, ttlMs: number, limit: number): Promise<AcquiredLease | undefined> {
    requireQueue(queue);
    requireInteger('ttlMs', ttlMs, 1);
    requireInteger('limit', limit, 0);
    const name = queueName(queue);
    const now = this.now();
    const held = this.leases.get(name);
    if (held && held.expiresAt > now) return undefined;
    this.lastToken += 1;
    this.leases.set(name, { token: this.lastToken, expiresAt: now + ttlMs });
    return { lease: { queue: { destination: queue.destination, key: queue.key }, token: this.lastToken }, entries: this.headOf(queue, limit) };
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<boolean> {
    requireInteger('ttlMs', ttlMs, 1);
    const name = queueName(lease.queue);
    if (this.leases.get(name)?.token !== lease.token) return false;
    this.leases.set(name, { token: lease.token, expiresAt: this.now() + ttlMs });
    return true;
  }

  async releaseLease(lease: Lease, completed?: number): Promise<boolean> {
    if (completed !== undefined) this.completeEntry(lease, completed);
    const name = queueName(lease.queue);
    if (this.leases.get(name)?.token === lease.token) this.leases.delete(name);
    return this.queues.has(name);
  }

  async pending(queue: QueueRef, limit: number): Promise<OutboxEntry[]> {
    requireInteger('limit', limit, 0);
    return this.headOf(queue, limit);
  }

  async recordAttempt(lease: Lease, seq: number): Promise<void> {
    const entry = this.fencedEntry(lease, seq);
    if (entry) entry.attempts += 1;
  }

  async saveProgress(lease: Lease, seq: number, progress: Json, append?: ListAppend): Promise<void> {
    const json = toJson('Progress', progress);
    if (append) requireInteger('maxItems', append.maxItems, 1);
    const entry = this.fencedEntry(lease, seq);
    if (!entry) return;
    entry.progress = json;
    if (append) this.appendItem(append);
  }

  /** Append to a list (the lists are the memory store's). */
  protected abstract appendItem(append: ListAppend): void;

  async complete(lease: Lease, seq: number): Promise<void> {
    this.completeEntry(lease, seq);
  }

  /** Remove the delivered entry `seq` (if still there); LeaseLostError unless the lease is current. */
  private completeEntry(lease: Lease, seq: number): void {
    if (this.fencedEntry(lease, seq)) this.takeEntry(lease.queue, seq);
  }

  async deadLetter(lease: Lease, seq: number, reason: string, now: number): Promise<void> {
    if (!this.fencedEntry(lease, seq)) return;
    const entry = this.takeEntry(lease.queue, seq);
    this.lastDeadLetterId += 1;
    const { destination, key } = lease.queue;
    this.deadLetterLog.push({ ...entry, id: this.lastDeadLetterId, destination, key, reason, failedAt: now });
    const excess = this.deadLetterLog.length - this.limits.maxDeadLetters;
    if (excess > 0) this.deadLetterLog.splice(0, excess);
  }

  async queuesWithPending(limit: number): Promise<QueueRef[]> {
    requireInteger('limit', limit, 0);
    return [...this.queues.entries()]
      .sort(([nameA, a], [nameB, b]) => headAge(a) - headAge(b) || (nameA < nameB ? -1 : 1))
      .slice(0, limit)
      .map(([, queue]) => ({ ...queue.ref }));
  }

  async outboxDepths(): Promise<OutboxDepth[]> {
    return destinations.map((destination) => {
      const queues = [...this.queues.values()].filter((queue) => queue.ref.destination === destination);
      const depth = queues.reduce((sum, queue) => sum + queue.entries.length, 0);
      if (depth === 0) return { destination, depth };
      return { destination, depth, oldestEnqueuedAt: Math.min(...queues.map(headAge)) };
    });
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    requireInteger('limit', limit, 0);
    return this.deadLetterLog.slice(0, limit).map(decodeDeadLetter);
  }

  async getDeadLetter(id: string): Promise<DeadLetter | undefined> {
    const stored = this.deadLetterLog.find((letter) => letter.id === parseDeadLetterId(id));
    return stored && decodeDeadLetter(stored);
  }

  async replayDeadLetter(id: string, now: number): Promise<OutboxEntry | undefined> {
    const index = this.deadLetterLog.findIndex((letter) => letter.id === parseDeadLetterId(id));
    const letter = this.deadLetterLog[index];
    if (!letter) return undefined;
    const { destination, key, payload, progress } = letter;
    // append throws on a full queue before anything changes, so the dead letter stays.
    const [entry] = this.append({ destination, key }, [{ payload, enqueuedAt: now, attempts: 0, progress }]);
    this.deadLetterLog.splice(index, 1);
    return decodeEntry({ destination, key }, entry!);
  }

  async purgeDeadLetters(): Promise<number> {
    const count = this.deadLetterLog.length;
    this.deadLetterLog = [];
    return count;
  }

  /** Drops everything the outbox holds (the store is closing). */
  protected clearOutbox(): void {
    for (const cache of [this.dedupeKeys, this.leases]) cache.clear();
    // The queues' seqs are not handed out again, should anything enqueue after the close.
    for (const queue of this.queues.values()) this.drainedSeq = Math.max(this.drainedSeq, queue.lastSeq);
    this.queues.clear();
    this.deadLetterLog = [];
  }

  /** An LRU of `maxMemoryEntries` whose entries expire `retentionMs` after their last write. */
  protected retainedCache<V extends {}>(): LRUCache<string, V> {
    return new LRUCache<string, V>({ max: this.limits.maxMemoryEntries, ttl: this.limits.retentionMs, ...this.cacheClock() });
  }

  /** lru-cache reads time from `perf`; no caching of `now` so a test clock takes effect at once. */
  protected cacheClock() {
    return { perf: { now: this.now }, ttlResolution: 0 };
  }

  /** Appends entries with the next seqs, or throws before changing anything when a bound would pass. */
  private append(queue: QueueRef, items: Omit<StoredEntry, 'seq'>[]): StoredEntry[] {
    if (items.length === 0) return [];
    const name = queueName(queue);
    const existing = this.queues.get(name);
    const pending = existing?.entries.length ?? 0;
    const limit = this.limits.maxPendingPerConversation;
    if (pending + items.length > limit) throw outboxFullError(queue, pending, items.length, limit);
    if (!existing && this.queues.size >= this.limits.maxMemoryEntries) {
      throw new BridgeError(
        'store_failed',
        `Memory store outbox is full: ${this.queues.size} queues have pending entries, the limit`,
      );
    }
    const target = existing ?? { ref: { destination: queue.destination, key: queue.key }, entries: [], lastSeq: this.drainedSeq };
    const added = items.map((item) => ({ ...item, seq: ++target.lastSeq }));
    target.entries.push(...added);
    if (!existing) this.queues.set(flattened(name), target);
    return added;
  }

  private headOf(queue: QueueRef, limit: number): OutboxEntry[] {
    const entries = this.queues.get(queueName(queue))?.entries ?? [];
    return entries.slice(0, limit).map((entry) => decodeEntry(queue, entry));
  }

  /** The entry `seq` of the lease's queue (undefined if gone); LeaseLostError unless the lease is current. */
  private fencedEntry(lease: Lease, seq: number): StoredEntry | undefined {
    const name = queueName(lease.queue);
    if (this.leases.get(name)?.token !== lease.token) throw new LeaseLostError(name, lease.token);
    return this.queues.get(name)?.entries.find((entry) => entry.seq === seq);
  }

  private takeEntry(queue: QueueRef, seq: number): StoredEntry {
    const name = queueName(queue);
    const target = this.queues.get(name)!;
    const [entry] = target.entries.splice(
      target.entries.findIndex((candidate) => candidate.seq === seq),
      1,
    );
    if (target.entries.length === 0) {
      this.queues.delete(name);
      this.drainedSeq = Math.max(this.drainedSeq, target.lastSeq);
    }
    return entry!;
  }
}

/** When the entry next to deliver was enqueued: the queue's age, for sweeps and gauges. */
function headAge(queue: MemoryQueue): number {
  return queue.entries[0]!.enqueuedAt;
}
