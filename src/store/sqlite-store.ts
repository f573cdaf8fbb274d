/**
 * The embedded, durable store (`STORE_URL=sqlite:PATH`, the default) on better-sqlite3.
 *
 * Durability: every write is one committed transaction before its promise resolves, with WAL and
 * `synchronous=FULL` by default, so an outbox entry acknowledged to a webhook survives a crash or
 * power loss. Writes that read first (enqueue, saveConversation, compareAndSet) run as
 * `BEGIN IMMEDIATE` transactions so two processes on one file serialise instead of deadlocking.
 * Garbage: expired claims and rows past the retention window are purged at open and on a timer.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import type { BridgeError } from '../core/errors.js';
import type { BotMessage } from '../core/bot-message.js';
import type { ConversationRecord, DeadLetter, OutboxEntry, SessionState, Store, Versioned } from './store.js';
import { resolveStoreLimits, type StoreClock, type StoreLimits, type StoreOptions } from './store-limits.js';
import {
  addressConflictError,
  decideAddressBinding,
  decodeOutboxEntry,
  encodeOutboxPayload,
  isBoundTo,
  outboxFullError,
  requireInteger,
  storeFailure,
  toJson,
} from './store-rules.js';
import { migrate, supportedSchemaVersion } from './sqlite-schema.js';
import { prepareStatements, type SqliteStatements } from './sqlite-statements.js';

/** Options of the SQLite store. */
export interface SqliteStoreOptions extends StoreOptions {
  /** The database file (its directory is created), or `:memory:`. */
  path: string;
  /** `FULL` (default) survives power loss; `NORMAL` survives a process crash and is faster. */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a write waits for another process's lock before failing. Default 5000. */
  busyTimeoutMs?: number;
  /** How often expired rows are purged. Default 60,000. */
  purgeIntervalMs?: number;
  /** Where a failed background purge is reported; default `process.emitWarning`. */
  onBackgroundError?: (error: BridgeError) => void;
}

/** Rows removed by one purge, per kind. */
export interface SqlitePurgeCounts {
  claims: number;
  conversations: number;
  bindings: number;
  records: number;
  lists: number;
  sequences: number;
}

