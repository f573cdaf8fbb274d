/**
 * The Redis store against the real Redis at 127.0.0.1:6379 (CI always runs one): the
 * conformance suite, each fixture under its own key prefix inside this run's prefix, with a
 * second client on the same prefix as the peer replica. Redis keeps real time, so TTL cases
 * use tiny TTLs and poll. Every key this run wrote is deleted afterwards. What a hung or dead
 * Redis does runs against a private redis-server (test/support/private-redis.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/core/errors.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';
import { describeStoreConformance } from './store-conformance.js';
import { leaseOf } from './conformance/fixture.js';
import { conversation, message, queue } from './conformance/samples.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const runPrefix = `bridge-test:${randomUUID()}:`;
let fixtures = 0;
const admin = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0 });

async function keysMatching(pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await admin.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

beforeAll(async () => {
  try {
    await admin.connect();
    await admin.ping();
  } catch (error) {
    throw new Error(
      `Redis at ${REDIS_URL} is unreachable (${(error as Error).message}): the Redis store tests need a real ` +
        'Redis server; start one (redis-server) before running them',
    );
  }
});

afterAll(async () => {
  if (admin.status !== 'ready') return;
  const keys = await keysMatching(`${runPrefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
});

describeStoreConformance('redis', async (limits) => {
  const options = { url: REDIS_URL, keyPrefix: `${runPrefix}${++fixtures}:`, limits };
  return { store: new RedisStore(options), openPeer: () => new RedisStore(options) };
});

describe('redis store specifics', () => {
  it('keeps every key under its prefix, so stores with other prefixes do not see each other', async () => {
    const marker = randomUUID();
    const mine = new RedisStore({ url: REDIS_URL, keyPrefix: `${runPrefix}mine:` });
    const theirs = new RedisStore({ url: REDIS_URL, keyPrefix: `${runPrefix}theirs:` });
    try {
      await mine.createConversation(conversation(marker, 'active', { channel: 'slack', key: marker }));
      await mine.claim(marker, 'owner', 60_000);
      await mine.enqueue(queue(marker), [message('a'), message('b')], 1, { key: marker, ttlMs: 60_000 });
      const lease = await leaseOf(mine, queue(marker));
      await mine.recordAttempt(lease, 1);
      await mine.saveProgress(lease, 2, { marker });
      await mine.deadLetter(lease, 1, 'failed', 2);
      await mine.compareAndSet(marker, 0, { marker });
      await mine.appendToList(marker, 'item', 5);
      const written = await keysMatching(`*${marker}*`);
      expect(written.length).toBeGreaterThanOrEqual(10);
      expect(written.filter((key) => !key.startsWith(`${runPrefix}mine:`))).toEqual([]);
      expect(await theirs.getConversation(marker)).toBeUndefined();
      expect(await theirs.pending(queue(marker), 10)).toEqual([]);
      expect(await theirs.claim(marker, 'other', 60_000)).toBe(true);
      expect(await theirs.acquireLease(queue(marker), 60_000, 0)).toBeDefined();
      expect(await theirs.enqueue(queue(marker), [message('a')], 1, { key: marker, ttlMs: 60_000 })).toMatchObject({ status: 'queued' });
      expect(await theirs.deadLetters(10)).toEqual([]);
      expect((await theirs.outboxDepths())[1]).toEqual({ destination: 'conversation', depth: 1, oldestEnqueuedAt: 1 });
    } finally {
      await mine.close();
      await theirs.close();
    }
  });

  it('keeps store_failed for an error Redis answers (a key of the wrong type)', async () => {
    const keyPrefix = `${runPrefix}wrongtype:`;
    await admin.set(`${keyPrefix}conv:c-1`, 'not a hash');
    const store = new RedisStore({ url: REDIS_URL, keyPrefix });
    try {
      await expect(store.getConversation('c-1')).rejects.toMatchObject({
        code: 'store_failed',
        message: expect.stringMatching(/redis store: getConversation failed: WRONGTYPE/),
      });
    } finally {
      await store.close();
    }
  });

  it('finds a thread\'s conversation in one script: a record from before versions is version 1, a vanished record is none', async () => {
    const keyPrefix = `${runPrefix}lookup:`;
    const record = conversation('c-old', 'active', { channel: 'slack', key: 'T1:C1:old' });
    await admin.set(`${keyPrefix}thread:slack:T1:C1:old`, 'c-old');
    await admin.hset(`${keyPrefix}conv:c-old`, 'r', JSON.stringify(record), 's', 'active');
    await admin.set(`${keyPrefix}thread:slack:T1:C1:gone`, 'c-gone');
    const store = new RedisStore({ url: REDIS_URL, keyPrefix });
    try {
      expect(await store.findConversationByAddress('slack', 'T1:C1:old')).toEqual({ value: record, version: 1 });
      expect(await store.findConversationByAddress('slack', 'T1:C1:gone')).toBeUndefined();
      expect(await store.findConversationByAddress('slack', 'T1:C1:never')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('sends the commands of one tick in one write, in order, and the ones of later ticks after it', async () => {
    const store = new RedisStore({ url: REDIS_URL, keyPrefix: `${runPrefix}tick:` });
    try {
      const ids = Array.from({ length: 10 }, (_, index) => `c-tick-${index}`);
      for (const id of ids) await store.createConversation(conversation(id, 'active', { channel: 'slack', key: `T1:${id}` }));
      const writes = countSocketWrites((store as unknown as { client: Redis }).client.stream);
      // Ten operations started in one tick: one write of ten commands, and each answer is its own.
      const found = await Promise.all(ids.map((id) => store.findConversationByAddress('slack', `T1:${id}`)));
      expect(found.map((record) => record?.value.id)).toEqual(ids);
      expect(writes.calls).toEqual([10]);
      // One after another, each waiting for the last: a write each.
      writes.calls.length = 0;
      for (const id of ids.slice(0, 3)) expect((await store.getConversation(id))?.value.id).toBe(id);
      expect(writes.calls).toEqual([1, 1, 1]);
    } finally {
      await store.close();
    }
  });

  it('fails fast with store_unavailable when Redis cannot be reached', { timeout: 15_000 }, async () => {
    const store = new RedisStore({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 300, connectTimeoutMs: 300 });
    try {
      await expect(store.ping()).rejects.toMatchObject({
        code: 'store_unavailable',
        message: expect.stringContaining('redis store: ping did not complete'),
      });
      await expect(store.getConversation('c-1')).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await store.close();
    }
  });
});

describe('redis store against a private redis-server that hangs or dies', () => {
  let server: PrivateRedis | undefined;
  afterEach(async () => {
    await server?.kill();
    server = undefined;
  });

  it('answers a command that times out with StoreUnavailableError; the retry after recovery is safe', { timeout: 20_000 }, async () => {
    server = await startPrivateRedis();
    const store = new RedisStore({ url: server.url, commandTimeoutMs: 300 });
    try {
      await store.ping();
      server.freeze();
      const dedupe = { key: 'slack:c-1:Ev-frozen', ttlMs: 60_000 };
      const attempt = store.enqueue(queue('c-1', 'bot'), [message('sent while frozen')], 1, dedupe);
      await expect(attempt).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(attempt).rejects.toMatchObject({
        code: 'store_unavailable',
        message: expect.stringContaining('redis store: enqueue did not complete, its outcome is unknown: Command timed out'),
      });
      await expect(store.ping()).rejects.toMatchObject({ code: 'store_unavailable' });
      server.thaw();
      // The timed-out command did run once Redis woke up: the sender's retry is a duplicate.
      expect(await store.pending(queue('c-1', 'bot'), 10)).toMatchObject([{ seq: 1, payload: message('sent while frozen') }]);
      expect(await store.enqueue(queue('c-1', 'bot'), [message('sent while frozen')], 2, dedupe)).toEqual({ status: 'duplicate' });
      await expect(store.ping()).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('answers commands with StoreUnavailableError once Redis is gone', { timeout: 20_000 }, async () => {
    server = await startPrivateRedis();
    const store = new RedisStore({ url: server.url, commandTimeoutMs: 300, connectTimeoutMs: 300 });
    try {
      await store.ping();
      await server.kill();
      await expect(store.acquireLease(queue('c-1'), 60_000, 0)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.createConversation(conversation('c-1'))).rejects.toMatchObject({ code: 'store_unavailable' });
    } finally {
      await store.close();
    }
  });
});

/** The writes a socket hands to the system, as the number of chunks in each (Writable's `_write` and `_writev`). */
function countSocketWrites(socket: Writable): { calls: number[] } {
  const writes = { calls: [] as number[] };
  const target = socket as Writable & { _writev?: (chunks: unknown[], callback: () => void) => void };
  const write = target._write.bind(target);
  const writev = target._writev?.bind(target);
  target._write = (chunk, encoding, callback) => {
    writes.calls.push(1);
    write(chunk, encoding, callback);
  };
  if (writev) {
    target._writev = (chunks, callback) => {
      writes.calls.push(chunks.length);
      writev(chunks, callback);
    };
  }
  return writes;
}

