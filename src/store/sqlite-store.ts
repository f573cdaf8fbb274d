/**
 * The embedded, durable store (`STORE_URL=sqlite:PATH`, the default) on better-sqlite3. The
 * outbox lives in sqlite-outbox.ts; this file opens the file and adds conversations, claims and
 * records.
 *
 * Durability: every write is committed before its promise resolves, with WAL and
 * `synchronous=FULL` by default, so an outbox entry acknowledged to a webhook survives a crash or
 * power loss. The writes of one event-loop turn share one `BEGIN IMMEDIATE` transaction and its
 * one fsync (group commit, sqlite-group-commit.ts), each in its own savepoint, so writes that read
 * first (enqueue, the lease checks, createConversation, compareAndSet) stay atomic and two
 * processes on one file serialise instead of deadlocking. The WAL's checkpoints run in a worker
 * thread (sqlite-checkpointer.ts). Garbage: expired claims, dedupe keys and rows past the retention window
 * are purged at open and on a timer.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import type { BridgeError } from '../core/errors.js';
import type { ConversationRecord, CreateConversationResult, ListAppend, Store, Versioned } from './store.js';
import { resolveStoreLimits, type StoreOptions } from './store-limits.js';
import { createBlockedBy, requireInteger, storeFailure, toJson } from './store-rules.js';
import { migrate, supportedSchemaVersion } from './sqlite-schema.js';
import { prepareStatements, type SqliteStatements } from './sqlite-statements.js';
import { SqliteOutbox, type SqliteOutboxPurgeCounts } from './sqlite-outbox.js';
import { SqliteWalSync } from './sqlite-wal-sync.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';

/** Options of the SQLite store. */
export interface SqliteStoreOptions extends StoreOptions {
  /** The database file (its directory is created), or `:memory:`. */
  path: string;
  /**
   * `FULL` (default): an acknowledged write survives a power loss (its WAL is synced before the
   * write resolves); `NORMAL`: it survives a process crash, and a power loss may take the last ones.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a write waits for another process's lock before failing. Default 5000. */
  busyTimeoutMs?: number;
  /** How often expired rows are purged. Default 60,000. */
  purgeIntervalMs?: number;
  /** Commits between two checkpoints of the WAL, run off the event loop (sqlite-checkpointer.ts). Default 100. */
  commitsPerCheckpoint?: number;
  /** Where a failed background purge or checkpoint, or a WAL sync failure found at close, is reported; default `process.emitWarning`. */
  onBackgroundError?: (error: BridgeError) => void;
}

/**
 * Lists one purge removes at most, with their items (up to 50 rows each): a backlog of expired
 * transcripts (after a long stop, say) goes over several purges instead of blocking the event loop
 * in one long transaction. Readers never see an expired list either way.
 */
const maxListsPerPurge = 200;

/** Rows removed by one purge, per kind. */
export interface SqlitePurgeCounts extends SqliteOutboxPurgeCounts {
  claims: number;
  conversations: number;
  bindings: number;
  records: number;
  lists: number;
}

/** The SQLite store. */
export class SqliteStore extends SqliteOutbox implements Store {
  readonly kind = 'sqlite';
  private readonly sql: SqliteStatements;
  private readonly purgeTimer: NodeJS.Timeout;
  /** The WAL's checkpoints, in a worker thread (a file in WAL mode only). */
  private readonly checkpointer?: SqliteCheckpointer;
  private closing?: Promise<void>;
  /** Where background failures go (`onBackgroundError`). */
  private readonly report: (error: BridgeError) => void;

  constructor(options: SqliteStoreOptions) {
    const report = options.onBackgroundError ?? ((error: BridgeError) => process.emitWarning(error));
    const { db, walSync, checkpointer } = openDatabase(options, report);
    super(db, resolveStoreLimits(options.limits), options.now ?? Date.now, walSync, checkpointer && (() => checkpointer.committed()));
    this.checkpointer = checkpointer;
    this.report = report;
    try {
      this.sql = prepareStatements(this.db);
      this.purgeExpired();
    } catch (error) {
      void checkpointer?.close();
      this.db.close();
      throw storeFailure('sqlite', `opening ${options.path}`, error);
    }
    this.purgeTimer = setInterval(() => this.purgeInBackground(), options.purgeIntervalMs ?? 60_000);
    // The timer must not keep a process alive that has nothing else to do.
    this.purgeTimer.unref();
  }

