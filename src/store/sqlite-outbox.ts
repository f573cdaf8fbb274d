/**
 * The outbox half of the SQLite store: queues, fenced leases, dedupe keys and dead letters in
 * tables of the one database file. SqliteStore (sqlite-store.ts) extends it with conversations,
 * claims and records, and opens the connection it works on.
 *
 * Every write runs in a SAVEPOINT of a group-commit batch (sqlite-group-commit.ts): one
 * `BEGIN IMMEDIATE` transaction and one fsync for all writes of an event-loop turn, each promise
 * settled after the commit. So an operation that reads before it writes (enqueue with its dedupe
 * and bound, the lease checks, dead letters) is atomic, and processes sharing the file serialise
 * instead of interleaving. Reads run at once. Lease expiry and dedupe TTLs use the store's clock.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { LeaseLostError } from '../core/errors.js';
import {
  destinations,
  type AcquiredLease,
  type DeadLetter,
  type Destination,
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
import type { StoreClock, StoreLimits } from './store-limits.js';
import {
  decodeDeadLetter,
  decodeEntry,
  outboxFullError,
  parseDeadLetterId,
  queueName,
  requireInteger,
  requireQueue,
  storeFailure,
  toJson,
  type StoredEntry,
} from './store-rules.js';
import { prepareOutboxStatements, type SqliteOutboxStatements } from './sqlite-outbox-statements.js';
import { SqliteGroupCommit, type WriteDurability } from './sqlite-group-commit.js';
import type { SqliteWalSync } from './sqlite-wal-sync.js';

/** Rows the outbox's purge removed, per kind. */
export interface SqliteOutboxPurgeCounts {
  dedupeKeys: number;
  leases: number;
  sequences: number;
}

/** The outbox of the SQLite store, on a migrated connection. */
export abstract class SqliteOutbox implements OutboxStore {
  private readonly outboxSql: SqliteOutboxStatements;
  /** The batches every write of this connection goes through. */
  protected readonly commits: SqliteGroupCommit;

  protected constructor(
    protected readonly db: BetterSqlite3.Database,
    protected readonly limits: StoreLimits,
    protected readonly now: StoreClock,
    protected readonly walSync?: SqliteWalSync,
    afterCommit?: () => void,
  ) {
    this.outboxSql = prepareOutboxStatements(db);
    this.commits = new SqliteGroupCommit(db, limits, walSync, afterCommit);
  }

  async enqueue(queue: QueueRef, payloads: Json[], now: number, dedupe?: EnqueueDedupe, appends: readonly ListAppend[] = []): Promise<EnqueueResult> {
    requireQueue(queue);
    if (dedupe) requireInteger('dedupe.ttlMs', dedupe.ttlMs, 1);
    for (const append of appends) requireInteger('maxItems', append.maxItems, 1);
    const texts = payloads.map((payload) => toJson('Outbox payload', payload));
    return this.write('enqueue', (): EnqueueResult => {
      const clock = this.now();
      if (dedupe && this.outboxSql.dedupeHeld.get(dedupe.key, clock)) return { status: 'duplicate' };
      const seqs = this.append(
        queue,
        texts.map((payload) => ({ payload, enqueuedAt: now, attempts: 0, progress: null })),
      );
      if (dedupe) this.outboxSql.holdDedupe.run(dedupe.key, clock + dedupe.ttlMs);
      for (const append of appends) this.appendItem(append);
      return { status: 'queued', seqs };
    });
  }

