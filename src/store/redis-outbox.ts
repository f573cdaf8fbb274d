/**
 * The outbox half of the Redis store: every operation that decides something is one Lua script
 * (redis-outbox-scripts.ts, which also holds the key layout), so replicas sharing one Redis agree
 * on seqs, dedupe, leases and dead letters. RedisStore (redis-store.ts) extends it with
 * conversations, claims and records. Lease and dedupe expiry use Redis's own clock (PX).
 */
import type { Redis } from 'ioredis';
import { BridgeError, LeaseLostError } from '../core/errors.js';
import {
  destinations,
  type AcquiredLease,
  type DeadLetter,
  type Destination,
  type EnqueueDedupe,
  type EnqueueResult,
  type Json,
  type Lease,
  type ListAppend,
  type OutboxDepth,
  type OutboxEntry,
  type OutboxStore,
  type QueueRef,
} from './store.js';
import type { StoreLimits } from './store-limits.js';
import {
  decodeDeadLetter,
  decodeEntry,
  outboxFullError,
  parseDeadLetterId,
  queueName,
  requireInteger,
  requireQueue,
  toJson,
} from './store-rules.js';
import type { REDIS_SCRIPTS, RedisScriptCommands } from './redis-scripts.js';
import type { REDIS_OUTBOX_SCRIPTS } from './redis-outbox-scripts.js';
import { redisFailure } from './redis-failures.js';

/** An ioredis client with the store's script commands defined. */
export type RedisStoreClient = Redis & RedisScriptCommands<typeof REDIS_SCRIPTS & typeof REDIS_OUTBOX_SCRIPTS>;

/** Fields per dead letter in the read script's flat answer. */
const DEAD_LETTER_WIDTH = 10;

/** The outbox of the Redis store. */
export class RedisOutbox implements OutboxStore {
  protected closed = false;
  /** The connection whose writes are held back until the end of this tick, if any. */
  private corked: Redis['stream'] | undefined;

  protected constructor(
    protected readonly client: RedisStoreClient,
    protected readonly limits: StoreLimits,
    private readonly prefix: string,
  ) {}

  async enqueue(queue: QueueRef, payloads: Json[], now: number, dedupe?: EnqueueDedupe, appends: readonly ListAppend[] = []): Promise<EnqueueResult> {
    requireQueue(queue);
    if (dedupe) requireInteger('dedupe.ttlMs', dedupe.ttlMs, 1);
    for (const append of appends) requireInteger('maxItems', append.maxItems, 1);
    const texts = payloads.map((payload) => toJson('Outbox payload', payload));
    const limit = this.limits.maxPendingPerConversation;
    const keys = [...this.queueKeys(queue), dedupe ? this.key('dedupe', dedupe.key) : this.key('dedupe'), ...appends.map((append) => this.key('list', append.key))];
    return this.run('enqueue', async (): Promise<EnqueueResult> => {
      const [first, pending] = (await this.client.bridgeEnqueue(
        keys.length,
        ...keys,
        limit,
        queue.key,
        queue.destination,
        now,
        this.limits.retentionMs,
        dedupe?.ttlMs ?? 0,
        texts.length,
        ...texts,
        ...appends.flatMap((append) => [append.item, append.maxItems]),
      )) as [number, number?];
      if (first === -2) return { status: 'duplicate' };
      if (first === -1) throw outboxFullError(queue, pending ?? 0, texts.length, limit);
      return { status: 'queued', seqs: texts.map((_, index) => first + index) };
    });
  }