  async getConversation(id: string): Promise<Versioned<ConversationRecord> | undefined> {
    return this.run('getConversation', () => this.readConversation(id));
  }

  async findConversationByAddress(channel: string, key: string): Promise<Versioned<ConversationRecord> | undefined> {
    return this.run('findConversationByAddress', () => this.readBound(channel, key));
  }

  async createConversation(record: ConversationRecord): Promise<CreateConversationResult> {
    const json = toJson('Conversation record', record);
    const { channel, key } = record.address;
    return this.write('createConversation', (): CreateConversationResult => {
      const blocked = createBlockedBy(this.readConversation(record.id), this.readBound(channel, key));
      if (blocked) return blocked;
      const now = this.now();
      this.sql.insertConversation.run(record.id, json, record.session, now);
      this.sql.upsertBinding.run(channel, key, record.id, now);
      return { created: true, version: 1 };
    });
  }

  async updateConversation(record: ConversationRecord, expectedVersion: number): Promise<number | undefined> {
    requireInteger('expectedVersion', expectedVersion, 0);
    const json = toJson('Conversation record', record);
    const { channel, key } = record.address;
    return this.write('updateConversation', () => {
      const now = this.now();
      const { changes } = this.sql.updateConversation.run(json, record.session, now, record.id, expectedVersion, this.cutoff());
      if (changes !== 1) return undefined;
      // The binding is not changed, only kept alive as long as the conversation it still points at.
      this.sql.touchBinding.run(now, channel, key, record.id);
      return expectedVersion + 1;
    });
  }

  async claim(key: string, owner: string, ttlMs: number): Promise<boolean> {
    requireInteger('ttlMs', ttlMs, 1);
    return this.write('claim', () => {
      const now = this.now();
      return this.sql.claim.run(key, owner, now + ttlMs, now).changes === 1;
    });
  }

  async release(key: string, owner: string): Promise<void> {
    return this.write('release', () => void this.sql.release.run(key, owner));
  }

  async getRecord<T>(key: string): Promise<Versioned<T> | undefined> {
    return this.run('getRecord', () => {
      const row = this.sql.getRecord.get(key, this.cutoff());
      return row && { value: JSON.parse(row.value) as T, version: row.version };
    });
  }

  async compareAndSet<T>(key: string, expectedVersion: number, value: T): Promise<number | undefined> {
    requireInteger('expectedVersion', expectedVersion, 0);
    const json = toJson(`Record ${key}`, value);
    return this.write('compareAndSet', () => {
      const version = this.sql.getRecord.get(key, this.cutoff())?.version ?? 0;
      if (version !== expectedVersion) return undefined;
      this.sql.upsertRecord.run(key, json, version + 1, this.now());
      return version + 1;
    });
  }

  async appendToList(key: string, item: string, maxItems: number): Promise<void> {
    requireInteger('maxItems', maxItems, 1);
    return this.write('appendToList', () => this.appendItem({ key, item, maxItems }));
  }

  /**
   * One row per item: the next seq, then the items past `maxItems` go. A list that is new or past
   * retention starts afresh at seq 1, without any item left from before.
   */
  protected appendItem({ key, item, maxItems }: ListAppend): void {
    const head = this.sql.listHead.get(key);
    const live = head !== undefined && head.touched_at > this.cutoff();
    if (!live) this.sql.clearList.run(key);
    const seq = (live ? head.last_seq : 0) + 1;
    this.sql.insertListItem.run(key, seq, item);
    this.sql.trimList.run(key, seq - maxItems);
    this.sql.upsertListHead.run(key, seq, this.now());
  }

  async readList(key: string): Promise<string[]> {
    return this.run('readList', () => this.readItems(key));
  }

