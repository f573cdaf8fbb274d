/**
 * The Redis store against the real Redis at 127.0.0.1:6379 (CI always runs one): the
 * conformance suite, each fixture under its own key prefix inside this run's prefix, with a
 * second client on the same prefix as the peer replica. Redis keeps real time, so TTL cases
 * use tiny TTLs and poll. Every key this run wrote is deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/redis-store.js';
import { describeStoreConformance } from './store-conformance.js';
import { conversation, text } from './conformance/samples.js';

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
      await mine.saveConversation(conversation(marker, 'active', { channel: 'slack', key: marker }));
      await mine.claim(marker, 'owner', 60_000);
      await mine.enqueue(marker, [text('a'), text('b')], 1);
      await mine.recordAttempt(marker, 1);
      await mine.deadLetter(marker, 1, 'failed', 2);
      await mine.compareAndSet(marker, 0, { marker });
      await mine.appendToList(marker, 'item', 5);
      const written = await keysMatching(`*${marker}*`);
      expect(written.length).toBeGreaterThanOrEqual(7);
      expect(written.filter((key) => !key.startsWith(`${runPrefix}mine:`))).toEqual([]);
      expect(await theirs.getConversation(marker)).toBeUndefined();
      expect(await theirs.pending(marker, 10)).toEqual([]);
      expect(await theirs.claim(marker, 'other', 60_000)).toBe(true);
      expect(await theirs.deadLetters(10)).toEqual([]);
    } finally {
      await mine.close();
      await theirs.close();
    }
  });

  it('fails fast with store_failed when Redis cannot be reached', { timeout: 15_000 }, async () => {
    const store = new RedisStore({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 300, connectTimeoutMs: 300 });
    try {
      await expect(store.ping()).rejects.toMatchObject({
        code: 'store_failed',
        message: expect.stringContaining('redis store: ping failed'),
      });
      await expect(store.getConversation('c-1')).rejects.toMatchObject({
        code: 'store_failed',
        message: expect.stringContaining('redis store: getConversation failed'),
      });
    } finally {
      await store.close();
    }
  });
});
