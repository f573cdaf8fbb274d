/**
 * The shared store for several replicas (`STORE_URL=redis://...` or `rediss://...`) on ioredis.
 * The outbox lives in redis-outbox.ts; this file connects and adds conversations, claims and
 * records. Every operation that decides something is one atomic command or Lua script
 * (redis-scripts.ts, redis-outbox-scripts.ts). Time is Redis's own: TTLs are PX expiries, so the
 * `now` option does not apply here.
 *
 * A dead or frozen Redis fails fast: each command times out, connecting times out, and a command
 * is retried over at most one reconnection. Such a failure is StoreUnavailableError, since the
 * command may still have run (redis-failures.ts).
 */
import { Redis } from 'ioredis';
import type { ConversationRecord, CreateConversationResult, Store, Versioned } from './store.js';
import { resolveStoreLimits, type StoreOptions } from './store-limits.js';
import { requireInteger, toJson } from './store-rules.js';
import { REDIS_SCRIPTS } from './redis-scripts.js';
import { REDIS_OUTBOX_SCRIPTS } from './redis-outbox-scripts.js';
import { RedisOutbox, type RedisStoreClient } from './redis-outbox.js';
import { redisFailure } from './redis-failures.js';

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

/** The Redis store. */
export class RedisStore extends RedisOutbox implements Store {
  readonly kind = 'redis';
  private lastConnectionError: Error | undefined;

  constructor(options: RedisStoreOptions) {
    super(createClient(options), resolveStoreLimits(options.limits), options.keyPrefix ?? 'bridge:');
    this.client.on('error', (error: Error) => {
      this.lastConnectionError = error;
      options.onConnectionError?.(error);
    });
  }

  async getConversation(id: string): Promise<Versioned<ConversationRecord> | undefined> {
    return this.run('getConversation', async () => {
      const [json, version] = await this.client.hmget(this.key('conv', id), 'r', 'v');
      return json == null ? undefined : versioned(json, version);
    });
  }

  async findConversationByAddress(channel: string, key: string): Promise<Versioned<ConversationRecord> | undefined> {
    return this.run('findConversationByAddress', async () => {
      const [json, version] = (await this.client.bridgeFindConversationByAddress(
        this.threadKey(channel, key),
        this.key('conv', ''),
      )) as [string?, string?];
      return json === undefined ? undefined : versioned(json, version);
    });
  }

  async createConversation(record: ConversationRecord): Promise<CreateConversationResult> {
    const json = toJson('Conversation record', record);
    const { channel, key } = record.address;
    return this.run('createConversation', async (): Promise<CreateConversationResult> => {
      const [created, storedJson, version] = (await this.client.bridgeCreateConversation(
        this.threadKey(channel, key),
        this.key('conv', record.id),
        record.id,
        json,
        record.session,
        this.limits.retentionMs,
        this.key('conv', ''),
      )) as [number, string?, string?];
      if (created === 1) return { created: true, version: 1 };
      return { created: false, existing: versioned(storedJson!, version ?? null) };
    });
  }

  async updateConversation(record: ConversationRecord, expectedVersion: number): Promise<number | undefined> {
    requireInteger('expectedVersion', expectedVersion, 0);
    const json = toJson('Conversation record', record);
    const { channel, key } = record.address;
    return this.run('updateConversation', async () => {
      const version = (await this.client.bridgeUpdateConversation(
        this.key('conv', record.id),
        this.threadKey(channel, key),
        expectedVersion,
        json,
        record.session,
        this.limits.retentionMs,
        record.id,
      )) as number;
      return version < 0 ? undefined : version;
    });
  }

  async claim(key: string, owner: string, ttlMs: number): Promise<boolean> {
    requireInteger('ttlMs', ttlMs, 1);
    return this.run('claim', async () => (await this.client.set(this.key('claim', key), owner, 'PX', ttlMs, 'NX')) === 'OK');
  }

  async release(key: string, owner: string): Promise<void> {
    return this.run('release', async () => void (await this.client.bridgeRelease(this.key('claim', key), owner)));
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
    return this.run('ping', async () => {
      try {
        await this.client.ping();
      } catch (error) {
        const last = this.lastConnectionError;
        throw redisFailure('ping', error, last ? ` (last connection error: ${last.message})` : '');
      }
    });
  }

  async close(): Promise<void> {
    // A second QUIT would fail on the connection the first one is closing.
    if (this.closed) return;
    this.closed = true;
    // QUIT lets queued replies arrive; without a live connection there is nothing to wait for.
    if (this.client.status === 'ready') await this.client.quit();
    else this.client.disconnect();
  }

  /** The channel is escaped so a ':' in it cannot make two threads share a key. */
  private threadKey(channel: string, key: string): string {
    return this.key('thread', `${encodeURIComponent(channel)}:${key}`);
  }
}

/** A client with the store's scripts defined; it connects in the background. */
function createClient(options: RedisStoreOptions): RedisStoreClient {
  const client = new Redis(options.url, {
    commandTimeout: options.commandTimeoutMs ?? 2000,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    // A command written before the connection broke may have run: sent again after the reconnect
    // it would run twice (a claim would then find its own key and drop the event, an enqueue
    // without a dedupe key would append twice). Not resent, it times out as outcome unknown (503,
    // the sender retries, the claim is released), which every caller handles.
    autoResendUnfulfilledCommands: false,
    // enableAutoPipelining stays off: its Pipeline object per tick, one in flight at a time,
    // measured 0.8-0.9x of writing each command at once on bench/store-throughput.ts (0.7x for a
    // single caller). The store batches a tick's writes on the socket instead (RedisOutbox.run).
  });
  for (const [name, script] of Object.entries({ ...REDIS_SCRIPTS, ...REDIS_OUTBOX_SCRIPTS })) {
    client.defineCommand(name, script);
  }
  // defineCommand adds the script commands at run time; the cast tells the compiler they exist.
  return client as RedisStoreClient;
}

/** A stored conversation; a record from before versions existed counts as version 1. */
function versioned(json: string, version: string | null | undefined): Versioned<ConversationRecord> {
  return { value: JSON.parse(json) as ConversationRecord, version: Number(version ?? 1) };
}