  async ping(): Promise<void> {
    return this.run('ping', () => {
      this.walSync?.check(); // a failed WAL sync makes the store unready until a restart
      this.sql.ping.get();
    });
  }

  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    clearInterval(this.purgeTimer);
    if (!this.db.open) return;
    // Writes already issued are committed, not dropped, before the connection goes; the
    // checkpoint thread's connection closes first, so that this one, the last, removes the WAL.
    this.commits.flush();
    await this.checkpointer?.close();
    try {
      this.commits.flush();
      this.db.close();
    } finally {
      await this.walSync?.close();
    }
    try {
      this.walSync?.check();
    } catch (error) {
      // A WAL sync failed, perhaps the last one just now: what was written since is not known to be on disk.
      this.report(storeFailure('sqlite', 'closing', error));
    }
  }

  /** Deletes expired claims and dedupe keys and rows past the retention window; returns how many of each. */
  purgeExpired(): SqlitePurgeCounts {
    const now = this.now();
    const cutoff = this.cutoff();
    return this.db.transaction(() => {
      this.sql.purgeListItems.run(cutoff, maxListsPerPurge); // the items of the lists purged below
      return {
        claims: this.sql.purgeClaims.run(now).changes,
        conversations: this.sql.purgeConversations.run(cutoff).changes,
        bindings: this.sql.purgeBindings.run(cutoff).changes,
        records: this.sql.purgeRecords.run(cutoff).changes,
        lists: this.sql.purgeLists.run(cutoff, maxListsPerPurge).changes,
        ...this.purgeOutbox(now, cutoff),
      };
    })();
  }

  private purgeInBackground(): void {
    try {
      this.purgeExpired();
    } catch (error) {
      this.report(storeFailure('sqlite', 'purging expired rows', error));
    }
  }

  private readConversation(id: string): Versioned<ConversationRecord> | undefined {
    const row = this.sql.getConversation.get(id, this.cutoff());
    return row && { value: JSON.parse(row.record) as ConversationRecord, version: row.version };
  }

  private readBound(channel: string, key: string): Versioned<ConversationRecord> | undefined {
    const binding = this.sql.getBinding.get(channel, key, this.cutoff());
    return binding && this.readConversation(binding.conversation_id);
  }

  private readItems(key: string): string[] {
    return this.sql.listItems.all(key, this.cutoff()).map((row) => row.item);
  }

  /** Rows touched at or before this time are past retention. */
  private cutoff(): number {
    return this.now() - this.limits.retentionMs;
  }
}

/**
 * Opens and migrates the file. The schema version is checked before switching to WAL, so a file
 * from a newer bridge is left exactly as it was.
 */
function openDatabase(
  options: SqliteStoreOptions,
  report: (error: BridgeError) => void,
): { db: BetterSqlite3.Database; walSync?: SqliteWalSync; checkpointer?: SqliteCheckpointer } {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const db = new Database(options.path, { timeout: busyTimeoutMs });
  try {
    supportedSchemaVersion(db);
    const wal = db.pragma('journal_mode = WAL', { simple: true }) === 'wal';
    const full = (options.synchronous ?? 'FULL') === 'FULL';
    // FULL in WAL mode: NORMAL plus the group commit's own WAL sync, off the event loop (sqlite-wal-sync.ts).
    db.pragma(`synchronous = ${full && !wal ? 'FULL' : 'NORMAL'}`);
    migrate(db);
    const walSync = full && wal ? new SqliteWalSync(options.path) : undefined;
    walSync?.syncDirectory();
    const checkpointer = wal
      ? new SqliteCheckpointer({
          db,
          commitsPerCheckpoint: options.commitsPerCheckpoint ?? 100,
          busyTimeoutMs,
          onError: (error) => report(storeFailure('sqlite', 'checkpointing the WAL', error)),
        })
      : undefined;
    return { db, walSync, checkpointer };
  } catch (error) {
    db.close();
    throw storeFailure('sqlite', `opening ${options.path}`, error);
  }
}
