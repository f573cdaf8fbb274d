/**
 * Group commit in the SQLite store (src/store/sqlite-group-commit.ts): the writes of one
 * event-loop turn share one transaction, a write that fails fails only its own caller, a batch
 * SQLite could not commit fails every caller in it, the queue of waiting writes is bounded, and
 * an acknowledged write survives kill -9 of a real process writing as fast as it can, also while
 * the checkpoint thread copies its WAL back after every commit.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite-store.js';
import { SqliteWalSync } from '../../src/store/sqlite-wal-sync.js';
import type { OutboxEntry } from '../../src/store/store.js';
import { leaseOf } from './conformance/fixture.js';
import { message, queue, queuedSeqs, seqsOf } from './conformance/samples.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const writer = fileURLToPath(new URL('./fixtures/sqlite-ack-writer.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bridge-group-commit-'));
let files = 0;
const newPath = () => join(dir, `store-${++files}.db`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store with two writes no public method makes: one that fails half-way, one that ends the transaction. */
class ProbeStore extends SqliteStore {
  constructor(options: SqliteStoreOptions) {
    super(options);
  }

  /** Inserts a record row, then throws, as a write failing half-way would. */
  failHalfway(key: string): Promise<void> {
    return this.write('failHalfway', () => {
      this.db.prepare("INSERT INTO records (key, value, version, touched_at) VALUES (?, '{}', 1, ?)").run(key, Date.now());
      throw new Error('failed half-way');
    });
  }

  /** Rolls the whole batch transaction back from inside one write, as SQLite does on an I/O error. */
  endTransaction(): Promise<void> {
    return this.write('endTransaction', () => void this.db.exec('ROLLBACK'));
  }
}

/** Frames in the file's write-ahead log: each commit appends the pages it changed. */
function walFrames(path: string): number {
  const size = statSync(`${path}-wal`).size;
  return size === 0 ? 0 : (size - 32) / (4096 + 24);
}

