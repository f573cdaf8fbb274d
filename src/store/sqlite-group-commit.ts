/**
 * Group commit for the SQLite store. Every durable COMMIT needs an fsync, and one transaction
 * per write made the fsync the bridge's throughput limit. Here the writes that concurrent
 * requests issue within one turn of the event loop are queued and run together, on the next
 * `setImmediate`, in ONE `BEGIN IMMEDIATE` transaction with one COMMIT and one sync of the WAL
 * (sqlite-wal-sync.ts, on libuv's thread pool, so the event loop goes on serving requests while
 * the disk works). Each caller's promise settles only after that sync returned, so a write that
 * was acknowledged is on disk exactly as with a transaction of its own; that holds for a write
 * that found a duplicate too, since its sync also covers every batch committed before it.
 *
 * Each write runs inside its own SAVEPOINT, so a write that throws (a full queue, a lost lease, a
 * constraint) is rolled back alone and fails only its own caller; the others still commit. When
 * SQLite itself ends the transaction (an I/O error, a busy lock, a closed connection) nothing of
 * the batch is on disk, and every caller in it is told so: no write is dropped silently.
 *
 * The batch is synchronous from BEGIN to COMMIT, so no read on the same connection can observe a
 * half-done batch; reads keep running at once and see every write acknowledged before them.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { BridgeError } from '../core/errors.js';
import { causeMessage, storeFailure } from './store-rules.js';
import type { SqliteWalSync } from './sqlite-wal-sync.js';

/** The bounds of the group commit (StoreLimits holds their defaults). */
export interface GroupCommitBounds {
  /** Writes one transaction takes at most; the rest wait for the next. */
  maxBatchWrites: number;
  /** Writes waiting for a commit at most; one more is refused with `store_failed`. */
  maxQueuedWrites: number;
}

/**
 * When a write may resolve: `synced` once its WAL sync returned (everything that must survive a
 * power loss), `committed` at COMMIT (leases: they fence live replicas, and a power loss ends
 * every holder of a lease on the machine, so none outlives the lease it lost), `deferred` at
 * COMMIT too, with its sync left to the next one anyone starts or to `syncSoon`'s timer (a
 * delivered entry's removal: nobody outside waits for it, and the outbox carries out the queue's
 * next entry only once it is on disk, sqlite-wal-sync.ts).
 */
export type WriteDurability = 'synced' | 'committed' | 'deferred';

interface QueuedWrite {
  operation: string;
  durability: WriteDurability;
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: BridgeError) => void;
}

/** What one write of a batch did; `cause` is what it threw, before the store wraps it. */
type Outcome = { ok: true; value: unknown } | { ok: false; cause: unknown };

/**
 * Tell each caller of a committed batch how its write went. With `syncError` the batch is
 * committed but its WAL was not synced, so nobody may be told it is on disk: the writes that had
 * succeeded fail with the sync's error; one that failed on its own keeps its own.
 */
function settle(writes: { write: QueuedWrite; outcome: Outcome }[], syncError?: unknown): void {
  for (const { write, outcome } of writes) {
    if (!outcome.ok) write.reject(storeFailure('sqlite', write.operation, outcome.cause));
    else if (syncError !== undefined) write.reject(storeFailure('sqlite', write.operation, syncError));
    else write.resolve(outcome.value);
  }
}

/** Runs the writes of one event-loop turn in one SQLite transaction. */
export class SqliteGroupCommit {
  private queued: QueuedWrite[] = [];
  private scheduled = false;
  private readonly sql: ReturnType<typeof prepareTransactionStatements>;

