/**
 * The SQL statements of the SQLite store's outbox, prepared once per connection. A queue is the
 * pair (destination, queue_key); columns are aliased to the field names of StoredEntry and
 * StoredDeadLetter (store-rules.ts), so rows decode as they come.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Destination } from './store.js';
import type { StoredDeadLetter, StoredEntry } from './store-rules.js';

type Queue = [destination: Destination, key: string];

const ENTRY_COLUMNS = 'seq, payload, enqueued_at AS enqueuedAt, attempts, progress';
const DEAD_LETTER_COLUMNS = `id, destination, queue_key AS key, ${ENTRY_COLUMNS}, reason, failed_at AS failedAt`;

/** The prepared outbox statements of one connection. */
export type SqliteOutboxStatements = ReturnType<typeof prepareOutboxStatements>;

/** Prepares the outbox statements on `db` (whose schema must be migrated). */
export function prepareOutboxStatements(db: BetterSqlite3.Database) {
  return {
    dedupeHeld: db.prepare<[key: string, now: number], { held: 1 }>(
      'SELECT 1 AS held FROM dedupe_keys WHERE key = ? AND expires_at > ?',
    ),
    holdDedupe: db.prepare<[key: string, expiresAt: number]>(
      `INSERT INTO dedupe_keys (key, expires_at) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at`,
    ),
    queueState: db.prepare<Queue, { pending: number; last_seq: number | null }>(
      'SELECT COUNT(*) AS pending, MAX(seq) AS last_seq FROM outbox WHERE destination = ? AND queue_key = ?',
    ),
    lastSeq: db.prepare<Queue, { last_seq: number }>(
      'SELECT last_seq FROM outbox_sequences WHERE destination = ? AND queue_key = ?',
    ),
    upsertLastSeq: db.prepare<[...Queue, lastSeq: number, now: number]>(
      `INSERT INTO outbox_sequences (destination, queue_key, last_seq, touched_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (destination, queue_key) DO UPDATE SET last_seq = excluded.last_seq, touched_at = excluded.touched_at`,
    ),
    insertEntry: db.prepare<[...Queue, seq: number, payload: string, enqueuedAt: number, progress: string | null]>(
      `INSERT INTO outbox (destination, queue_key, seq, payload, enqueued_at, attempts, progress)
       VALUES (?, ?, ?, ?, ?, 0, ?)`,
    ),
    pending: db.prepare<[...Queue, limit: number], StoredEntry>(
      `SELECT ${ENTRY_COLUMNS} FROM outbox WHERE destination = ? AND queue_key = ? ORDER BY seq LIMIT ?`,
    ),
    getEntry: db.prepare<[...Queue, seq: number], StoredEntry>(
      `SELECT ${ENTRY_COLUMNS} FROM outbox WHERE destination = ? AND queue_key = ? AND seq = ?`,
    ),
    recordAttempt: db.prepare<[...Queue, seq: number]>(
      'UPDATE outbox SET attempts = attempts + 1 WHERE destination = ? AND queue_key = ? AND seq = ?',
    ),
    saveProgress: db.prepare<[progress: string, ...Queue, seq: number]>(
      'UPDATE outbox SET progress = ? WHERE destination = ? AND queue_key = ? AND seq = ?',
    ),
    deleteEntry: db.prepare<[...Queue, seq: number]>(
      'DELETE FROM outbox WHERE destination = ? AND queue_key = ? AND seq = ?',
    ),
    leaseToken: db.prepare<Queue, { token: number; expires_at: number }>(
      'SELECT token, expires_at FROM leases WHERE destination = ? AND queue_key = ?',
    ),
    // One counter for every queue, so tokens grow globally and a released lease's row can go.
    nextToken: db.prepare<[], { last_token: number }>(
      'UPDATE lease_tokens SET last_token = last_token + 1 WHERE id = 1 RETURNING last_token',
    ),
    upsertLease: db.prepare<[...Queue, token: number, expiresAt: number]>(
      `INSERT INTO leases (destination, queue_key, token, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (destination, queue_key) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at`,
    ),
    renewLease: db.prepare<[expiresAt: number, ...Queue, token: number]>(
      'UPDATE leases SET expires_at = ? WHERE destination = ? AND queue_key = ? AND token = ?',
    ),
    releaseLease: db.prepare<[...Queue, token: number]>(
      'DELETE FROM leases WHERE destination = ? AND queue_key = ? AND token = ?',
    ),
    // SQLite fills the bare column enqueued_at from the row that has MIN(seq): each queue's head.
    queuesWithPending: db.prepare<[limit: number], { destination: Destination; key: string }>(
      `SELECT destination, queue_key AS key, MIN(seq), enqueued_at FROM outbox GROUP BY destination, queue_key
       ORDER BY enqueued_at, destination, queue_key LIMIT ?`,
    ),
    outboxDepths: db.prepare<[], { destination: Destination; depth: number; oldest: number }>(
      `WITH heads AS (
         SELECT destination, MIN(seq), enqueued_at, COUNT(*) AS depth FROM outbox GROUP BY destination, queue_key
       )
       SELECT destination, SUM(depth) AS depth, MIN(enqueued_at) AS oldest FROM heads GROUP BY destination`,
    ),
    insertDeadLetter: db.prepare<
      [...Queue, seq: number, payload: string, enqueuedAt: number, attempts: number, progress: string | null, reason: string, failedAt: number]
    >(
      `INSERT INTO dead_letters (destination, queue_key, seq, payload, enqueued_at, attempts, progress, reason, failed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    trimDeadLetters: db.prepare<[keep: number]>(
      'DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters ORDER BY id DESC LIMIT -1 OFFSET ?)',
    ),
    deadLetters: db.prepare<[limit: number], StoredDeadLetter>(
      `SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters ORDER BY id LIMIT ?`,
    ),
    getDeadLetter: db.prepare<[id: number], StoredDeadLetter>(`SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters WHERE id = ?`),
    deleteDeadLetter: db.prepare<[id: number]>('DELETE FROM dead_letters WHERE id = ?'),
    // AUTOINCREMENT keeps the highest id ever given in sqlite_sequence, so ids stay increasing after a purge.
    purgeDeadLetters: db.prepare<[]>('DELETE FROM dead_letters'),
    purgeDedupeKeys: db.prepare<[now: number]>('DELETE FROM dedupe_keys WHERE expires_at <= ?'),
    purgeLeases: db.prepare<[cutoff: number]>('DELETE FROM leases WHERE expires_at <= ?'),
    // A counter goes only once its queue has nothing pending, so seqs never repeat in a queue.
    purgeSequences: db.prepare<[cutoff: number]>(
      `DELETE FROM outbox_sequences WHERE touched_at <= ?
       AND NOT EXISTS (SELECT 1 FROM outbox
         WHERE outbox.destination = outbox_sequences.destination AND outbox.queue_key = outbox_sequences.queue_key)`,
    ),
  };
}