describe('sqlite group commit', () => {
  it('commits the writes of one event-loop turn in one transaction', async () => {
    const count = 50;
    const oneByOne = new SqliteStore({ path: newPath() });
    const together = new SqliteStore({ path: newPath() });
    await Promise.all([oneByOne.ping(), together.ping()]);
    const before = [walFrames(oneByOne['db'].name), walFrames(together['db'].name)];
    for (let n = 0; n < count; n += 1) await oneByOne.enqueue(queue(`c-${n}`), [message(`${n}`)], n);
    const results = await Promise.all(
      Array.from({ length: count }, (_, n) => together.enqueue(queue(`c-${n}`), [message(`${n}`)], n)),
    );
    expect(results.every((result) => result.status === 'queued')).toBe(true);
    const sequential = walFrames(oneByOne['db'].name) - before[0]!;
    const grouped = walFrames(together['db'].name) - before[1]!;
    expect(sequential).toBeGreaterThanOrEqual(count);
    expect(grouped).toBeLessThan(10);
    await Promise.all([oneByOne.close(), together.close()]);
  });

  it('fails only the write that throws: its own changes are undone, the rest of its batch commits', async () => {
    const path = newPath();
    const store = new ProbeStore({ path, limits: { maxPendingPerConversation: 1 } });
    await store.enqueue(queue('c-leased'), [message('leased')], 1);
    const stale = await leaseOf(store, queue('c-leased'), 1);
    await store.releaseLease(stale);
    const current = await leaseOf(store, queue('c-leased'));

    const outcomes = await Promise.allSettled([
      store.enqueue(queue('c-1'), [message('first')], 2, { key: 'Ev-1', ttlMs: 60_000 }),
      store.enqueue(queue('c-1'), [message('over the bound')], 3, { key: 'Ev-2', ttlMs: 60_000 }),
      store.failHalfway('record:half'),
      store.complete(stale, 1),
      store.compareAndSet('record:kept', 0, { kept: true }),
      store.enqueue(queue('c-2'), [message('second')], 4),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled', 'fulfilled']);
    const reasons = outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as Error) : undefined));
    expect(reasons[1]).toMatchObject({ code: 'store_failed', message: expect.stringContaining('Outbox queue conversation:c-1 is full') });
    expect(reasons[2]).toMatchObject({ code: 'store_failed', message: 'sqlite store: failHalfway failed: failed half-way' });
    expect(reasons[3]).toMatchObject({ code: 'lease_lost' });
    await store.close();

    const reopened = new SqliteStore({ path });
    expect(seqsOf(await reopened.pending(queue('c-1'), 10))).toEqual([1]);
    expect(seqsOf(await reopened.pending(queue('c-2'), 10))).toEqual([1]);
    expect(seqsOf(await reopened.pending(queue('c-leased'), 10))).toEqual([1]);
    expect(await reopened.getRecord('record:kept')).toEqual({ value: { kept: true }, version: 1 });
    expect(await reopened.getRecord('record:half')).toBeUndefined();
    // The refused enqueue held no dedupe key: once there is room, its retry is queued.
    await reopened.complete(await leaseOf(reopened, queue('c-1')), 1);
    expect(await reopened.enqueue(queue('c-1'), [message('over the bound')], 5, { key: 'Ev-2', ttlMs: 60_000 })).toMatchObject({
      status: 'queued',
    });
    expect(current.token).toBeGreaterThan(stale.token);
    await reopened.close();
  });

  it('fails every write of a batch whose transaction SQLite ended, and keeps none of them', async () => {
    const path = newPath();
    const store = new ProbeStore({ path });
    const outcomes = await Promise.allSettled([
      store.enqueue(queue('c-1'), [message('lost with its batch')], 1),
      store.endTransaction(),
      store.compareAndSet('record:1', 0, { lost: true }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(outcomes.map((outcome) => (outcome as PromiseRejectedResult).reason)).toMatchObject([
      { code: 'store_failed', message: expect.stringMatching(/^sqlite store: enqueue failed/) },
      { code: 'store_failed', message: expect.stringMatching(/^sqlite store: endTransaction failed/) },
      { code: 'store_failed', message: expect.stringMatching(/^sqlite store: compareAndSet failed/) },
    ]);
    // Nothing of the batch is on disk to wait for: reading its queue starts no WAL sync.
    const wal = store['walSync']!;
    const original = wal['syncOffLoop'].bind(wal);
    let syncs = 0;
    wal['syncOffLoop'] = (descriptor: number) => {
      syncs += 1;
      return original(descriptor);
    };
    expect(await store.pending(queue('c-1'), 10)).toEqual([]);
    expect(await store.pending(queue('c-1'), 10)).toEqual([]);
    expect(syncs).toBe(0);
    expect(await store.getRecord('record:1')).toBeUndefined();
    // The next turn's batch starts afresh.
    expect(queuedSeqs(await store.enqueue(queue('c-1'), [message('next batch')], 2))[0]).toBe(1);
    await store.close();
  });

  it('fails every write of a batch that cannot take the lock, each naming its own operation', async () => {
    const path = newPath();
    const store = new SqliteStore({ path, busyTimeoutMs: 50 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const outcomes = await Promise.allSettled([store.enqueue(queue('c-1'), [message('blocked')], 1), store.claim('event:1', 'me', 1000)]);
      expect(outcomes.map((outcome) => (outcome as PromiseRejectedResult).reason)).toMatchObject([
        { code: 'store_failed', message: 'sqlite store: enqueue failed: database is locked' },
        { code: 'store_failed', message: 'sqlite store: claim failed: database is locked' },
      ]);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(await store.claim('event:1', 'me', 1000)).toBe(true);
    await store.close();
  });

  it('refuses a write past maxQueuedWrites and commits the rest in batches of maxBatchWrites, in call order', async () => {
    const path = newPath();
    const store = new SqliteStore({ path, limits: { maxQueuedWrites: 5, maxBatchWrites: 2 } });
    const writes = Array.from({ length: 6 }, (_, n) => store.enqueue(queue('c-1'), [message(`${n}`)], n));
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes[5]).toMatchObject({
      status: 'rejected',
      reason: {
        code: 'store_failed',
        message: 'sqlite store: enqueue refused: 5 writes already wait for a commit (maxQueuedWrites 5); nothing was written',
      },
    });
    const seqs = outcomes.slice(0, 5).map((outcome) => queuedSeqs((outcome as PromiseFulfilledResult<never>).value)[0]);
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    expect((await store.pending(queue('c-1'), 10)).map((entry) => entry.payload)).toEqual([0, 1, 2, 3, 4].map((n) => message(`${n}`)));
    expect(queuedSeqs(await store.enqueue(queue('c-1'), [message('later')], 6))[0]).toBe(6);
    await store.close();
  });

  it('commits writes still waiting for their batch when the store closes', async () => {
    const path = newPath();
    const store = new SqliteStore({ path });
    const waiting = store.enqueue(queue('c-1'), [message('issued before close')], 1);
    await store.close();
    expect(queuedSeqs(await waiting)[0]).toBe(1);
    const reopened = new SqliteStore({ path });
    expect(seqsOf(await reopened.pending(queue('c-1'), 10))).toEqual([1]);
    await reopened.close();
  });
});

interface Acknowledged {
  n: number;
  key: string;
  seq: number;
}

/** Runs the writer until it has acknowledged `acks` enqueues, then kills it with SIGKILL; all it printed. */
function killAfterAcks(path: string, acks: number, writerArgs: string[]): Promise<{ stdout: string; stderr: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, path, '64', ...writerArgs], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    let lines = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stdout += text;
      lines += text.split('\n').length - 1;
      if (lines >= acks && child.signalCode === null) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ stdout, stderr, signal }));
  });
}