  /**
   * `walSync` is absent when no write needs to survive a power loss (`synchronous: 'NORMAL'`,
   * `:memory:`); `afterCommit` is told of each COMMIT (the WAL's checkpoints count them).
   */
  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly bounds: GroupCommitBounds,
    private readonly walSync?: SqliteWalSync,
    private readonly afterCommit?: () => void,
  ) {
    this.sql = prepareTransactionStatements(db);
  }

  /**
   * Queues `work` (synchronous SQLite statements) for the next batch; resolves with its result
   * once the batch is committed, or rejects with its error (`store_failed` naming `operation`).
   */
  write<T>(operation: string, work: () => T, durability: WriteDurability = 'synced'): Promise<T> {
    if (this.queued.length >= this.bounds.maxQueuedWrites) {
      return Promise.reject(
        new BridgeError(
          'store_failed',
          `sqlite store: ${operation} refused: ${this.queued.length} writes already wait for a commit ` +
            `(maxQueuedWrites ${this.bounds.maxQueuedWrites}); nothing was written`,
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ operation, durability, work, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Commits and syncs everything queued now, deferred syncs included, on this thread (before the connection closes). */
  flush(): void {
    while (this.queued.length > 0) this.commitBatch(this.queued.splice(0, this.bounds.maxBatchWrites), 'now');
    if (!this.walSync?.behind) return;
    try {
      this.walSync.syncNow();
    } catch {
      // The sync had already failed (the store reports it to every caller): nothing more can be made durable.
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after the I/O callbacks of this loop turn: every request read in it joins.
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.queued.splice(0, this.bounds.maxBatchWrites);
      // Anything past the batch bound waits one turn, so I/O is polled between large batches.
      if (this.queued.length > 0) this.schedule();
      if (batch.length > 0) this.commitBatch(batch, 'off-loop');
    });
  }

  private commitBatch(batch: QueuedWrite[], sync: 'off-loop' | 'now'): void {
    const outcomes: Outcome[] = [];
    try {
      this.sql.begin.run();
      for (const write of batch) {
        const outcome = this.runInSavepoint(write);
        outcomes.push(outcome);
        // SQLite rolled the whole transaction back (an I/O error, say): the batch's earlier writes are gone too.
        if (!this.db.inTransaction) throw outcome.ok ? new Error('the transaction ended inside the batch') : outcome.cause;
      }
      this.sql.commit.run();
    } catch (error) {
      this.failBatch(batch, outcomes, error);
      return;
    }
    this.afterCommit?.();
    // Writes that need no sync (or a batch without any) settle at COMMIT; the rest after the sync.
    const settled = batch.map((write, index) => ({ write, outcome: outcomes[index]! }));
    const waiting = this.walSync ? settled.filter(({ write }) => write.durability === 'synced') : [];
    settle(waiting.length === 0 ? settled : settled.filter(({ write }) => write.durability !== 'synced'));
    if (waiting.length === 0) {
      if (this.walSync && batch.some((write) => write.durability === 'deferred')) this.walSync.syncSoon();
      return;
    }
    if (sync === 'off-loop') {
      this.walSync!.sync().then(
        () => settle(waiting),
        (error: unknown) => settle(waiting, error),
      );
      return;
    }
    try {
      this.walSync!.syncNow();
    } catch (error) {
      settle(waiting, error);
      return;
    }
    settle(waiting);
  }

  private runInSavepoint(write: QueuedWrite): Outcome {
    this.sql.savepoint.run();
    try {
      const value = write.work();
      this.sql.release.run();
      return { ok: true, value };
    } catch (cause) {
      if (this.db.inTransaction) {
        this.sql.rollbackTo.run();
        this.sql.release.run();
      }
      return { ok: false, cause };
    }
  }

  /**
   * Nothing of `batch` is committed: a write that failed by itself keeps its own error, every
   * other write fails with the batch's cause, each naming its own operation.
   */
  private failBatch(batch: QueuedWrite[], outcomes: Outcome[], cause: unknown): void {
    this.walSync?.rolledBack();
    let detail = '';
    try {
      if (this.db.open && this.db.inTransaction) this.sql.rollback.run();
    } catch (rollbackError) {
      detail = ` (and the rollback failed: ${causeMessage(rollbackError)})`;
    }
    batch.forEach((write, index) => {
      const outcome = outcomes[index];
      const failure = outcome && !outcome.ok ? outcome.cause : cause;
      write.reject(storeFailure('sqlite', write.operation, failure, failure === cause ? detail : ''));
    });
  }
}

function prepareTransactionStatements(db: BetterSqlite3.Database) {
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT write'),
    release: db.prepare('RELEASE write'),
    rollbackTo: db.prepare('ROLLBACK TO write'),
  };
}