  async acquireLease(queue: QueueRef, ttlMs: number, limit: number): Promise<AcquiredLease | undefined> {
    requireQueue(queue);
    requireInteger('ttlMs', ttlMs, 1);
    requireInteger('limit', limit, 0);
    const acquired = await this.write('acquireLease', () => {
      const now = this.now();
      const held = this.outboxSql.leaseToken.get(queue.destination, queue.key);
      if (held && held.expires_at > now) return undefined;
      const token = this.outboxSql.nextToken.get()!.last_token;
      this.outboxSql.upsertLease.run(queue.destination, queue.key, token, now + ttlMs);
      return { lease: { queue: { destination: queue.destination, key: queue.key }, token }, entries: this.headOf(queue, limit) };
    }, 'committed');
    if (acquired && acquired.entries.length > 0) await this.untilDurable('acquireLease', queue);
    return acquired;
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<boolean> {
    requireInteger('ttlMs', ttlMs, 1);
    const { destination, key } = lease.queue;
    return this.write(
      'renewLease',
      () => this.outboxSql.renewLease.run(this.now() + ttlMs, destination, key, lease.token).changes === 1,
      'committed',
    );
  }

  async releaseLease(lease: Lease, completed?: number): Promise<boolean> {
    const { destination, key } = lease.queue;
    return this.write(
      'releaseLease',
      () => {
        if (completed !== undefined) this.completeStep(lease, completed);
        this.outboxSql.releaseLease.run(destination, key, lease.token);
        return this.outboxSql.pending.all(destination, key, 1).length > 0;
      },
      // A release settles at COMMIT; a completed entry's removal is synced soon after, and before
      // the queue's next entry is carried out (`untilDurable`), so a power loss can bring back at
      // most this one delivered entry of the queue. `complete` in the middle of a held batch is
      // synced before the worker goes on to the next entry it already holds.
      completed === undefined ? 'committed' : 'deferred',
    );
  }

  async pending(queue: QueueRef, limit: number): Promise<OutboxEntry[]> {
    requireInteger('limit', limit, 0);
    const entries = this.run('pending', () => this.headOf(queue, limit));
    await this.untilDurable('pending', queue);
    return entries;
  }

  async recordAttempt(lease: Lease, seq: number): Promise<void> {
    return this.fenced('recordAttempt', lease, seq, (destination, key) =>
      this.outboxSql.recordAttempt.run(destination, key, seq),
    );
  }

  async saveProgress(lease: Lease, seq: number, progress: Json, append?: ListAppend): Promise<void> {
    const json = toJson('Progress', progress);
    if (append) requireInteger('maxItems', append.maxItems, 1);
    return this.fenced('saveProgress', lease, seq, (destination, key) => {
      this.outboxSql.saveProgress.run(json, destination, key, seq);
      if (append) this.appendItem(append);
    });
  }

  /** Append to a list, inside the caller's write (the lists are the store's). */
  protected abstract appendItem(append: ListAppend): void;

  async complete(lease: Lease, seq: number): Promise<void> {
    return this.write('complete', () => this.completeStep(lease, seq));
  }

  /** Inside a write: remove the delivered entry `seq` (if still there); LeaseLostError unless the lease is current. */
  private completeStep(lease: Lease, seq: number): void {
    this.fencedStep(lease, seq, (destination, key) => this.outboxSql.deleteEntry.run(destination, key, seq));
  }

  async deadLetter(lease: Lease, seq: number, reason: string, now: number): Promise<void> {
    return this.fenced('deadLetter', lease, seq, (destination, key, entry) => {
      const { payload, enqueuedAt, attempts, progress } = entry;
      this.outboxSql.deleteEntry.run(destination, key, seq);
      this.outboxSql.insertDeadLetter.run(destination, key, seq, payload, enqueuedAt, attempts, progress ?? null, reason, now);
      this.outboxSql.trimDeadLetters.run(this.limits.maxDeadLetters);
    });
  }

  async queuesWithPending(limit: number): Promise<QueueRef[]> {
    requireInteger('limit', limit, 0);
    return this.run('queuesWithPending', () =>
      this.outboxSql.queuesWithPending.all(limit).map(({ destination, key }) => ({ destination, key })),
    );
  }

  async outboxDepths(): Promise<OutboxDepth[]> {
    return this.run('outboxDepths', () => {
      const rows = new Map(this.outboxSql.outboxDepths.all().map((row) => [row.destination, row]));
      return destinations.map((destination) => {
        const row = rows.get(destination);
        return row ? { destination, depth: row.depth, oldestEnqueuedAt: row.oldest } : { destination, depth: 0 };
      });
    });
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    requireInteger('limit', limit, 0);
    return this.run('deadLetters', () => this.outboxSql.deadLetters.all(limit).map(decodeDeadLetter));
  }

  async getDeadLetter(id: string): Promise<DeadLetter | undefined> {
    const number = parseDeadLetterId(id);
    if (number === undefined) return undefined;
    return this.run('getDeadLetter', () => {
      const row = this.outboxSql.getDeadLetter.get(number);
      return row && decodeDeadLetter(row);
    });
  }

  async replayDeadLetter(id: string, now: number): Promise<OutboxEntry | undefined> {
    const number = parseDeadLetterId(id);
    if (number === undefined) return undefined;
    return this.write('replayDeadLetter', () => {
      const letter = this.outboxSql.getDeadLetter.get(number);
      if (!letter) return undefined;
      const { destination, key, payload, progress } = letter;
      const [seq] = this.append({ destination, key }, [{ payload, enqueuedAt: now, attempts: 0, progress }]);
      this.outboxSql.deleteDeadLetter.run(number);
      return decodeEntry({ destination, key }, { seq: seq!, payload, enqueuedAt: now, attempts: 0, progress });
    });
  }

  async purgeDeadLetters(): Promise<number> {
    return this.write('purgeDeadLetters', () => this.outboxSql.purgeDeadLetters.run().changes);
  }

  /** Deletes expired dedupe keys, leases unrenewed past retention and idle counters past it. */
  protected purgeOutbox(now: number, cutoff: number): SqliteOutboxPurgeCounts {
    return {
      dedupeKeys: this.outboxSql.purgeDedupeKeys.run(now).changes,
      leases: this.outboxSql.purgeLeases.run(cutoff).changes,
      sequences: this.outboxSql.purgeSequences.run(cutoff).changes,
    };
  }

  /** Runs synchronous SQLite work; failures become `store_failed` naming the operation. */
  protected run<T>(operation: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw storeFailure('sqlite', operation, error);
    }
  }

