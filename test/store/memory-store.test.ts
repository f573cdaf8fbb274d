/**
 * The memory store: the conformance suite with a controllable clock, and its own bounds.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';
import { describeStoreConformance } from './store-conformance.js';
import { leaseOf } from './conformance/fixture.js';
import { conversation, message, queue, queuedSeqs } from './conformance/samples.js';

describeStoreConformance('memory', async (limits) => {
  let now = 1_700_000_000_000;
  const store = new MemoryStore({ now: () => now, limits });
  return { store, advance: (ms) => void (now += ms) };
});

describe('memory store bounds', () => {
  it('keeps at most maxMemoryEntries conversations, dropping the least recently used', async () => {
    const store = new MemoryStore({ limits: { maxMemoryEntries: 3 } });
    for (const n of [1, 2, 3]) {
      await store.createConversation(conversation(`c-${n}`, 'active', { channel: 'slack', key: `thread-${n}` }));
    }
    // An inbound event on thread 1 makes it recently used (its binding and its record).
    await store.findConversationByAddress('slack', 'thread-1');
    await store.createConversation(conversation('c-4', 'active', { channel: 'slack', key: 'thread-4' }));
    expect(await store.getConversation('c-2')).toBeUndefined();
    expect(await store.findConversationByAddress('slack', 'thread-2')).toBeUndefined();
    expect((await store.findConversationByAddress('slack', 'thread-1'))?.value.id).toBe('c-1');
    expect((await store.findConversationByAddress('slack', 'thread-4'))?.value.id).toBe('c-4');
  });

  it('refuses pending entries for more than maxMemoryEntries queues, never evicting any', async () => {
    const store = new MemoryStore({ limits: { maxMemoryEntries: 2 } });
    await store.enqueue(queue('c-1'), [message('a')], 1);
    await store.enqueue(queue('c-1', 'bot'), [message('b')], 1);
    await expect(store.enqueue(queue('c-3'), [message('c')], 1, { key: 'Ev-c', ttlMs: 60_000 })).rejects.toMatchObject({
      code: 'store_failed',
      message: expect.stringContaining('2 queues have pending entries'),
    });
    expect(await store.enqueue(queue('c-1'), [message('a2')], 2)).toMatchObject({ status: 'queued' });
    await store.complete(await leaseOf(store, queue('c-1', 'bot')), 1);
    expect(await store.enqueue(queue('c-3'), [message('c')], 3, { key: 'Ev-c', ttlMs: 60_000 })).toMatchObject({ status: 'queued' });
    expect(await store.queuesWithPending(10)).toEqual([queue('c-1'), queue('c-3')]);
  });

  it('keeps no counter for a drained queue: its seqs go on above every seq a drained queue gave out', async () => {
    const store = new MemoryStore({ limits: { maxMemoryEntries: 2 } });
    const drainOne = async (key: string) => {
      const [seq] = queuedSeqs(await store.enqueue(queue(key, 'bot'), [message(key)], 1));
      await store.releaseLease(await leaseOf(store, queue(key, 'bot')), seq!);
      return seq!;
    };
    expect(await drainOne('c-1')).toBe(1);
    expect(await drainOne('c-1')).toBe(2);
    expect(await drainOne('c-2')).toBe(3);
    expect(await drainOne('c-3')).toBe(4);
    // Any number of drained queues (more than maxMemoryEntries): a returning one never repeats a seq.
    expect(await drainOne('c-1')).toBe(5);
    // A queue with pending entries counts on from its own last seq.
    expect(queuedSeqs(await store.enqueue(queue('c-4', 'bot'), [message('one'), message('two')], 1))).toEqual([6, 7]);
    expect(await drainOne('c-1')).toBe(6);
    expect(queuedSeqs(await store.enqueue(queue('c-4', 'bot'), [message('three')], 1))).toEqual([8]);
  });

  it('hands out no seq again after close, for a queue that still had pending entries', async () => {
    const store = new MemoryStore();
    expect(queuedSeqs(await store.enqueue(queue('c-1', 'bot'), [message('one'), message('two')], 1))).toEqual([1, 2]);
    await store.close();
    expect(queuedSeqs(await store.enqueue(queue('c-1', 'bot'), [message('three')], 1))).toEqual([3]);
  });

  it('gives a drained queue new seqs after the retention period too', async () => {
    let now = 1_000;
    const store = new MemoryStore({ limits: { retentionMs: 60_000 }, now: () => now });
    const drainOne = async () => {
      const [seq] = queuedSeqs(await store.enqueue(queue('c-1', 'bot'), [message('hi')], now));
      await store.releaseLease(await leaseOf(store, queue('c-1', 'bot')), seq!);
      return seq!;
    };
    expect(await drainOne()).toBe(1);
    expect(await drainOne()).toBe(2);
    now += 60_001;
    expect(await drainOne()).toBe(3);
  });

  it('rejects limits that are not positive integers', () => {
    expect(() => new MemoryStore({ limits: { maxPendingPerConversation: 0 } })).toThrow(
      /Store limit maxPendingPerConversation must be a positive integer/,
    );
  });
});
