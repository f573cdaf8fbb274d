/**
 * The SQLite schema as numbered migrations. `PRAGMA user_version` holds how many have run; a
 * new schema change is a new entry at the end, never an edit of an old one.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { BridgeError } from '../core/errors.js';

/** Migration `i` takes the schema from version `i` to `i + 1` (exported for the migration test). */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    session TEXT NOT NULL,
    touched_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX conversations_touched ON conversations (touched_at);

  CREATE TABLE thread_bindings (
    channel TEXT NOT NULL,
    thread_key TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    touched_at INTEGER NOT NULL,
    PRIMARY KEY (channel, thread_key)
  ) WITHOUT ROWID;
  CREATE INDEX thread_bindings_touched ON thread_bindings (touched_at);

  CREATE TABLE claims (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX claims_expires ON claims (expires_at);

  CREATE TABLE outbox (
    conversation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    payload TEXT NOT NULL,
    enqueued_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, seq)
  ) WITHOUT ROWID;

  CREATE TABLE outbox_sequences (
    conversation_id TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL,
    touched_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    reason TEXT NOT NULL,
    failed_at INTEGER NOT NULL
  );

  CREATE TABLE records (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    version INTEGER NOT NULL,
    touched_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX records_touched ON records (touched_at);

  CREATE TABLE lists (
    key TEXT PRIMARY KEY,
    items TEXT NOT NULL,
    touched_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX lists_touched ON lists (touched_at);
  `,
  // The durable pipeline: queues per destination and key, fenced leases, progress, dedupe keys,
  // dead letters with ids; conversations get a version for compare-and-set. The old outbox held
  // bot messages in a shape the new pipeline does not read, so its tables are replaced.
  `
  DROP TABLE outbox;
  DROP TABLE outbox_sequences;
  DROP TABLE dead_letters;

  ALTER TABLE conversations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

  CREATE TABLE outbox (
    destination TEXT NOT NULL,
    queue_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    payload TEXT NOT NULL,
    enqueued_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    progress TEXT,
    PRIMARY KEY (destination, queue_key, seq)
  ) WITHOUT ROWID;

  CREATE TABLE outbox_sequences (
    destination TEXT NOT NULL,
    queue_key TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    touched_at INTEGER NOT NULL,
    PRIMARY KEY (destination, queue_key)
  ) WITHOUT ROWID;

  CREATE TABLE dedupe_keys (
    key TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX dedupe_keys_expires ON dedupe_keys (expires_at);

  CREATE TABLE leases (
    destination TEXT NOT NULL,
    queue_key TEXT NOT NULL,
    token INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (destination, queue_key)
  ) WITHOUT ROWID;
  CREATE INDEX leases_expires ON leases (expires_at);

  CREATE TABLE lease_tokens (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_token INTEGER NOT NULL
  );
  INSERT INTO lease_tokens (id, last_token) VALUES (1, 0);

  CREATE TABLE dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    destination TEXT NOT NULL,
    queue_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    payload TEXT NOT NULL,
    enqueued_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    progress TEXT,
    reason TEXT NOT NULL,
    failed_at INTEGER NOT NULL
  );
  `,
  // Lists (transcripts) as one row per item: an append writes one short row and trims the oldest,
  // where rewriting the whole list (50 turns, kilobytes) cost every message its JSON and its pages.
  // Only string items of lists that are JSON arrays are kept (anything else no reader could use),
  // numbered 1, 2, 3 in their order.
  `
  ALTER TABLE lists RENAME TO lists_whole;
  DROP INDEX lists_touched;
  CREATE TABLE lists (
    key TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL,
    touched_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX lists_touched ON lists (touched_at);
  CREATE TABLE list_items (
    key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    item TEXT NOT NULL,
    PRIMARY KEY (key, seq)
  ) WITHOUT ROWID;
  WITH arrays AS (SELECT key, items FROM lists_whole WHERE json_valid(items) AND json_type(items) = 'array')
  INSERT INTO list_items (key, seq, item)
    SELECT arrays.key, row_number() OVER (PARTITION BY arrays.key ORDER BY entry.key), entry.value
    FROM arrays, json_each(arrays.items) AS entry WHERE entry.type = 'text';
  INSERT INTO lists (key, last_seq, touched_at)
    SELECT key, (SELECT COUNT(*) FROM list_items WHERE list_items.key = lists_whole.key), touched_at FROM lists_whole;
  DROP TABLE lists_whole;
  `,
];

/** The schema version this code writes. */
export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS.length;

/**
 * Brings the database to SQLITE_SCHEMA_VERSION in one immediate transaction, so two processes
 * opening the same new file do not both migrate it. A file from a newer bridge is refused.
 */
export function migrate(db: BetterSqlite3.Database): void {
  const apply = db.transaction(() => {
    const version = supportedSchemaVersion(db);
    for (const migration of SQLITE_MIGRATIONS.slice(version)) db.exec(migration);
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
  });
  apply.immediate();
}

/** The file's schema version; a version newer than this code knows is an error, before anything is written. */
export function supportedSchemaVersion(db: BetterSqlite3.Database): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SQLITE_SCHEMA_VERSION) {
    throw new BridgeError(
      'store_failed',
      `SQLite file ${db.name} has schema version ${version}, newer than this bridge's ${SQLITE_SCHEMA_VERSION}: ` +
        'run the newer bridge or point STORE_URL at another file',
    );
  }
  return version;
}
