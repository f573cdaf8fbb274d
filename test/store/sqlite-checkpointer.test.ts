/**
 * The SQLite store's WAL checkpoints run in a worker thread (sqlite-checkpointer.ts), not in the
 * bridge's COMMITs: the frames the bridge writes reach the database file while its own connection
 * is far below the WAL size at which it would checkpoint itself, and a worker that cannot work is
 * reported once and hands the checkpoints back to the bridge's connection.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BridgeError } from '../../src/core/errors.js';
import { backstopFrames, SqliteCheckpointer } from '../../src/store/sqlite-checkpointer.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { message, queue } from './conformance/samples.js';

const dir = mkdtempSync(join(tmpdir(), 'bridge-checkpoint-'));
let files = 0;
const newPath = () => join(dir, `store-${++files}.db`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pageBytes = 4096;

describe('sqlite WAL checkpoints', () => {
  it('copies committed frames into the database file from its own thread, far below the backstop', async () => {
    const path = newPath();
    const reports: BridgeError[] = [];
    const store = new SqliteStore({ path, commitsPerCheckpoint: 5, onBackgroundError: (error) => reports.push(error) });
    const before = statSync(path).size;
    for (let i = 0; i < 40; i += 1) {
      await store.enqueue(queue(`c-${i}`), Array.from({ length: 20 }, (_, n) => message(`entry ${n} `.repeat(40))), 1);
    }
    expect(store['db'].pragma('wal_autocheckpoint', { simple: true })).toBe(backstopFrames);
    await vi.waitFor(() => expect(statSync(path).size).toBeGreaterThan(before + 40 * pageBytes), { timeout: 5000, interval: 20 });
    const closing = store.close();
    expect(store.close()).toBe(closing);
    await closing;
    expect(reports).toEqual([]);
    // The worker's connection closed first: the store's was the last, and SQLite removed the WAL with it.
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = new SqliteStore({ path });
    expect(await reopened.pending(queue('c-39'), 100)).toHaveLength(20);
    await reopened.close();
  });

  it('counts commits, not time: without enough commits nothing is checkpointed', async () => {
    const path = newPath();
    const store = new SqliteStore({ path, commitsPerCheckpoint: 1_000_000 });
    const before = statSync(path).size;
    for (let i = 0; i < 40; i += 1) await store.enqueue(queue(`c-${i}`), [message(`entry `.repeat(400))], 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statSync(path).size).toBe(before);
    await store.close();
  });

  it('reports a checkpoint thread that cannot open its file once, and the bridge checkpoints as SQLite does by default', async () => {
    const path = newPath();
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    rmSync(path); // the bridge's connection keeps the unlinked file; the worker finds none
    const errors: Error[] = [];
    const checkpointer = new SqliteCheckpointer({ db, commitsPerCheckpoint: 1, busyTimeoutMs: 100, onError: (error) => errors.push(error) });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(backstopFrames);
    await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 5000, interval: 10 });
    expect(errors[0]!.message).toMatch(/^the checkpoint thread could not open the database: .*checkpoints the WAL itself from now on, every 1000 frames/);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await checkpointer.close();
    expect(errors).toHaveLength(1);
    db.close();
  });

  it('reports a checkpoint thread that ends unasked (a crash), and the bridge checkpoints as SQLite does by default', async () => {
    const path = newPath();
    const errors: BridgeError[] = [];
    const store = new SqliteStore({ path, commitsPerCheckpoint: 1, onBackgroundError: (error) => errors.push(error) });
    await store['checkpointer']!['worker'].terminate();
    await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 5000, interval: 10 });
    expect(errors[0]!.message).toMatch(/^sqlite store: checkpointing the WAL failed: the checkpoint thread exited \(code \d+\) \(the bridge's connection checkpoints the WAL itself from now on/);
    expect(store['db'].pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    // The store goes on: writes commit and the WAL is still bounded, by its own connection now.
    await store.enqueue(queue('c-after'), [message('after the crash')], 1);
    await store.close();
    expect(errors).toHaveLength(1);
  });
});
