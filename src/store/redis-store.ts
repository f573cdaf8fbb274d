/**
 * The shared store for several replicas (`STORE_URL=redis://...` or `rediss://...`) on ioredis.
 * Every operation that decides something is one atomic command or Lua script (redis-scripts.ts).
 * Time is Redis's own: TTLs are PX expiries, so the `now` option does not apply here.
 * A dead Redis fails fast: each command times out, connecting times out, and a command is
 * retried over at most one reconnection.
 */
import { Redis } from 'ioredis';
import type { BotMessage } from '../core/bot-message.js';
import { BridgeError } from '../core/errors.js';
import type { ConversationRecord, DeadLetter, OutboxEntry, Store, Versioned } from './store.js';
import { resolveStoreLimits, type StoreLimits, type StoreOptions } from './store-limits.js';
import {
  addressConflictError,
  decodeOutboxEntry,
  encodeOutboxPayload,
  isBoundTo,
  outboxFullError,
  requireInteger,
  storeFailure,
  toJson,
  type StoredOutboxPayload,
} from './store-rules.js';
import { REDIS_SCRIPTS, type RedisScriptCommands } from './redis-scripts.js';

/** Options of the Redis store. */
export interface RedisStoreOptions extends Omit<StoreOptions, 'now'> {
  /** `redis://[:password@]host:port/db` or `rediss://` for TLS. */
  url: string;
  /** Prefix of every key, so several bridges or test runs share one Redis. Default `bridge:`. */
  keyPrefix?: string;
  /** Default 2000. */
  commandTimeoutMs?: number;
  /** Default 2000. */
  connectTimeoutMs?: number;
  /** Called on each connection error (the failure also reaches the commands that hit it). */
  onConnectionError?: (error: Error) => void;
}

/** The metadata of a dead letter, as the dead-letter script stores it beside the entry. */
interface DeadLetterMeta {
  conversationId: string;
  seq: number;
  reason: string;
  failedAt: number;
}

/** The Redis store. */
export class RedisStore implements Store {
  readonly kind = 'redis';
  private readonly client: Redis & RedisScriptCommands;
  private readonly limits: StoreLimits;
  private readonly prefix: string;
  private lastConnectionError: Error | undefined;