/** Holds each of the store's WAL syncs from now on until its own release (by the order they started). */
function gateEachWalSync(store: SqliteStore): { started(): number; release(index: number): void } {
  const wal = store['walSync']!;
  const original = wal['syncOffLoop'].bind(wal);
  const opens: (() => void)[] = [];
  wal['syncOffLoop'] = (descriptor: number) => new Promise<void>((resolve) => opens.push(resolve)).then(() => original(descriptor));
  return { started: () => opens.length, release: (index) => opens[index]!() };
}

/** Holds the store's WAL syncs until released, or fails them. */
function gateWalSync(store: SqliteStore): { release(): void; fail(error: Error): void } {
  const wal = store['walSync']!;
  const original = wal['syncOffLoop'].bind(wal);
  let open!: () => void;
  let refuse!: (error: Error) => void;
  const gate = new Promise<void>((resolve, reject) => {
    open = resolve;
    refuse = reject;
  });
  gate.catch(() => undefined); // failed before the batch asked for its sync: not unhandled
  wal['syncOffLoop'] = (descriptor: number) => gate.then(() => original(descriptor));
  return { release: () => open(), fail: (error) => refuse(error) };
}

describe('sqlite WAL sync off the event loop', () => {
  it('acknowledges a write, and shows its entry to the outbox worker, only after its WAL sync returned', async () => {
    const store = new SqliteStore({ path: newPath() });
    try {
      const gate = gateWalSync(store);
      let acknowledged = false;
      const enqueued = store.enqueue(queue('c-sync'), [message('one')], 1).then((result) => {
        acknowledged = true;
        return result;
      });
      await new Promise((resolve) => setTimeout(resolve, 20)); // the batch is committed, its sync held
      let read = false;
      const pending = store.pending(queue('c-sync'), 10).then((entries) => {
        read = true;
        return entries;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect([acknowledged, read]).toEqual([false, false]);
      gate.release();
      expect(queuedSeqs(await enqueued)).toHaveLength(1);
      expect(seqsOf(await pending)).toEqual([1]);
    } finally {
      await store.close();
    }
  });

  it('lets the outbox read entries already on disk without waiting for the sync of later commits', async () => {
    const store = new SqliteStore({ path: newPath() });
    try {
      await store.enqueue(queue('c-synced'), [message('on disk')], 1);
      const gate = gateWalSync(store);
      const later = store.enqueue(queue('c-later'), [message('not yet')], 2);
      await new Promise((resolve) => setTimeout(resolve, 20)); // the later batch is committed, its sync held
      const acquired = await store.acquireLease(queue('c-synced'), 15_000, 10);
      expect(acquired?.entries.map((entry) => entry.payload)).toEqual([message('on disk')]);
      let read = false;
      const waiting = store.acquireLease(queue('c-later'), 15_000, 10).then((result) => {
        read = true;
        return result;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(read).toBe(false);
      gate.release();
      expect(seqsOf((await waiting)!.entries)).toEqual([1]);
      expect(queuedSeqs(await later)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('settles lease writes at COMMIT, without waiting for the sync of their batch', async () => {
    const store = new SqliteStore({ path: newPath() });
    try {
      const gate = gateWalSync(store);
      const enqueued = store.enqueue(queue('c-lease'), [message('one')], 1);
      const lease = (await store.acquireLease(queue('c-lease'), 15_000, 0))?.lease;
      expect(lease).toBeDefined();
      expect(await store.renewLease(lease!, 15_000)).toBe(true);
      await store.releaseLease(lease!);
      gate.release();
      expect(queuedSeqs(await enqueued)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('answers the release of a delivered entry at COMMIT, syncs its removal soon by itself, and carries out the next entry only once that removal is on disk', async () => {
    const store = new SqliteStore({ path: newPath() });
    try {
      await store.enqueue(queue('c-done'), [message('one'), message('two')], 1);
      const wal = store['walSync']!;
      const first = await store.acquireLease(queue('c-done'), 15_000, 1);
      expect(seqsOf(first!.entries)).toEqual([1]);
      const gate = gateWalSync(store);
      // Answered while its sync is held: nobody outside waits for a removal.
      expect(await store.releaseLease(first!.lease, 1)).toBe(true);
      expect(wal.behind).toBe(true);
      let read = false;
      const next = store.acquireLease(queue('c-done'), 15_000, 10).then((acquired) => {
        read = true;
        return acquired;
      });
      await new Promise((resolve) => setTimeout(resolve, 60)); // past the deferral: the sync was asked for, and is held
      expect(read).toBe(false);
      gate.release();
      expect(seqsOf((await next)!.entries)).toEqual([2]);
      expect(wal.behind).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('syncs a deferred removal within its deferral when no other write comes, and on close', async () => {
    const path = newPath();
    const store = new SqliteStore({ path });
    await store.enqueue(queue('c-soon'), [message('one'), message('two')], 1);
    const wal = store['walSync']!;
    const first = await store.acquireLease(queue('c-soon'), 15_000, 1);
    await store.releaseLease(first!.lease, 1);
    expect(wal.behind).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(wal.behind).toBe(false);
    const second = await store.acquireLease(queue('c-soon'), 15_000, 1);
    await store.releaseLease(second!.lease, 2);
    expect(wal.behind).toBe(true);
    let closingSyncs = 0;
    const syncNow = wal.syncNow.bind(wal);
    wal.syncNow = () => {
      closingSyncs += 1;
      syncNow();
    };
    await store.close();
    expect([closingSyncs, wal.behind]).toEqual([1, false]);
    const reopened = new SqliteStore({ path });
    try {
      expect(await reopened.pending(queue('c-soon'), 10)).toEqual([]);
    } finally {
      await reopened.close();
    }
  });

  it('stops the store when a deferred sync fails, and reports it at close', async () => {
    const reported: string[] = [];
    const store = new SqliteStore({ path: newPath(), onBackgroundError: (error) => reported.push(error.message) });
    await store.enqueue(queue('c-soon-eio'), [message('one')], 1);
    const acquired = await store.acquireLease(queue('c-soon-eio'), 15_000, 1);
    const gate = gateWalSync(store);
    await store.releaseLease(acquired!.lease, 1);
    gate.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })); // as a failing disk answers
    await new Promise((resolve) => setTimeout(resolve, 100)); // past the deferral: its sync ran and failed
    await expect(store.ping()).rejects.toThrow(/WAL could not be synced.*EIO/);
    await expect(store.pending(queue('c-soon-eio'), 10)).rejects.toMatchObject({ code: 'store_failed' });
    await store.close();
    expect(reported).toEqual([expect.stringMatching(/^sqlite store: closing failed: the SQLite WAL could not be synced.*EIO/)]);
  });

  it('carries out the next entry only after a sync that began after the removal, not one already running for another queue', async () => {
    const store = new SqliteStore({ path: newPath() });
    try {
      await store.enqueue(queue('c-order'), [message('one'), message('two')], 1);
      const first = await store.acquireLease(queue('c-order'), 15_000, 1);
      const gates = gateEachWalSync(store);
      const other = store.enqueue(queue('c-other'), [message('elsewhere')], 2);
      await new Promise((resolve) => setTimeout(resolve, 20)); // its sync is running, held
      expect(gates.started()).toBe(1);
      await store.releaseLease(first!.lease, 1); // committed after that sync began
      let read = false;
      const next = store.acquireLease(queue('c-order'), 15_000, 10).then((acquired) => {
        read = true;
        return acquired;
      });
      gates.release(0);
      await other;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect([read, gates.started()]).toEqual([false, 2]); // the removal's own sync is held
      gates.release(1);
      expect(seqsOf((await next)!.entries)).toEqual([2]);
    } finally {
      await store.close();
    }
  });

  it('answers complete in the middle of a held batch only after its sync: the worker goes on to entries it already holds', async () => {
    const store = new SqliteStore({ path: newPath() });
    try {
      await store.enqueue(queue('c-mid'), [message('one'), message('two')], 1);
      const held = await store.acquireLease(queue('c-mid'), 15_000, 10);
      const gate = gateWalSync(store);
      let completed = false;
      const completing = store.complete(held!.lease, 1).then(() => (completed = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(completed).toBe(false);
      gate.release();
      await completing;
    } finally {
      await store.close();
    }
  });

  it('fails for good once a WAL sync failed: writes, outbox reads and the readiness ping; the committed write is there after a restart', async () => {
    const path = newPath();
    const reported: string[] = [];
    const store = new SqliteStore({ path, onBackgroundError: (error) => reported.push(error.message) });
    await store.enqueue(queue('c-eio'), [message('one')], 1); // the sync's descriptor is open
    const wal = store['walSync']!;
    closeSync(wal['fd']!); // its next fdatasync fails (EBADF), as a disk's EIO would
    const dedupe = { key: 'slack:T1:D1:Ev1', ttlMs: 60_000 };
    await expect(store.enqueue(queue('c-eio'), [message('two')], 2, dedupe)).rejects.toMatchObject({
      code: 'store_failed',
      message: expect.stringMatching(/enqueue failed: the SQLite WAL could not be synced.*EBADF/),
    });
    await expect(store.enqueue(queue('c-eio'), [message('two')], 3, dedupe)).rejects.toMatchObject({ code: 'store_failed' });
    await expect(store.pending(queue('c-eio'), 10)).rejects.toMatchObject({ code: 'store_failed' });
    await expect(store.ping()).rejects.toThrow(/WAL could not be synced/);
    wal['fd'] = undefined; // already closed above
    await store.close();
    expect(reported).toHaveLength(1);
    const reopened = new SqliteStore({ path });
    try {
      expect(seqsOf(await reopened.pending(queue('c-eio'), 10))).toEqual([1, 2]);
      expect(await reopened.enqueue(queue('c-eio'), [message('two')], 4, dedupe)).toEqual({ status: 'duplicate' });
    } finally {
      await reopened.close();
    }
  });

  it('syncs the WAL where SQLite keeps it when the database path is a symlink', async () => {
    const real = newPath();
    await new SqliteStore({ path: real }).close();
    const link = join(dir, `link-${files}.db`);
    symlinkSync(real, link);
    const store = new SqliteStore({ path: link });
    try {
      expect(queuedSeqs(await store.enqueue(queue('c-link'), [message('one')], 1))).toHaveLength(1);
      expect(store['walSync']!.walPath).toBe(`${realpathSync(real)}-wal`);
    } finally {
      await store.close();
    }
  });

  it('runs one WAL sync at a time: the commits made meanwhile share the next one', async () => {
    const path = newPath();
    const store = new SqliteStore({ path, synchronous: 'NORMAL' });
    try {
      await store.enqueue(queue('c-wal'), [message('one')], 1); // the WAL file exists
      const wal = new SqliteWalSync(path);
      const first = wal.sync();
      const second = wal.sync();
      const third = wal.sync();
      expect(second).toBe(third);
      expect(second).not.toBe(first);
      await Promise.all([first, second]);
      const alone = wal.sync();
      expect(alone).not.toBe(second);
      await alone;
      await wal.close();
      expect(() => new SqliteWalSync(join(dir, 'no-such.db'))).toThrow(/ENOENT/);
    } finally {
      await store.close();
    }
  });

  it('syncs the database\'s own WAL file, and none with synchronous NORMAL', async () => {
    const walDescriptors = (path: string) => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === `${realpathSync(path)}-wal`;
      } catch {
        return false;
      }
    });
    const fullPath = newPath();
    const normalPath = newPath();
    const full = new SqliteStore({ path: fullPath });
    const normal = new SqliteStore({ path: normalPath, synchronous: 'NORMAL' });
    try {
      const before = walDescriptors(fullPath).length;
      await full.enqueue(queue('c-full'), [message('one')], 1);
      await normal.enqueue(queue('c-normal'), [message('one')], 1);
      // SQLite's own descriptor of the WAL, and the sync's.
      expect(walDescriptors(fullPath).length).toBe(before + 1);
      expect(normal['walSync']).toBeUndefined();
      expect(full['db'].pragma('synchronous', { simple: true })).toBe(1); // NORMAL: the fsync is the group commit's
    } finally {
      await full.close();
      await normal.close();
    }
    expect(walDescriptors(fullPath)).toEqual([]);
  });
});

describe('sqlite group commit across kill -9', () => {
  const cases = [
    { name: 'the shipped defaults', writerArgs: [], checkpointed: false },
    { name: 'the WAL checkpointed by its thread after every commit', writerArgs: ['1'], checkpointed: true },
  ];
  it.each(cases)('keeps every enqueue it acknowledged, with its dedupe key, when the writer is killed mid-stream ($name)', { timeout: 60_000 }, async ({ writerArgs, checkpointed }) => {
    const path = newPath();
    const { stdout, stderr, signal } = await killAfterAcks(path, 1500, writerArgs);
    // With a checkpoint after every commit, pages reached the database file before the kill.
    if (checkpointed) expect(statSync(path).size).toBeGreaterThan(16 * 4096);
    expect(stderr).toBe('');
    expect(signal).toBe('SIGKILL');
    // Each line is one small synchronous write to a pipe, so none is cut in half.
    expect(stdout.endsWith('\n')).toBe(true);
    const acknowledged: Acknowledged[] = stdout
      .trimEnd()
      .split('\n')
      .map((line) => {
        const [n, key, seq] = line.split(' ');
        return { n: Number(n), key: key!, seq: Number(seq) };
      });
    expect(acknowledged.length).toBeGreaterThanOrEqual(1500);

    const store = new SqliteStore({ path });
    try {
      const queues = new Map<string, OutboxEntry[]>();
      for (const { key } of acknowledged) {
        if (!queues.has(key)) queues.set(key, await store.pending(queue(key, 'bot'), 10_000));
      }
      for (const entries of queues.values()) {
        // Whole batches or nothing: every queue is gap-free from 1.
        expect(seqsOf(entries)).toEqual(entries.map((_, index) => index + 1));
      }
      const missing = acknowledged.filter(({ n, key, seq }) => {
        const entry = queues.get(key)!.find((candidate) => candidate.seq === seq);
        return entry === undefined || JSON.stringify(entry.payload) !== JSON.stringify(message(`event ${n}`));
      });
      expect(missing).toEqual([]);
      const retries = await Promise.all(
        acknowledged.map(({ n, key }) => store.enqueue(queue(key, 'bot'), [message(`event ${n}`)], n, { key: `Ev-${n}`, ttlMs: 600_000 })),
      );
      expect(retries.filter((result) => result.status !== 'duplicate')).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
