/**
 * The durability step of the SQLite store, off the event loop. SQLite's `synchronous=FULL` in WAL
 * mode is `synchronous=NORMAL` plus one sync of the WAL file after each COMMIT; better-sqlite3
 * runs that sync inside COMMIT on the calling thread, so with FULL every batch blocked the event
 * loop for its fsync (35% of the loop's time at half load in the benchmark's CPU profile). Here the
 * connection runs NORMAL and the group commit calls `sync` after each COMMIT: one `fdatasync` of
 * the WAL on libuv's thread pool, and the batch's writes are acknowledged only once it returned.
 * What an acknowledged write survives is FULL's (a power loss too); only the fsync moved thread.
 * The outbox reads its entries through `durableFor` too, so no entry is carried out before it is
 * on disk (with FULL, SQLite shows a commit to readers only after its sync). It waits only while
 * the queue's own last write is not synced yet, not for the syncs of other queues' writes.
 *
 * At most one sync runs at a time: the commits made while it runs share the next one, so under
 * load a sync covers many batches (each fdatasync costs the disk and the CPU), and alone a commit
 * is synced at once.
 *
 * A commit nobody waits for (a delivered entry's removal when its lease is released) asks for a
 * deferred sync instead (`syncSoon`): the next sync anyone starts covers it, and if none starts
 * within `deferMs` one is started for it. The queue it belongs to is noted like any other write,
 * so its next entry is not carried out before the removal is on disk: a power loss can bring back
 * at most that one delivered entry per queue. At low load this halves the syncs per delivered
 * event (a journal write and a removal each used to have their own).
 *
 * A failed sync is final: after an fdatasync error Linux may drop the pages it could not write
 * and report success for the next one, so nothing written since can be called durable. Every
 * later sync fails with that error (the store answers `store_failed`, /readyz reports it) until
 * the bridge is restarted and SQLite recovers the file.
 *
 * The WAL is found where SQLite puts it: next to the database's real path (SQLite resolves a
 * symlinked path). It keeps its inode while any connection has the database open (SQLite removes
 * it only when the last one closes), so one descriptor, opened at the first sync, serves the
 * connection's life; on Linux `fdatasync` flushes the file's data whichever descriptor wrote it.
 */