  async acquireLease(queue: QueueRef, ttlMs: number, limit: number): Promise<AcquiredLease | undefined> {
    requireQueue(queue);
    requireInteger('ttlMs', ttlMs, 1);
    requireInteger('limit', limit, 0);
    const [, queueKey, entriesKey] = this.queueKeys(queue);
    return this.run('acquireLease', async () => {
      const [token, ...head] = (await this.client.bridgeAcquireLease(
        this.leaseKey('lease-held', queue),
        this.leaseKey('lease', queue),
        this.key('lease-token'),
        queueKey,
        entriesKey,
        ttlMs,
        ttlMs + this.limits.retentionMs,
        limit,
      )) as [number, ...string[]];
      if (token === 0) return undefined;
      return { lease: { queue: { destination: queue.destination, key: queue.key }, token }, entries: decodeHead(queue, head) };
    });
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<boolean> {
    requireInteger('ttlMs', ttlMs, 1);
    return this.run('renewLease', async () => {
      const renewed = await this.client.bridgeRenewLease(
        this.leaseKey('lease', lease.queue),
        this.leaseKey('lease-held', lease.queue),
        lease.token,
        ttlMs,
        ttlMs + this.limits.retentionMs,
      );
      return renewed === 1;
    });
  }

  async releaseLease(lease: Lease, completed?: number): Promise<boolean> {
    const [, queueKey, entriesKey, pendingKey, depthKey] = this.queueKeys(lease.queue);
    return this.run('releaseLease', async () => {
      const pending = await this.client.bridgeReleaseLease(
        this.leaseKey('lease', lease.queue),
        this.leaseKey('lease-held', lease.queue),
        queueKey,
        entriesKey,
        pendingKey,
        depthKey,
        lease.token,
        completed ?? '',
        lease.queue.key,
        lease.queue.destination,
      );
      if (pending === -1) throw new LeaseLostError(queueName(lease.queue), lease.token);
      return pending === 1;
    });
  }

  async pending(queue: QueueRef, limit: number): Promise<OutboxEntry[]> {
    requireInteger('limit', limit, 0);
    if (limit === 0) return [];
    const [, queueKey, entriesKey] = this.queueKeys(queue);
    return this.run('pending', async () => decodeHead(queue, (await this.client.bridgePending(queueKey, entriesKey, limit)) as string[]));
  }

  async recordAttempt(lease: Lease, seq: number): Promise<void> {
    const [, , entriesKey] = this.queueKeys(lease.queue);
    return this.fenced('recordAttempt', lease, () =>
      this.client.bridgeRecordAttempt(this.leaseKey('lease', lease.queue), entriesKey, lease.token, seq),
    );
  }

  async saveProgress(lease: Lease, seq: number, progress: Json, append?: ListAppend): Promise<void> {
    const json = toJson('Progress', progress);
    const [, , entriesKey] = this.queueKeys(lease.queue);
    const leaseKey = this.leaseKey('lease', lease.queue);
    if (!append) return this.fenced('saveProgress', lease, () => this.client.bridgeSaveProgress(leaseKey, entriesKey, lease.token, seq, json));
    requireInteger('maxItems', append.maxItems, 1);
    return this.fenced('saveProgress', lease, () =>
      this.client.bridgeSaveProgressAndAppend(leaseKey, entriesKey, this.key('list', append.key), lease.token, seq, json, append.item, append.maxItems, this.limits.retentionMs),
    );
  }

  async complete(lease: Lease, seq: number): Promise<void> {
    return this.takeEntry('complete', 'complete', lease, seq, '', 0);
  }

  async deadLetter(lease: Lease, seq: number, reason: string, now: number): Promise<void> {
    return this.takeEntry('deadLetter', 'dead', lease, seq, reason, now);
  }

  async queuesWithPending(limit: number): Promise<QueueRef[]> {
    requireInteger('limit', limit, 0);
    if (limit === 0) return [];
    return this.run('queuesWithPending', async () => {
      const multi = this.client.multi();
      for (const destination of destinations) {
        multi.zrange(this.key('outbox-pending', destination), 0, limit - 1, 'WITHSCORES');
      }
      const heads = (await execAll(multi)).flatMap((reply, index) => scoredMembers(destinations[index]!, reply));
      // The order SQLite's ORDER BY enqueued_at, destination, queue_key gives.
      heads.sort((a, b) => a.score - b.score || a.rank - b.rank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return heads.slice(0, limit).map(({ destination, key }) => ({ destination, key }));
    });
  }

  async outboxDepths(): Promise<OutboxDepth[]> {
    return this.run('outboxDepths', async () => {
      const multi = this.client.multi().hmget(this.key('outbox-depth'), ...destinations);
      for (const destination of destinations) multi.zrange(this.key('outbox-pending', destination), 0, 0, 'WITHSCORES');
      const [depths, ...oldest] = await execAll(multi);
      return destinations.map((destination, index) => {
        const depth = Number((depths as (string | null)[])[index] ?? 0);
        const head = scoredMembers(destination, oldest[index])[0];
        return depth > 0 && head ? { destination, depth, oldestEnqueuedAt: head.score } : { destination, depth: 0 };
      });
    });
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    requireInteger('limit', limit, 0);
    if (limit === 0) return [];
    return this.run('deadLetters', () => this.readDeadLetters('list', limit));
  }

  async getDeadLetter(id: string): Promise<DeadLetter | undefined> {
    const number = parseDeadLetterId(id);
    if (number === undefined) return undefined;
    return this.run('getDeadLetter', async () => (await this.readDeadLetters('get', number))[0]);
  }

  async replayDeadLetter(id: string, now: number): Promise<OutboxEntry | undefined> {
    const letter = await this.getDeadLetter(id);
    if (!letter) return undefined;
    const { destination, key, payload, progress } = letter;
    const limit = this.limits.maxPendingPerConversation;
    return this.run('replayDeadLetter', async () => {
      // The script checks again that the dead letter is there: another replica may have replayed it.
      const [status, seqOrPending] = (await this.client.bridgeReplayDeadLetter(
        ...this.deadLetterKeys(),
        ...this.queueKeys({ destination, key }),
        letter.id,
        limit,
        now,
        this.limits.retentionMs,
      )) as [number, number?];
      if (status === 0) return undefined;
      if (status === -1) throw outboxFullError({ destination, key }, seqOrPending ?? 0, 1, limit);
      const entry: OutboxEntry = { destination, key, seq: seqOrPending!, payload, enqueuedAt: now, attempts: 0 };
      if (progress !== undefined) entry.progress = progress;
      return entry;
    });
  }

  async purgeDeadLetters(): Promise<number> {
    return this.run('purgeDeadLetters', async () => (await this.client.bridgePurgeDeadLetters(...this.deadLetterKeys())) as number);
  }

  protected key(kind: string, id?: string): string {
    return id === undefined ? `${this.prefix}${kind}` : `${this.prefix}${kind}:${id}`;
  }

  /** Runs Redis work; failures become `store_unavailable` (outcome unknown) or `store_failed`. */
  protected async run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new BridgeError('store_failed', `redis store: ${operation} failed: the store is closed`);
    this.writeWithThisTick();
    try {
      return await work();
    } catch (error) {
      throw redisFailure(operation, error);
    }
  }

  /**
   * Pipelining: ioredis writes each command when it is sent; corking the connection until the
   * next `process.nextTick` queue runs sends the commands written before then (from promise
   * reactions: the whole reaction queue) in one socket write instead of one write per command
   * (one system call each, and on loopback the receiving side's work too), as Node batches the
   * writes of an HTTP response. Commands still go out in the order they were sent.
   */
  private writeWithThisTick(): void {
    const stream = this.client.stream;
    if (!stream || stream === this.corked) return;
    this.corked = stream;
    stream.cork();
    process.nextTick(() => {
      this.corked = undefined;
      stream.uncork();
    });
  }

  /** seq counter, queue, entries, pending set and depth hash of a queue, in the scripts' KEYS order. */
  private queueKeys(queue: QueueRef): [string, string, string, string, string] {
    const name = queueName(queue);
    return [
      this.key('outbox-seq', name),
      this.key('outbox', name),
      this.key('outbox-entries', name),
      this.key('outbox-pending', queue.destination),
      this.key('outbox-depth'),
    ];
  }

  private leaseKey(kind: 'lease' | 'lease-held', queue: QueueRef): string {
    return this.key(kind, queueName(queue));
  }

  private deadLetterKeys(): [string, string] {
    return [this.key('dead-letters'), this.key('dead-letter-fields')];
  }

  private async fenced(operation: string, lease: Lease, script: () => Promise<unknown>): Promise<void> {
    return this.run(operation, async () => {
      if ((await script()) === -1) throw new LeaseLostError(queueName(lease.queue), lease.token);
    });
  }

  private async takeEntry(
    operation: string,
    mode: 'complete' | 'dead',
    lease: Lease,
    seq: number,
    reason: string,
    now: number,
  ): Promise<void> {
    const [, queueKey, entriesKey, pendingKey, depthKey] = this.queueKeys(lease.queue);
    return this.fenced(operation, lease, () =>
      this.client.bridgeTakeEntry(
        this.leaseKey('lease', lease.queue),
        queueKey,
        entriesKey,
        pendingKey,
        depthKey,
        ...this.deadLetterKeys(),
        this.key('dead-letter-id'),
        lease.token,
        seq,
        lease.queue.key,
        lease.queue.destination,
        mode,
        reason,
        now,
        this.limits.maxDeadLetters,
      ),
    );
  }

  private async readDeadLetters(mode: 'list' | 'get', limitOrId: number): Promise<DeadLetter[]> {
    const flat = (await this.client.bridgeReadDeadLetters(...this.deadLetterKeys(), mode, limitOrId)) as string[];
    const letters: DeadLetter[] = [];
    for (let index = 0; index + DEAD_LETTER_WIDTH <= flat.length; index += DEAD_LETTER_WIDTH) {
      const [id, destination, key, seq, payload, enqueuedAt, attempts, progress, reason, failedAt] = flat.slice(
        index,
        index + DEAD_LETTER_WIDTH,
      ) as string[];
      letters.push(
        decodeDeadLetter({
          id: Number(id),
          destination: destination as Destination,
          key: key!,
          seq: Number(seq),
          payload: payload!,
          enqueuedAt: Number(enqueuedAt),
          attempts: Number(attempts),
          progress: progress === '' ? null : progress,
          reason: reason!,
          failedAt: Number(failedAt),
        }),
      );
    }
    return letters;
  }
}

/** The replies of a MULTI, failing with the first command's error. */
async function execAll(multi: ReturnType<Redis['multi']>): Promise<unknown[]> {
  const replies = await multi.exec();
  if (replies === null) throw new Error('MULTI was aborted');
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

/** Entries as the scripts' HEAD_LUA gives them: flat [seq, payload, enqueuedAt, attempts, progress or '', ...]. */
function decodeHead(queue: QueueRef, flat: string[]): OutboxEntry[] {
  const entries: OutboxEntry[] = [];
  for (let index = 0; index + 4 < flat.length; index += 5) {
    const progress = flat[index + 4]!;
    entries.push(
      decodeEntry(queue, {
        seq: Number(flat[index]),
        payload: flat[index + 1]!,
        enqueuedAt: Number(flat[index + 2]),
        attempts: Number(flat[index + 3]),
        progress: progress === '' ? null : progress,
      }),
    );
  }
  return entries;
}

/** A ZRANGE WITHSCORES reply of a destination's pending set as queue heads. */
function scoredMembers(destination: Destination, reply: unknown) {
  const flat = reply as string[];
  const rank = destinations.indexOf(destination);
  const heads: { destination: Destination; key: string; score: number; rank: number }[] = [];
  for (let index = 0; index + 1 < flat.length; index += 2) {
    heads.push({ destination, key: flat[index]!, score: Number(flat[index + 1]), rank });
  }
  return heads;
}
