/**
 * The SQLite store: the conformance suite on real files in a temp dir (with a second connection
 * to the same file as the peer), and what only SQLite does: schema versions, WAL, purging, locks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from '../../src/store/sqlite-schema.js';
import { describeStoreConformance } from './store-conformance.js';
import { leaseOf } from './conformance/fixture.js';
import { conversation, message, queue, queuedSeqs } from './conformance/samples.js';

const dir = mkdtempSync(join(tmpdir(), 'bridge-sqlite-'));
let files = 0;
const newPath = () => join(dir, `store-${++files}.db`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreConformance('sqlite', async (limits) => {
  let now = 1_700_000_000_000;
  const path = newPath();
  const options = { path, now: () => now, limits };
  return {
    store: new SqliteStore(options),
    advance: (ms) => void (now += ms),
    openPeer: () => new SqliteStore(options),
  };
});

function countRows(path: string, table: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('sqlite store file handling', () => {
  it('creates missing parent directories, uses WAL and records the schema version', async () => {
    const path = join(dir, 'nested', 'deeper', 'bridge.db');
    const store = new SqliteStore({ path });
    await store.ping();
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    db.close();
  });

  it('reopens an existing file without migrating again and keeps entries, progress and the token counter', async () => {
    const path = newPath();
    const first = new SqliteStore({ path });
    await first.enqueue(queue('c-1'), [message('kept')], 1, { key: 'Ev-kept', ttlMs: 60_000 });
    const lease = await leaseOf(first, queue('c-1'), 1);
    await first.saveProgress(lease, 1, { posted: ['1712345678.000200'] });
    await first.releaseLease(lease);
    await first.close();
    const second = new SqliteStore({ path });
    expect(await second.pending(queue('c-1'), 10)).toEqual([
      { destination: 'conversation', key: 'c-1', seq: 1, payload: message('kept'), enqueuedAt: 1, attempts: 0, progress: { posted: ['1712345678.000200'] } },
    ]);
    expect(await second.enqueue(queue('c-1'), [message('kept')], 2, { key: 'Ev-kept', ttlMs: 60_000 })).toEqual({ status: 'duplicate' });
    expect((await leaseOf(second, queue('c-1'))).token).toBeGreaterThan(lease.token);
    await second.close();
  });

  it('migrates a version-1 file: conversations kept at version 1, the old outbox replaced', async () => {
    const path = newPath();
    const old = new Database(path);
    old.exec(SQLITE_MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    const record = conversation('c-old');
    old
      .prepare('INSERT INTO conversations (id, record, session, touched_at) VALUES (?, ?, ?, ?)')
      .run(record.id, JSON.stringify(record), record.session, Date.now());
    old
      .prepare('INSERT INTO thread_bindings (channel, thread_key, conversation_id, touched_at) VALUES (?, ?, ?, ?)')
      .run(record.address.channel, record.address.key, record.id, Date.now());
    old.prepare("INSERT INTO outbox (conversation_id, seq, payload, enqueued_at) VALUES ('c-old', 1, '{}', 1)").run();
    old.close();

    const store = new SqliteStore({ path });
    expect(await store.findConversationByAddress(record.address.channel, record.address.key)).toEqual({ value: record, version: 1 });
    expect(await store.updateConversation({ ...record, session: 'ended' }, 1)).toBe(2);
    expect(await store.queuesWithPending(10)).toEqual([]);
    expect(queuedSeqs(await store.enqueue(queue('c-old'), [message('new')], 2))[0]).toBe(1);
    await store.close();
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    check.close();
  });

  it('migrates a version-2 file: each list becomes one row per item, in order, and appends go on from there', async () => {
    const path = newPath();
    const old = new Database(path);
    old.exec(SQLITE_MIGRATIONS[0]!);
    old.exec(SQLITE_MIGRATIONS[1]!);
    old.pragma('user_version = 2');
    old.prepare('INSERT INTO lists (key, items, touched_at) VALUES (?, ?, ?)').run('transcript:c-old', JSON.stringify(['one', 'two {"json":[1]}', 'three']), Date.now());
    old.prepare('INSERT INTO lists (key, items, touched_at) VALUES (?, ?, ?)').run('transcript:c-empty', '[]', Date.now());
    // What no reader could use is left behind: a null item (an undefined once appended), a list that is not an array.
    old.prepare('INSERT INTO lists (key, items, touched_at) VALUES (?, ?, ?)').run('transcript:c-gap', '["a",null,"b"]', Date.now());
    old.prepare('INSERT INTO lists (key, items, touched_at) VALUES (?, ?, ?)').run('transcript:c-object', '{"a":1}', Date.now());
    old.prepare('INSERT INTO lists (key, items, touched_at) VALUES (?, ?, ?)').run('transcript:c-broken', 'not json', Date.now());
    old.close();

    const store = new SqliteStore({ path });
    expect(await store.readList('transcript:c-old')).toEqual(['one', 'two {"json":[1]}', 'three']);
    expect(await store.readList('transcript:c-empty')).toEqual([]);
    await store.appendToList('transcript:c-old', 'four', 3);
    expect(await store.readList('transcript:c-old')).toEqual(['two {"json":[1]}', 'three', 'four']);
    await store.appendToList('transcript:c-empty', 'first', 3);
    expect(await store.readList('transcript:c-empty')).toEqual(['first']);
    expect(await store.readList('transcript:c-gap')).toEqual(['a', 'b']);
    await store.appendToList('transcript:c-gap', 'c', 3);
    expect(await store.readList('transcript:c-gap')).toEqual(['a', 'b', 'c']);
    expect(await store.readList('transcript:c-object')).toEqual([]);
    await store.appendToList('transcript:c-broken', 'fresh', 3);
    expect(await store.readList('transcript:c-broken')).toEqual(['fresh']);
    await store.close();
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'lists_whole'").get()).toBeUndefined();
    check.close();
  });

  it('purges at most 200 expired lists at a time, each with all its items', async () => {
    let now = 1_700_000_000_000;
    const path = newPath();
    const store = new SqliteStore({ path, now: () => now, limits: { retentionMs: 1000 } });
    await Promise.all(Array.from({ length: 201 }, (_, index) => store.appendToList(`transcript:${index}`, 'turn', 5)));
    await store.appendToList('transcript:0', 'second turn', 5);
    now += 1010;
    expect(store.purgeExpired().lists).toBe(200);
    expect([countRows(path, 'lists'), countRows(path, 'list_items')]).toEqual([1, 1]);
    expect(store.purgeExpired().lists).toBe(1);
    expect([countRows(path, 'lists'), countRows(path, 'list_items')]).toEqual([0, 0]);
    await store.close();
  });

  it('appends to a list whose items outlived their head row (a partial restore), starting it afresh', async () => {
    const path = newPath();
    const store = new SqliteStore({ path });
    await store.appendToList('transcript:c-orphan', 'old', 5);
    store['db'].prepare("DELETE FROM lists WHERE key = 'transcript:c-orphan'").run();
    await store.appendToList('transcript:c-orphan', 'new', 5);
    expect(await store.readList('transcript:c-orphan')).toEqual(['new']);
    await store.close();
  });

  it('refuses a file written by a newer schema, naming both versions, and leaves it alone', () => {
    const path = newPath();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new SqliteStore({ path })).toThrow(
      `schema version 99, newer than this bridge's ${SQLITE_SCHEMA_VERSION}`,
    );
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(99);
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(check.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual({ n: 0 });
    check.close();
  });

  it('fails a write with store_failed when another process holds the lock past the busy timeout', async () => {
    const path = newPath();
    const store = new SqliteStore({ path, busyTimeoutMs: 50 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      await expect(store.enqueue(queue('c-1'), [message('blocked')], 1)).rejects.toMatchObject({
        code: 'store_failed',
        message: expect.stringMatching(/sqlite store: enqueue failed: database is locked/),
      });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(queuedSeqs(await store.enqueue(queue('c-1'), [message('after')], 2))).toHaveLength(1);
    await store.close();
  });

  it('wraps use after close as store_failed naming the operation', async () => {
    const store = new SqliteStore({ path: newPath() });
    await store.close();
    await expect(store.getConversation('c-1')).rejects.toMatchObject({
      code: 'store_failed',
      message: expect.stringContaining('sqlite store: getConversation failed'),
    });
  });
});

describe('sqlite store garbage', () => {
  it('purges expired claims on its timer, so the claims table cannot grow without bound', async () => {
    let now = 1_700_000_000_000;
    const path = newPath();
    const store = new SqliteStore({ path, now: () => now, purgeIntervalMs: 10 });
    for (let index = 0; index < 50; index += 1) await store.claim(`event:${index}`, 'replica-a', 1000);
    await store.claim('event:long', 'replica-a', 60_000);
    expect(countRows(path, 'claims')).toBe(51);
    now += 1000;
    const deadline = Date.now() + 5000;
    while (countRows(path, 'claims') > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(countRows(path, 'claims')).toBe(1);
    await store.close();
  });

  it('purges rows past retention and expired dedupe keys, but keeps the counter of a queue with pending entries', async () => {
    let now = 1_700_000_000_000;
    const path = newPath();
    const store = new SqliteStore({ path, now: () => now, limits: { retentionMs: 1000 } });
    await store.enqueue(queue('c-drained'), [message('done')], 1, { key: 'Ev-1', ttlMs: 500 });
    const drained = await leaseOf(store, queue('c-drained'), 10);
    await store.complete(drained, 1);
    await store.enqueue(queue('c-waiting'), [message('pending')], 1);
    await store.compareAndSet('ticket:1', 0, { state: 'queued' });
    await store.appendToList('transcript:1', 'turn', 5);
    await store.appendToList('transcript:1', 'another turn', 5);
    now += 1010;
    expect(store.purgeExpired()).toEqual({
      claims: 0,
      conversations: 0,
      bindings: 0,
      records: 1,
      lists: 1,
      dedupeKeys: 1,
      leases: 1,
      sequences: 1,
    });
    expect(countRows(path, 'outbox_sequences')).toBe(1);
    expect(countRows(path, 'list_items')).toBe(0); // a purged list's items go with it
    expect(queuedSeqs(await store.enqueue(queue('c-waiting'), [message('next')], 2))[0]).toBe(2);
    // The token counter is not a row the purge touches: tokens keep growing.
    expect((await leaseOf(store, queue('c-drained'))).token).toBeGreaterThan(drained.token);
    await store.close();
  });

  it('reports a failing background purge instead of dropping it', async () => {
    const reported: Error[] = [];
    let failing = false;
    const store = new SqliteStore({
      path: newPath(),
      purgeIntervalMs: 10,
      now: () => {
        if (failing) throw new Error('clock broke');
        return Date.now();
      },
      onBackgroundError: (error) => reported.push(error),
    });
    failing = true;
    const deadline = Date.now() + 5000;
    while (reported.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    failing = false;
    await store.close();
    expect(reported[0]).toMatchObject({ code: 'store_failed', message: 'sqlite store: purging expired rows failed: clock broke' });
  });
});