  /**
   * Runs `work` in the next group-commit batch, in a savepoint of its own: a throw inside it rolls
   * back only its writes. Resolves once the batch is committed and (with `synchronous: 'FULL'`) its WAL synced.
   */
  protected write<T>(operation: string, work: () => T, durability?: WriteDurability): Promise<T> {
    return this.commits.write(operation, work, durability);
  }

  private headOf(queue: QueueRef, limit: number): OutboxEntry[] {
    return this.outboxSql.pending.all(queue.destination, queue.key, limit).map((row) => decodeEntry(queue, row));
  }

  /**
   * Entries are carried out only once they are on disk, as FULL shows readers no commit before its
   * sync: this waits while the queue's last write (an entry, its progress) is not synced yet.
   */
  private async untilDurable(operation: string, queue: QueueRef): Promise<void> {
    if (!this.walSync) return;
    try {
      await this.walSync.durableFor(queueName(queue));
    } catch (error) {
      throw storeFailure('sqlite', operation, error);
    }
  }

  /** Appends entries with the next seqs (returned), or throws before writing when the queue would pass its bound. */
  private append(queue: QueueRef, items: Omit<StoredEntry, 'seq'>[]): number[] {
    if (items.length === 0) return [];
    const { destination, key } = queue;
    const state = this.outboxSql.queueState.get(destination, key) ?? { pending: 0, last_seq: null };
    const limit = this.limits.maxPendingPerConversation;
    if (state.pending + items.length > limit) throw outboxFullError(queue, state.pending, items.length, limit);
    let seq = Math.max(this.outboxSql.lastSeq.get(destination, key)?.last_seq ?? 0, state.last_seq ?? 0);
    const seqs = items.map((item) => {
      seq += 1;
      this.outboxSql.insertEntry.run(destination, key, seq, item.payload, item.enqueuedAt, item.progress ?? null);
      return seq;
    });
    this.outboxSql.upsertLastSeq.run(destination, key, seq, this.now());
    this.walSync?.noteWrite(queueName(queue));
    return seqs;
  }

  /** Runs `work` on entry `seq` (if it exists) only while the lease is current, else LeaseLostError. */
  private fenced(
    operation: string,
    lease: Lease,
    seq: number,
    work: (destination: Destination, key: string, entry: StoredEntry) => unknown,
  ): Promise<void> {
    return this.write(operation, () => this.fencedStep(lease, seq, work));
  }

  /** Inside a write: `work` on entry `seq` (if it exists) while the lease is current, else LeaseLostError. */
  private fencedStep(lease: Lease, seq: number, work: (destination: Destination, key: string, entry: StoredEntry) => unknown): void {
    const { destination, key } = lease.queue;
    if (this.outboxSql.leaseToken.get(destination, key)?.token !== lease.token) {
      throw new LeaseLostError(queueName(lease.queue), lease.token);
    }
    const entry = this.outboxSql.getEntry.get(destination, key, seq);
    if (entry) work(destination, key, entry);
    this.walSync?.noteWrite(queueName(lease.queue));
  }
}
