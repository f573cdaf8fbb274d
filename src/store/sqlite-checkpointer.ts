/**
 * WAL checkpoints off the event loop. SQLite copies the WAL's frames back into the database file
 * in a checkpoint, and by default the connection that commits the 1000th frame runs it inside its
 * COMMIT: two fsyncs (the WAL's, then the database file's) and the copying, on the calling
 * thread. For the bridge that was the event loop, blocked 3 to 9 ms about seven times a second
 * at half load in the benchmark (a probe timing each COMMIT: 28 of 6,525 over 3 ms in 4 s, the
 * rest about 0.05 ms), and every request that arrived meanwhile waited: that was the SQLite
 * bridge's p99.
 *
 * Here a worker thread with a connection of its own runs a PASSIVE checkpoint every `intervalMs`
 * (it never waits for a lock, so it never holds up the bridge's writes, and the bridge's writes
 * never wait for it). The checkpoint is SQLite's own, with its syncs (`synchronous=NORMAL` in WAL
 * mode syncs at checkpoint): a crash in the middle of one loses nothing, as with the default.
 *
 * The WAL starts over from its beginning only when a writer begins at a moment when every frame
 * has been copied back; while the bridge commits without pause a checkpoint never quite catches
 * up, and the WAL grows. Its bound is the bridge's own connection: it checkpoints itself, as
 * SQLite does by default, once the WAL holds `backstopFrames` frames (sqlite-store.ts), and then
 * most frames are already copied. When the worker cannot open the file or a checkpoint fails,
 * that bound is all that is left: the failure is reported (`onError`) once, until a checkpoint
 * succeeds again.
 *
 * The worker's code is a plain CommonJS string (`eval`), so the same code runs from the compiled
 * build, under tsx and under vitest; better-sqlite3 is loaded from where this module finds it.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** WAL frames (pages of 4 KiB) at which the bridge's own connection checkpoints: about 40 MB. */
export const backstopFrames = 10_000;

export interface SqliteCheckpointerOptions {
  /** The database file (open, in WAL mode). */
  databasePath: string;
  /** Time between two checkpoints. */
  intervalMs: number;
  /** How long the worker's connection waits for a lock when it opens the file. */
  busyTimeoutMs: number;
  /** A checkpoint failed, or the worker stopped: the WAL is bounded only by `backstopFrames` until one succeeds. */
  onError: (error: Error) => void;
}

/** What the worker tells the bridge after each checkpoint. */
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
  parentPort.postMessage({ type: 'failed', message: 'opening the database: ' + error.message });
  parentPort.close();
  return;
}
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ type: 'checkpointed' });
  } catch (error) {
    parentPort.postMessage({ type: 'failed', message: error.message });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** The worker thread that checkpoints one database's WAL. */
export class SqliteCheckpointer {
  private readonly worker: Worker;
  private readonly stopped: Promise<void>;
  /** Whether the last report was a failure: the next one is reported only after a success. */
  private failing = false;
  private readonly onError: (error: Error) => void;

  constructor(options: SqliteCheckpointerOptions) {
    this.onError = options.onError;
    const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(`(() => {${workerSource}})()`, {
      eval: true,
      workerData: { driverPath, databasePath: options.databasePath, intervalMs: options.intervalMs, busyTimeoutMs: options.busyTimeoutMs },
      // The bridge's environment (its secrets) is not the worker's business.
      env: {},
    });
    // The thread must not keep a process alive that has nothing else to do.
    this.worker.unref();
    this.worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'checkpointed') this.failing = false;
      else this.fail(new Error(`the SQLite WAL checkpoint failed (the WAL grows up to ${backstopFrames} frames, then the bridge checkpoints it itself): ${message.message}`));
    });
    this.worker.on('error', (error) => this.fail(new Error(`the SQLite checkpoint thread stopped: ${error.message}`, { cause: error })));
    this.stopped = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** Stops the checkpoints; resolves once the worker's connection is closed. */
  async close(): Promise<void> {
    this.worker.ref(); // the process waits for the thread to finish now
    this.worker.postMessage('stop');
    await this.stopped;
  }

  private fail(error: Error): void {
    if (this.failing) return;
    this.failing = true;
    this.onError(error);
  }
}