/** The SQLite store. */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly db: BetterSqlite3.Database;
  private readonly sql: SqliteStatements;
  private readonly limits: StoreLimits;
  private readonly now: StoreClock;
  private readonly purgeTimer: NodeJS.Timeout;

  constructor(options: SqliteStoreOptions) {
    this.limits = resolveStoreLimits(options.limits);
    this.now = options.now ?? Date.now;
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 5000 });
    try {
      // Checked before switching to WAL, so a file from a newer bridge is left exactly as it was.
      supportedSchemaVersion(this.db);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      migrate(this.db);
      this.sql = prepareStatements(this.db);
      this.purgeExpired();
    } catch (error) {
      this.db.close();
      throw storeFailure('sqlite', `opening ${options.path}`, error);
    }
    const report = options.onBackgroundError ?? ((error: BridgeError) => process.emitWarning(error));
    this.purgeTimer = setInterval(() => this.purgeInBackground(report), options.purgeIntervalMs ?? 60_000);
    // The timer must not keep a process alive that has nothing else to do.
    this.purgeTimer.unref();
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    return this.run('getConversation', () => this.readConversation(id));
  }

  async findConversationByAddress(channel: string, key: string): Promise<ConversationRecord | undefined> {
    return this.run('findConversationByAddress', () => {
      const binding = this.sql.getBinding.get(channel, key, this.cutoff());
      const record = binding && this.readConversation(binding.conversation_id);
      return record && isBoundTo(record, channel, key) ? record : undefined;
    });
  }

  async saveConversation(record: ConversationRecord): Promise<void> {
    const json = toJson('Conversation record', record);
    const { channel, key } = record.address;
    return this.run('saveConversation', () =>
      this.db
        .transaction(() => {
          const now = this.now();
          const boundId = this.sql.getBinding.get(channel, key, this.cutoff())?.conversation_id;
          const binding = decideAddressBinding(record, boundId, this.boundSession(boundId, record.id));
          if (binding === 'conflict') throw addressConflictError(record, boundId ?? '');
          this.sql.upsertConversation.run(record.id, json, record.session, now);
          if (binding === 'bind') this.sql.upsertBinding.run(channel, key, record.id, now);
        })
        .immediate(),
    );
  }

  async claim(key: string, owner: string, ttlMs: number): Promise<boolean> {
    requireInteger('ttlMs', ttlMs, 1);
    return this.run('claim', () => {
      const now = this.now();
      return this.sql.claim.run(key, owner, now + ttlMs, now).changes === 1;
    });
  }

  async release(key: string, owner: string): Promise<void> {
    return this.run('release', () => void this.sql.release.run(key, owner));
  }

  async enqueue(conversationId: string, messages: BotMessage[], now: number): Promise<OutboxEntry[]> {
    const payloads = messages.map((message) => encodeOutboxPayload(message, now));
    if (payloads.length === 0) return [];
    return this.run('enqueue', () =>
      this.db
        .transaction(() => {
          const state = this.sql.outboxState.get(conversationId) ?? { pending: 0, last_seq: null };
          const limit = this.limits.maxPendingPerConversation;
          if (state.pending + payloads.length > limit) {
            throw outboxFullError(conversationId, state.pending, payloads.length, limit);
          }
          let seq = Math.max(this.sql.lastSeq.get(conversationId)?.last_seq ?? 0, state.last_seq ?? 0);
          const entries = payloads.map((payload) => {
            seq += 1;
            this.sql.insertEntry.run(conversationId, seq, payload, now);
            return decodeOutboxEntry(conversationId, seq, payload, 0);
          });
          this.sql.upsertLastSeq.run(conversationId, seq, this.now());
          return entries;
        })
        .immediate(),
    );
  }

  async pending(conversationId: string, limit: number): Promise<OutboxEntry[]> {
    requireInteger('limit', limit, 0);
    return this.run('pending', () =>
      this.sql.pending
        .all(conversationId, limit)
        .map((row) => decodeOutboxEntry(conversationId, row.seq, row.payload, row.attempts)),
    );
  }

  async recordAttempt(conversationId: string, seq: number): Promise<void> {
    return this.run('recordAttempt', () => void this.sql.recordAttempt.run(conversationId, seq));
  }

  async complete(conversationId: string, seq: number): Promise<void> {
    return this.run('complete', () => void this.sql.deleteEntry.run(conversationId, seq));
  }

  async deadLetter(conversationId: string, seq: number, reason: string, now: number): Promise<void> {
    return this.run('deadLetter', () =>
      this.db
        .transaction(() => {
          const entry = this.sql.getEntry.get(conversationId, seq);
          if (!entry) return;
          this.sql.deleteEntry.run(conversationId, seq);
          const { lastInsertRowid } = this.sql.insertDeadLetter.run(
            conversationId,
            seq,
            entry.payload,
            entry.attempts,
            reason,
            now,
          );
          this.sql.trimDeadLetters.run(Number(lastInsertRowid) - this.limits.maxDeadLetters);
        })
        .immediate(),
    );
  }

  async conversationsWithPending(limit: number): Promise<string[]> {
    requireInteger('limit', limit, 0);
    return this.run('conversationsWithPending', () =>
      this.sql.conversationsWithPending.all(limit).map((row) => row.conversation_id),
    );
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    requireInteger('limit', limit, 0);
    return this.run('deadLetters', () =>
      this.sql.deadLetters.all(limit).map((row) => ({
        ...decodeOutboxEntry(row.conversation_id, row.seq, row.payload, row.attempts),
        reason: row.reason,
        failedAt: row.failed_at,
      })),
    );
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
    return this.run('compareAndSet', () =>
      this.db
        .transaction(() => {
          const version = this.sql.getRecord.get(key, this.cutoff())?.version ?? 0;
          if (version !== expectedVersion) return undefined;
          this.sql.upsertRecord.run(key, json, version + 1, this.now());
          return version + 1;
        })
        .immediate(),
    );
  }

  async appendToList(key: string, item: string, maxItems: number): Promise<void> {
    requireInteger('maxItems', maxItems, 1);
    return this.run('appendToList', () =>
      this.db
        .transaction(() => {
          const items = [...this.readItems(key), item].slice(-maxItems);
          this.sql.upsertList.run(key, JSON.stringify(items), this.now());
        })
        .immediate(),
    );
  }

  async readList(key: string): Promise<string[]> {
    return this.run('readList', () => this.readItems(key));
  }

  async ping(): Promise<void> {
    return this.run('ping', () => void this.sql.ping.get());
  }

  async close(): Promise<void> {
    clearInterval(this.purgeTimer);
    if (this.db.open) this.db.close();
  }

  /** Deletes expired claims and rows past the retention window; returns how many of each. */
  purgeExpired(): SqlitePurgeCounts {
    const now = this.now();
    const cutoff = this.cutoff();
    return this.db.transaction(() => ({
      claims: this.sql.purgeClaims.run(now).changes,
      conversations: this.sql.purgeConversations.run(cutoff).changes,
      bindings: this.sql.purgeBindings.run(cutoff).changes,
      records: this.sql.purgeRecords.run(cutoff).changes,
      lists: this.sql.purgeLists.run(cutoff).changes,
      sequences: this.sql.purgeSequences.run(cutoff).changes,
    }))();
  }

  private purgeInBackground(report: (error: BridgeError) => void): void {
    try {
      this.purgeExpired();
    } catch (error) {
      report(storeFailure('sqlite', 'purging expired rows', error));
    }
  }

  private readConversation(id: string): ConversationRecord | undefined {
    const row = this.sql.getConversation.get(id, this.cutoff());
    return row && (JSON.parse(row.record) as ConversationRecord);
  }

  private boundSession(boundId: string | undefined, savingId: string): SessionState | undefined {
    if (boundId === undefined || boundId === savingId) return undefined;
    return this.sql.getConversation.get(boundId, this.cutoff())?.session as SessionState | undefined;
  }

  private readItems(key: string): string[] {
    const row = this.sql.getList.get(key, this.cutoff());
    return row ? (JSON.parse(row.items) as string[]) : [];
  }

  /** Rows touched at or before this time are past retention. */
  private cutoff(): number {
    return this.now() - this.limits.retentionMs;
  }

  /** Runs synchronous SQLite work; failures become `store_failed` naming the operation. */
  private run<T>(operation: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw storeFailure('sqlite', operation, error);
    }
  }
}