import { closeSync, fdatasync, fdatasyncSync, fsyncSync, openSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';

/** Syncs one database's WAL file. */
export class SqliteWalSync {
  private readonly databasePath: string;
  private fd?: number;
  /** The sync on the thread pool now (covering `sync` calls up to `runningThrough`), and the one the commits since it began wait for. */
  private running?: Promise<void>;
  private runningThrough = 0;
  private next?: Promise<void>;
  /** The timer of a deferred sync (`syncSoon`) nobody else's sync has covered yet. */
  private deferred?: NodeJS.Timeout;
  /** The error of a failed sync: nothing is durable from then on. */
  private failure?: Error;
  /** `sync` calls so far, and how many of them the finished fdatasyncs cover. */
  private requested = 0;
  private covered = 0;
  /** Per key (an outbox queue), the `sync` call that covers its last write; pruned as syncs finish. */
  private readonly lastWrites = new Map<string, number>();
  /** Keys written by the batch being committed now: they count once its COMMIT succeeded. */
  private readonly batchWrites = new Set<string>();

  /**
   * `databasePath` must exist (the database is open). `deferMs`: how long a commit that asked for
   * a deferred sync waits at most for another one to cover it.
   */
  constructor(
    databasePath: string,
    private readonly deferMs = 20,
  ) {
    this.databasePath = realpathSync(databasePath);
  }

  /** The WAL file this syncs. */
  get walPath(): string {
    return `${this.databasePath}-wal`;
  }

  /**
   * Make the WAL's directory entry durable (after switching to WAL mode created the file). Best
   * effort: a directory the bridge may write but not read cannot be opened for it.
   */
  syncDirectory(): void {
    try {
      const fd = openSync(dirname(this.databasePath), 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch {
      // The file's own syncs still hold; only a crash right after creating the WAL could lose its name.
    }
  }

  /** Resolves once every frame committed before the call is on disk (called right after each COMMIT). */
  sync(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.committed();
    return this.upcoming();
  }

  /**
   * Called right after a COMMIT nobody waits for: the frames are synced by the next sync anyone
   * starts, or by one started for them after `deferMs`. A failure of that sync stops the store as
   * any other does.
   */
  syncSoon(): void {
    if (this.failure) return;
    this.committed();
    this.deferred ??= setTimeout(() => {
      this.deferred = undefined;
      // The failure is kept: every later write and read reports it.
      if (this.behind) this.covering(this.requested).catch(() => undefined);
    }, this.deferMs);
    this.deferred.unref();
  }

  /** Whether frames committed so far are not known to be on disk. */
  get behind(): boolean {
    return this.covered < this.requested;
  }

  /** Note a write to `key` in the batch being committed now: once it committed, its sync is the next one asked for. */
  noteWrite(key: string): void {
    this.batchWrites.add(key);
  }

  /** The batch being committed now did not commit: its writes are gone, nothing of them needs a sync. */
  rolledBack(): void {
    this.batchWrites.clear();
  }

  /** Resolves once the last write noted for `key` is on disk. */
  durableFor(key: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const ticket = this.lastWrites.get(key);
    if (ticket === undefined || ticket <= this.covered) return Promise.resolve();
    // A deferred sync's write may be wanted now: this starts the sync that covers it, if none has.
    return this.covering(ticket);
  }

  /** The same as `sync`, on this thread (the last commits before the connection closes). */
  syncNow(): void {
    if (this.failure) throw this.failure;
    this.committed();
    const through = this.requested;
    try {
      fdatasyncSync(this.descriptor());
    } catch (error) {
      throw this.fail(error);
    }
    this.coverThrough(through);
  }

  /** Throws the sync failure, if there was one (readiness). */
  check(): void {
    if (this.failure) throw this.failure;
  }

  /** Waits for syncs in flight, then closes the descriptor (the caller synced any deferred commit first: `syncNow`). */
  async close(): Promise<void> {
    clearTimeout(this.deferred);
    this.deferred = undefined;
    await Promise.allSettled([this.running, this.next]);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** A COMMIT succeeded: it is the next `sync` call, which its batch's written keys wait for. */
  private committed(): void {
    this.requested += 1;
    for (const key of this.batchWrites) this.lastWrites.set(key, this.requested);
    this.batchWrites.clear();
  }

  /** The sync that covers `sync` call `ticket`: the running one if it began after that call, else the next. */
  private covering(ticket: number): Promise<void> {
    return this.running && this.runningThrough >= ticket ? this.running : this.upcoming();
  }

  /** The sync that covers every commit so far: the running one has begun before some of them, so the next. */
  private upcoming(): Promise<void> {
    if (!this.running) return this.start();
    this.next ??= this.running.then(
      () => this.start(),
      () => this.start(),
    );
    return this.next;
  }

  /** One fdatasync on the thread pool, covering every `sync` call so far; the next waiting round starts when it ends. */
  private start(): Promise<void> {
    this.next = undefined;
    const through = this.requested;
    this.runningThrough = through;
    const done = new Promise<void>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      let descriptor: number;
      try {
        descriptor = this.descriptor();
      } catch (error) {
        return reject(this.fail(error));
      }
      this.syncOffLoop(descriptor).then(
        () => {
          this.coverThrough(through);
          resolve();
        },
        (error: unknown) => reject(this.fail(error)),
      );
    });
    this.running = done;
    const finished = () => {
      if (this.running === done) this.running = undefined;
    };
    done.then(finished, finished);
    return done;
  }

  private coverThrough(through: number): void {
    this.covered = Math.max(this.covered, through);
    for (const [key, ticket] of this.lastWrites) if (ticket <= this.covered) this.lastWrites.delete(key);
  }

  private syncOffLoop(descriptor: number): Promise<void> {
    return new Promise((resolve, reject) => fdatasync(descriptor, (error) => (error ? reject(error) : resolve())));
  }

  private fail(error: unknown): Error {
    this.failure ??= new Error(`the SQLite WAL could not be synced, so no write since is known to be on disk: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    return this.failure;
  }

  private descriptor(): number {
    this.fd ??= openSync(this.walPath, 'r+');
    return this.fd;
  }
}
