/**
 * The SQL statements of the SQLite store for conversations, claims, records and lists (the
 * outbox's are in sqlite-outbox-statements.ts), prepared once per connection. Times are epoch
 * milliseconds; `cutoff` is the newest `touched_at` already past the retention window.
 */
import type BetterSqlite3 from 'better-sqlite3';

/** The prepared statements of one connection. */
export type SqliteStatements = ReturnType<typeof prepareStatements>;

/** Prepares the store's statements on `db` (whose schema must be migrated). */
export function prepareStatements(db: BetterSqlite3.Database) {
  return {
    getConversation: db.prepare<[id: string, cutoff: number], { record: string; version: number }>(
      'SELECT record, version FROM conversations WHERE id = ? AND touched_at > ?',
    ),
    // A row past retention that the purge has not reached yet is replaced like an absent one.
    insertConversation: db.prepare<[id: string, record: string, session: string, now: number]>(
      `INSERT INTO conversations (id, record, session, version, touched_at) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (id) DO UPDATE SET record = excluded.record, session = excluded.session, version = 1,
       touched_at = excluded.touched_at`,
    ),
    updateConversation: db.prepare<
      [record: string, session: string, now: number, id: string, expectedVersion: number, cutoff: number]
    >(
      `UPDATE conversations SET record = ?, session = ?, version = version + 1, touched_at = ?
       WHERE id = ? AND version = ? AND touched_at > ?`,
    ),
    getBinding: db.prepare<[channel: string, key: string, cutoff: number], { conversation_id: string }>(
      'SELECT conversation_id FROM thread_bindings WHERE channel = ? AND thread_key = ? AND touched_at > ?',
    ),
    upsertBinding: db.prepare<[channel: string, key: string, id: string, now: number]>(
      `INSERT INTO thread_bindings (channel, thread_key, conversation_id, touched_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (channel, thread_key) DO UPDATE SET conversation_id = excluded.conversation_id, touched_at = excluded.touched_at`,
    ),
    touchBinding: db.prepare<[now: number, channel: string, key: string, id: string]>(
      'UPDATE thread_bindings SET touched_at = ? WHERE channel = ? AND thread_key = ? AND conversation_id = ?',
    ),
    // Takes the key when absent, or when the holder's lease has run out: one statement, so atomic.
    claim: db.prepare<[key: string, owner: string, expiresAt: number, now: number]>(
      `INSERT INTO claims (key, owner, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE claims.expires_at <= ?`,
    ),
    release: db.prepare<[key: string, owner: string]>('DELETE FROM claims WHERE key = ? AND owner = ?'),
    getRecord: db.prepare<[key: string, cutoff: number], { value: string; version: number }>(
      'SELECT value, version FROM records WHERE key = ? AND touched_at > ?',
    ),
    upsertRecord: db.prepare<[key: string, value: string, version: number, now: number]>(
      `INSERT INTO records (key, value, version, touched_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version, touched_at = excluded.touched_at`,
    ),
    listItems: db.prepare<[key: string, cutoff: number], { item: string }>(
      `SELECT list_items.item FROM lists JOIN list_items ON list_items.key = lists.key
       WHERE lists.key = ? AND lists.touched_at > ? ORDER BY list_items.seq`,
    ),
    listHead: db.prepare<[key: string], { last_seq: number; touched_at: number }>('SELECT last_seq, touched_at FROM lists WHERE key = ?'),
    insertListItem: db.prepare<[key: string, seq: number, item: string]>('INSERT INTO list_items (key, seq, item) VALUES (?, ?, ?)'),
    trimList: db.prepare<[key: string, throughSeq: number]>('DELETE FROM list_items WHERE key = ? AND seq <= ?'),
    clearList: db.prepare<[key: string]>('DELETE FROM list_items WHERE key = ?'),
    upsertListHead: db.prepare<[key: string, lastSeq: number, now: number]>(
      `INSERT INTO lists (key, last_seq, touched_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET last_seq = excluded.last_seq, touched_at = excluded.touched_at`,
    ),
    purgeClaims: db.prepare<[now: number]>('DELETE FROM claims WHERE expires_at <= ?'),
    purgeConversations: db.prepare<[cutoff: number]>('DELETE FROM conversations WHERE touched_at <= ?'),
    purgeBindings: db.prepare<[cutoff: number]>('DELETE FROM thread_bindings WHERE touched_at <= ?'),
    purgeRecords: db.prepare<[cutoff: number]>('DELETE FROM records WHERE touched_at <= ?'),
    // The oldest `limit` lists past retention and their items; the same keys in both, one transaction.
    purgeListItems: db.prepare<[cutoff: number, limit: number]>(
      'DELETE FROM list_items WHERE key IN (SELECT key FROM lists WHERE touched_at <= ? ORDER BY touched_at, key LIMIT ?)',
    ),
    purgeLists: db.prepare<[cutoff: number, limit: number]>(
      'DELETE FROM lists WHERE key IN (SELECT key FROM lists WHERE touched_at <= ? ORDER BY touched_at, key LIMIT ?)',
    ),
    ping: db.prepare<[], { ok: number }>('SELECT 1 AS ok'),
  };
}