/**
 * A TCP relay to the shared Redis that, once armed, forwards the next command but cuts the
 * connection instead of passing Redis's answer on: a reply lost with the connection.
 */
async function replyDroppingRelay(): Promise<{ url: string; arm: () => void; close: () => Promise<void> }> {
  let armed = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(6379, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (!armed) return void client.write(chunk);
      armed = false;
      client.destroy();
      upstream.destroy();
    });
    for (const socket of [client, upstream]) socket.on('error', () => undefined).on('close', () => (client.destroy(), upstream.destroy()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    arm: () => (armed = true),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('RedisStore, a reply lost with its connection', () => {
  it('does not send the command again after reconnecting: a claim whose answer was lost fails as outcome unknown, and its owner can release it', async () => {
    const relay = await replyDroppingRelay();
    const keyPrefix = `${runPrefix}resend:`;
    const store = new RedisStore({ url: relay.url, keyPrefix, commandTimeoutMs: 1000 });
    const direct = new RedisStore({ url: REDIS_URL, keyPrefix });
    try {
      await store.ping();
      relay.arm();
      // Redis runs the SET NX; its answer is lost. Sent again after the reconnect, it would find
      // its own key and answer false: the event would count as a duplicate and be dropped.
      await expect(store.claim('event-1', 'owner-1', 60_000)).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(await direct.claim('event-1', 'someone-else', 60_000)).toBe(false); // it did run, once
      await store.release('event-1', 'owner-1');
      expect(await direct.claim('event-1', 'the retry', 60_000)).toBe(true);
    } finally {
      await store.close();
      await direct.close();
      await relay.close();
    }
  });
});
