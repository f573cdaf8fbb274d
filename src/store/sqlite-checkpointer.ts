/**
 * WAL checkpoints off the event loop. SQLite copies the WAL's frames back into the database file
 * in a checkpoint, and by default the connection that commits the 1000th frame runs it inside its
 * COMMIT: two fsyncs (the WAL's, then the database file's) and the copying, on the calling
 * thread. For the bridge that was the event loop, blocked 3 to 5.5 ms several times a second
 * at half load in the benchmark (a probe timing each COMMIT: 28 of 6,525 over 3 ms in 4 s, the
 * rest about 0.05 ms), and every request that arrived meanwhile waited: that was the SQLite
 * bridge's p99.
 *
 * Here a worker thread with a connection of its own runs a PASSIVE checkpoint after every
 * `commitsPerCheckpoint` commits of the bridge's connection (one at a time: commits made while
 * one runs count towards the next). PASSIVE never waits for a lock, so it never holds up the
 * bridge's writes, nor they it. The checkpoint is SQLite's own, with its syncs
 * (`synchronous=NORMAL` in WAL mode syncs at checkpoint): a crash in the middle of one loses
 * nothing, as with the default. What stays on the bridge's thread is the sync of the WAL's new
 * header when a commit starts the WAL over after a checkpoint that copied everything; counting
 * commits rather than time keeps those as rare as SQLite's own checkpoints were (a timer would
 * restart an idle bridge's WAL after every few commits).
 *
 * The WAL starts over only when a writer begins after a checkpoint has copied every frame; under
 * heavy load the checkpoints no longer catch up between two commits and the WAL grows (a probe:
 * at 900 events a second the WAL file stayed at about 2,150 frames, at 9,300 it reached the
 * bound). Its bound is the bridge's own connection: it checkpoints itself, as SQLite does, once
 * the WAL holds `backstopFrames` frames, and then most frames are already copied. The WAL file
 * keeps its largest size (SQLite truncates it only with `journal_size_limit`, and a truncated WAL
 * would grow again). A reader that keeps an old snapshot open, in any process, holds the WAL back
 * from starting over, whichever connection checkpoints, as with SQLite's default. If the worker
 * cannot open the file, or a checkpoint fails, the worker stops, the failure is reported once,
 * and the bridge's connection goes back to SQLite's default of checkpointing at 1000 frames.
 *
 * The worker's code is a plain CommonJS string (`eval`), so the same code runs from the compiled
 * build, under tsx and under vitest; better-sqlite3 is loaded from where this module finds it.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/** WAL frames (pages of 4 KiB) at which the bridge's own connection checkpoints while the worker works: about 40 MB. */
export const backstopFrames = 10_000;

/** SQLite's own default, for the bridge's connection once the worker is gone. */
const sqliteDefaultFrames = 1000;

export interface SqliteCheckpointerOptions {
  /** The bridge's connection to the database (open, in WAL mode). */
  db: BetterSqlite3.Database;
  /** Commits of the bridge's connection between two checkpoints (a positive integer). */
  commitsPerCheckpoint: number;
  /** How long the worker's connection waits for a lock when it opens the file. */
  busyTimeoutMs: number;
  /** The worker stopped (it could not open the file, or a checkpoint failed): the bridge's connection checkpoints itself from now on. */
  onError: (error: Error) => void;
}

/** What the worker answers to each checkpoint request. */
type WorkerMessage = { type: 'checkpointed' } | { type: 'failed'; message: string };

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
let db;
try {
  db = new Database(workerData.databasePath, { fileMustExist: true, timeout: workerData.busyTimeoutMs });
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
} catch (error) {
  parentPort.postMessage({ type: 'failed', message: 'the checkpoint thread could not open the database: ' + error.message });
  parentPort.close(); // the thread ends once the message is out
  return;
}
parentPort.on('message', (request) => {
  if (request === 'checkpoint') {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
      parentPort.postMessage({ type: 'checkpointed' });
      return;
    } catch (error) {
      parentPort.postMessage({ type: 'failed', message: error.message });
    }
  }
  db.close();
  parentPort.close();
});
`;

/** The worker thread that checkpoints one database's WAL. */
export class SqliteCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private readonly options: SqliteCheckpointerOptions;
  private commits = 0;
  private checkpointing = false;
  /** Set once the worker stopped or was told to: no more requests. */
  private stopped = false;
  /** Set once a failure was reported: the first is the one that matters. */
  private failed = false;

  constructor(options: SqliteCheckpointerOptions) {
    if (!Number.isSafeInteger(options.commitsPerCheckpoint) || options.commitsPerCheckpoint <= 0) {
      throw new Error(`commitsPerCheckpoint must be a positive integer, got ${String(options.commitsPerCheckpoint)}`);
    }
    this.options = options;
    options.db.pragma(`wal_autocheckpoint = ${backstopFrames}`);
    const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(`(() => {${workerSource}})()`, {
      eval: true,
      workerData: { driverPath, databasePath: options.db.name, busyTimeoutMs: options.busyTimeoutMs },
      // process.env in the worker is empty: the bridge's secrets are not its business.
      env: {},
    });
    // The thread must not keep a process alive that has nothing else to do.
    this.worker.unref();
    this.worker.on('message', (message: WorkerMessage) => {
      this.checkpointing = false;
      if (message.type === 'failed') this.fail(message.message);
    });
    this.worker.on('error', (error) => this.fail(`the checkpoint thread stopped: ${error.message}`, error));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        if (!this.stopped) this.fail(`the checkpoint thread exited (code ${code})`);
        resolve();
      }),
    );
  }

  /** Called after each COMMIT of the bridge's connection. */
  committed(): void {
    this.commits += 1;
    if (this.commits < this.options.commitsPerCheckpoint || this.checkpointing || this.stopped) return;
    this.commits = 0;
    this.checkpointing = true;
    this.worker.postMessage('checkpoint');
  }

  /** Stops the checkpoints; resolves once the worker's connection is closed. */
  async close(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.worker.ref(); // the process waits for the thread to finish now
      this.worker.postMessage('stop');
    }
    await this.exited;
  }

  /** The worker is gone: the bridge's connection checkpoints as SQLite does by default, and the first failure is told. */
  private fail(message: string, cause?: unknown): void {
    this.stopped = true;
    if (this.options.db.open) this.options.db.pragma(`wal_autocheckpoint = ${sqliteDefaultFrames}`);
    if (this.failed) return;
    this.failed = true;
    this.options.onError(new Error(`${message} (the bridge's connection checkpoints the WAL itself from now on, every ${sqliteDefaultFrames} frames)`, { cause }));
  }
}
