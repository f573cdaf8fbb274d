/**
 * The durability step of the SQLite store, off the event loop. SQLite's `synchronous=FULL` in WAL
 * mode is `synchronous=NORMAL` plus one sync of the WAL file after each COMMIT; better-sqlite3
 * runs that sync inside COMMIT on the calling thread, so with FULL every batch blocked the event
 * loop for its fsync (35% of the loop's time at half load in the benchmark's CPU profile). Here the
 * connection runs NORMAL and the group commit calls `sync` after each COMMIT: one `fdatasync` of
 * the WAL on libuv's thread pool, and the batch's writes are acknowledged only once it returned.
 * What an acknowledged write survives is FULL's (a power loss too); only the fsync moved thread.
 *
 * At most one sync runs at a time: the commits made while it runs share the next one, so under
 * load a sync covers many batches (each fdatasync costs the disk and the CPU), and alone a commit
 * is synced at once.
 *
 * The WAL file keeps its inode while any connection has the database open (SQLite removes it only
 * when the last one closes), so one descriptor, opened at the first sync, serves the connection's
 * life; on Linux `fdatasync` flushes the file's data whichever descriptor wrote it.
 */
import { closeSync, fdatasync, fdatasyncSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/** Syncs one database's WAL file. */
export class SqliteWalSync {
  private fd?: number;
  /** The sync on the thread pool now, and the one the commits since it began wait for. */
  private running?: Promise<void>;
  private next?: Promise<void>;

  constructor(private readonly databasePath: string) {}

  /** Make the WAL's directory entry durable (after it was created by switching to WAL mode). */
  syncDirectory(): void {
    const fd = openSync(dirname(this.databasePath), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Resolves once every frame committed before the call is on disk. */
  sync(): Promise<void> {
    if (!this.running) return this.start();
    // The running sync may have begun before this commit: the next one covers it.
    this.next ??= this.running.then(
      () => this.start(),
      () => this.start(),
    );
    return this.next;
  }

  /** The same, on this thread (the last commits before the connection closes). */
  syncNow(): void {
    fdatasyncSync(this.descriptor());
  }

  /** Waits for syncs in flight, then closes the descriptor. */
  async close(): Promise<void> {
    await Promise.allSettled([this.running, this.next]);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** One fdatasync on the thread pool; the next waiting round starts when it ends. */
  private start(): Promise<void> {
    this.next = undefined;
    const done = new Promise<void>((resolve, reject) => {
      let descriptor: number;
      try {
        descriptor = this.descriptor();
      } catch (error) {
        reject(error);
        return;
      }
      fdatasync(descriptor, (error) => (error ? reject(error) : resolve()));
    });
    this.running = done;
    const finished = () => {
      if (this.running === done) this.running = undefined;
    };
    done.then(finished, finished);
    return done;
  }

  private descriptor(): number {
    this.fd ??= openSync(`${this.databasePath}-wal`, 'r+');
    return this.fd;
  }
}