  constructor(options: RedisStoreOptions) {
    this.limits = resolveStoreLimits(options.limits);
    this.prefix = options.keyPrefix ?? 'bridge:';
    const client = new Redis(options.url, {
      commandTimeout: options.commandTimeoutMs ?? 2000,
      connectTimeout: options.connectTimeoutMs ?? 2000,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    client.on('error', (error: Error) => {
      this.lastConnectionError = error;
      options.onConnectionError?.(error);
    });
    for (const [name, script] of Object.entries(REDIS_SCRIPTS)) client.defineCommand(name, script);
    // defineCommand adds the script commands at run time; the cast tells the compiler they exist.
    this.client = client as Redis & RedisScriptCommands;
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    return this.run('getConversation', async () => {
      const json = await this.client.hget(this.key('conv', id), 'r');
      return json === null ? undefined : (JSON.parse(json) as ConversationRecord);
    });
  }

  async findConversationByAddress(channel: string, key: string): Promise<ConversationRecord | undefined> {
    return this.run('findConversationByAddress', async () => {
      const id = await this.client.get(this.threadKey(channel, key));
      const record = id === null ? undefined : await this.getConversation(id);
      return record && isBoundTo(record, channel, key) ? record : undefined;
    });
  }

  async saveConversation(record: ConversationRecord): Promise<void> {
    const json = toJson('Conversation record', record);
    const { channel, key } = record.address;
    return this.run('saveConversation', async () => {
      const [saved, boundId] = (await this.client.bridgeSaveConversation(
        this.threadKey(channel, key),
        this.key('conv', record.id),
        record.id,
        json,
        record.session,
        this.limits.retentionMs,
        this.key('conv', ''),
      )) as [number, string?];
      if (saved !== 1) throw addressConflictError(record, boundId ?? '');
    });
  }

  async claim(key: string, owner: string, ttlMs: number): Promise<boolean> {
    requireInteger('ttlMs', ttlMs, 1);
    return this.run('claim', async () => (await this.client.set(this.key('claim', key), owner, 'PX', ttlMs, 'NX')) === 'OK');
  }

  async release(key: string, owner: string): Promise<void> {
    return this.run('release', async () => void (await this.client.bridgeRelease(this.key('claim', key), owner)));
  }

  async enqueue(conversationId: string, messages: BotMessage[], now: number): Promise<OutboxEntry[]> {
    const payloads = messages.map((message) => encodeOutboxPayload(message, now));
    if (payloads.length === 0) return [];
    const limit = this.limits.maxPendingPerConversation;
    return this.run('enqueue', async () => {
      const [first, pendingCount] = (await this.client.bridgeEnqueue(
        this.key('outbox-seq', conversationId),
        this.key('outbox', conversationId),
        this.key('outbox-entries', conversationId),
        this.key('outbox-pending'),
        limit,
        conversationId,
        now,
        this.limits.retentionMs,
        ...payloads,
      )) as [number, number?];
      if (first < 0) throw outboxFullError(conversationId, pendingCount ?? 0, payloads.length, limit);
      return payloads.map((payload, index) => decodeOutboxEntry(conversationId, first + index, payload, 0));
    });
  }

  async pending(conversationId: string, limit: number): Promise<OutboxEntry[]> {
    requireInteger('limit', limit, 0);
    if (limit === 0) return [];
    return this.run('pending', async () => {
      const flat = (await this.client.bridgePending(
        this.key('outbox', conversationId),
        this.key('outbox-entries', conversationId),
        limit,
      )) as string[];
      const entries: OutboxEntry[] = [];
      for (let index = 0; index + 2 < flat.length; index += 3) {
        const [seq, payload, attempts] = flat.slice(index, index + 3) as [string, string, string];
        entries.push(decodeOutboxEntry(conversationId, Number(seq), payload, Number(attempts)));
      }
      return entries;
    });
  }

  async recordAttempt(conversationId: string, seq: number): Promise<void> {
    return this.run('recordAttempt', async () => {
      await this.client.bridgeRecordAttempt(this.key('outbox-entries', conversationId), seq);
    });
  }

  async complete(conversationId: string, seq: number): Promise<void> {
    return this.run('complete', () => this.takeEntry(conversationId, seq, ''));
  }

  async deadLetter(conversationId: string, seq: number, reason: string, now: number): Promise<void> {
    const meta = toJson('Dead letter', { conversationId, seq, reason, failedAt: now } satisfies DeadLetterMeta);
    return this.run('deadLetter', () => this.takeEntry(conversationId, seq, meta));
  }

  async conversationsWithPending(limit: number): Promise<string[]> {
    requireInteger('limit', limit, 0);
    if (limit === 0) return [];
    return this.run('conversationsWithPending', () => this.client.zrange(this.key('outbox-pending'), 0, limit - 1));
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    requireInteger('limit', limit, 0);
    if (limit === 0) return [];
    return this.run('deadLetters', async () => {
      const stored = await this.client.lrange(this.key('dead-letters'), 0, limit - 1);
      return stored.map((json) => {
        const { meta, attempts, entry } = JSON.parse(json) as {
          meta: DeadLetterMeta;
          attempts: number;
          entry: StoredOutboxPayload;
        };
        const { conversationId, seq, reason, failedAt } = meta;
        return { conversationId, seq, message: entry.message, enqueuedAt: entry.enqueuedAt, attempts, reason, failedAt };
      });
    });
  }

  async getRecord<T>(key: string): Promise<Versioned<T> | undefined> {
    return this.run('getRecord', async () => {
      const [version, json] = await this.client.hmget(this.key('record', key), 'v', 'd');
      if (version == null || json == null) return undefined;
      return { value: JSON.parse(json) as T, version: Number(version) };
    });
  }

  async compareAndSet<T>(key: string, expectedVersion: number, value: T): Promise<number | undefined> {
    requireInteger('expectedVersion', expectedVersion, 0);
    const json = toJson(`Record ${key}`, value);
    return this.run('compareAndSet', async () => {
      const recordKey = this.key('record', key);
      const version = (await this.client.bridgeCompareAndSet(recordKey, expectedVersion, json, this.limits.retentionMs)) as number;
      return version < 0 ? undefined : version;
    });
  }

  async appendToList(key: string, item: string, maxItems: number): Promise<void> {
    requireInteger('maxItems', maxItems, 1);
    return this.run('appendToList', async () => {
      await this.client.bridgeAppendToList(this.key('list', key), item, maxItems, this.limits.retentionMs);
    });
  }

  async readList(key: string): Promise<string[]> {
    return this.run('readList', () => this.client.lrange(this.key('list', key), 0, -1));
  }

  async ping(): Promise<void> {
    try {
      await this.client.ping();
    } catch (error) {
      const connection = this.lastConnectionError ? ` (last connection error: ${this.lastConnectionError.message})` : '';
      throw new BridgeError('store_failed', `redis store: ping failed: ${errorMessage(error)}${connection}`, {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    // QUIT lets queued replies arrive; without a live connection there is nothing to wait for.
    if (this.client.status === 'ready') await this.client.quit();
    else this.client.disconnect();
  }

  private async takeEntry(conversationId: string, seq: number, deadLetterMeta: string): Promise<void> {
    await this.client.bridgeTakeEntry(
      this.key('outbox', conversationId),
      this.key('outbox-entries', conversationId),
      this.key('outbox-pending'),
      this.key('dead-letters'),
      seq,
      conversationId,
      deadLetterMeta,
      this.limits.maxDeadLetters,
    );
  }

  private key(kind: string, id?: string): string {
    return id === undefined ? `${this.prefix}${kind}` : `${this.prefix}${kind}:${id}`;
  }

  /** The channel is escaped so a ':' in it cannot make two threads share a key. */
  private threadKey(channel: string, key: string): string {
    return this.key('thread', `${encodeURIComponent(channel)}:${key}`);
  }

  private async run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw storeFailure('redis', operation, error);
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
