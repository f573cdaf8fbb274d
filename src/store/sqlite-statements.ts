/**
 * Every SQL statement the SQLite store runs, prepared once per connection. Times are epoch
 * milliseconds; `cutoff` is the oldest `touched_at` still inside the retention window.
 */
import type BetterSqlite3 from 'better-sqlite3';

/** The prepared statements of one connection. */
export type SqliteStatements = ReturnType<typeof prepareStatements>;

/** Prepares the store's statements on `db` (whose schema must be migrated). */
export function prepareStatements(db: BetterSqlite3.Database) {
  return {
    getConversation: db.prepare<[id: string, cutoff: number], { record: string; session: string }>(
      'SELECT record, session FROM conversations WHERE id = ? AND touched_at > ?',
    ),
    upsertConversation: db.prepare<[id: string, record: string, session: string, now: number]>(
      `INSERT INTO conversations (id, record, session, touched_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET record = excluded.record, session = excluded.session, touched_at = excluded.touched_at`,
    ),
    getBinding: db.prepare<[channel: string, key: string, cutoff: number], { conversation_id: string }>(
      'SELECT conversation_id FROM thread_bindings WHERE channel = ? AND thread_key = ? AND touched_at > ?',
    ),
    upsertBinding: db.prepare<[channel: string, key: string, id: string, now: number]>(
      `INSERT INTO thread_bindings (channel, thread_key, conversation_id, touched_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (channel, thread_key) DO UPDATE SET conversation_id = excluded.conversation_id, touched_at = excluded.touched_at`,
    ),
    // Takes the key when absent, or when the holder's lease has run out: one statement, so atomic.
    claim: db.prepare<[key: string, owner: string, expiresAt: number, now: number]>(
      `INSERT INTO claims (key, owner, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE claims.expires_at <= ?`,
    ),
    release: db.prepare<[key: string, owner: string]>('DELETE FROM claims WHERE key = ? AND owner = ?'),
    outboxState: db.prepare<[conversationId: string], { pending: number; last_seq: number | null }>(
      'SELECT COUNT(*) AS pending, MAX(seq) AS last_seq FROM outbox WHERE conversation_id = ?',
    ),
    lastSeq: db.prepare<[conversationId: string], { last_seq: number }>(
      'SELECT last_seq FROM outbox_sequences WHERE conversation_id = ?',
    ),
    upsertLastSeq: db.prepare<[conversationId: string, lastSeq: number, now: number]>(
      `INSERT INTO outbox_sequences (conversation_id, last_seq, touched_at) VALUES (?, ?, ?)
       ON CONFLICT (conversation_id) DO UPDATE SET last_seq = excluded.last_seq, touched_at = excluded.touched_at`,
    ),
    insertEntry: db.prepare<[conversationId: string, seq: number, payload: string, enqueuedAt: number]>(
      'INSERT INTO outbox (conversation_id, seq, payload, enqueued_at) VALUES (?, ?, ?, ?)',
    ),
    pending: db.prepare<[conversationId: string, limit: number], { seq: number; payload: string; attempts: number }>(
      'SELECT seq, payload, attempts FROM outbox WHERE conversation_id = ? ORDER BY seq LIMIT ?',
    ),
    getEntry: db.prepare<[conversationId: string, seq: number], { payload: string; attempts: number }>(
      'SELECT payload, attempts FROM outbox WHERE conversation_id = ? AND seq = ?',
    ),
    recordAttempt: db.prepare<[conversationId: string, seq: number]>(
      'UPDATE outbox SET attempts = attempts + 1 WHERE conversation_id = ? AND seq = ?',
    ),
    deleteEntry: db.prepare<[conversationId: string, seq: number]>(
      'DELETE FROM outbox WHERE conversation_id = ? AND seq = ?',
    ),
    conversationsWithPending: db.prepare<[limit: number], { conversation_id: string }>(
      `SELECT conversation_id FROM outbox GROUP BY conversation_id
       ORDER BY MIN(enqueued_at), conversation_id LIMIT ?`,
    ),
    insertDeadLetter: db.prepare<
      [conversationId: string, seq: number, payload: string, attempts: number, reason: string, failedAt: number]
    >(
      `INSERT INTO dead_letters (conversation_id, seq, payload, attempts, reason, failed_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    // Ids are AUTOINCREMENT and only the oldest are ever deleted, so they are contiguous.
    trimDeadLetters: db.prepare<[newestIdToDrop: number]>('DELETE FROM dead_letters WHERE id <= ?'),
    deadLetters: db.prepare<
      [limit: number],
      { conversation_id: string; seq: number; payload: string; attempts: number; reason: string; failed_at: number }
    >('SELECT conversation_id, seq, payload, attempts, reason, failed_at FROM dead_letters ORDER BY id DESC LIMIT ?'),
    getRecord: db.prepare<[key: string, cutoff: number], { value: string; version: number }>(
      'SELECT value, version FROM records WHERE key = ? AND touched_at > ?',
    ),
    upsertRecord: db.prepare<[key: string, value: string, version: number, now: number]>(
      `INSERT INTO records (key, value, version, touched_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version, touched_at = excluded.touched_at`,
    ),
    getList: db.prepare<[key: string, cutoff: number], { items: string }>(
      'SELECT items FROM lists WHERE key = ? AND touched_at > ?',
    ),
    upsertList: db.prepare<[key: string, items: string, now: number]>(
      `INSERT INTO lists (key, items, touched_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET items = excluded.items, touched_at = excluded.touched_at`,
    ),
    purgeClaims: db.prepare<[now: number]>('DELETE FROM claims WHERE expires_at <= ?'),
    purgeConversations: db.prepare<[cutoff: number]>('DELETE FROM conversations WHERE touched_at <= ?'),
    purgeBindings: db.prepare<[cutoff: number]>('DELETE FROM thread_bindings WHERE touched_at <= ?'),
    purgeRecords: db.prepare<[cutoff: number]>('DELETE FROM records WHERE touched_at <= ?'),
    purgeLists: db.prepare<[cutoff: number]>('DELETE FROM lists WHERE touched_at <= ?'),
    // A counter goes only once its conversation has nothing pending, so seqs never repeat in a queue.
    purgeSequences: db.prepare<[cutoff: number]>(
      `DELETE FROM outbox_sequences WHERE touched_at <= ?
       AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.conversation_id = outbox_sequences.conversation_id)`,
    ),
    ping: db.prepare<[], { ok: number }>('SELECT 1 AS ok'),
  };
}
