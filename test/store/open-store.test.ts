/**
 * openStore: each STORE_URL form opens the right kind, options reach the store, and anything
 * else is a clear ConfigError that never echoes the URL (it may carry a password).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { openStore } from '../../src/store/open-store.js';
import { message, queue } from './conformance/samples.js';

const dir = mkdtempSync(join(tmpdir(), 'bridge-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function thrownBy(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('openStore', () => {
  it('opens a memory store for memory: with the given clock and limits', async () => {
    let now = 1000;
    const store = openStore('memory:', { now: () => now, limits: { maxPendingPerConversation: 1 } });
    expect(store.kind).toBe('memory');
    await store.claim('k', 'a', 100);
    now += 100;
    expect(await store.claim('k', 'b', 100)).toBe(true);
    await store.enqueue(queue('c-1'), [message('one')], 1);
    await expect(store.enqueue(queue('c-1'), [message('two')], 2)).rejects.toThrow(/limit of 1/);
    await store.close();
  });

  it('opens a SQLite file for sqlite:PATH, creating its directory', async () => {
    const path = join(dir, 'sub', 'bridge.db');
    const store = openStore(`sqlite:${path}`, { sqlite: { synchronous: 'NORMAL' } });
    expect(store.kind).toBe('sqlite');
    await store.ping();
    await store.close();
    expect(existsSync(path)).toBe(true);
  });

  it('opens a throw-away SQLite database for sqlite::memory:', async () => {
    const store = openStore('sqlite::memory:');
    await store.compareAndSet('k', 0, { ok: true });
    expect(await store.getRecord('k')).toEqual({ value: { ok: true }, version: 1 });
    await store.close();
  });

  it('opens a Redis store for redis:// with the given key prefix', async () => {
    const store = openStore('redis://127.0.0.1:6379', { redis: { keyPrefix: `bridge-test:open-${process.pid}:` } });
    expect(store.kind).toBe('redis');
    await store.ping();
    await store.close();
  });

  it.each([
    ['postgres://user:s3cret@db/bridge', 'STORE_URL scheme "postgres:" is not supported'],
    ['./data/bridge.db', 'STORE_URL without a scheme is not supported'],
    ['memory:extra', 'STORE_URL scheme "memory:" is not supported'],
  ])('refuses %s with a ConfigError that does not echo the URL', (url, message) => {
    const error = thrownBy(() => openStore(url));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(message);
    expect(error.message).toContain('use memory:, sqlite:PATH or redis://host:port');
    expect(error.message).not.toMatch(/s3cret|user|db\/bridge/);
  });

  it('refuses sqlite: without a path', () => {
    expect(() => openStore('sqlite:')).toThrow('STORE_URL sqlite: needs a file path');
  });
});
