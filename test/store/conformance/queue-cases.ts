/**
 * Conformance cases for the outbox queues: seqs in order per queue (a queue is destination plus
 * key), atomic dedupe, the per-queue bound, progress, and the sweeps (queues with pending entries,
 * depths per destination).
 */
import { expect, it } from 'vitest';
import type { Lease } from '../../../src/store/store.js';
import { afterTime, leaseOf, type ConformanceContext } from './fixture.js';
import { AWKWARD_PAYLOADS, message, queue, queuedSeqs, seqsOf } from './samples.js';

/** Registers the queue cases. */
export function queueCases(ctx: ConformanceContext): void {
  it('numbers entries in order across several enqueue calls and lists them oldest first', async () => {
    const { store } = await ctx.open();
    const first = await store.enqueue(queue('c-1'), [message('one'), message('two')], 1000);
    const second = queuedSeqs(await store.enqueue(queue('c-1'), [message('three')], 2000));
    expect(first).toEqual({ status: 'queued', seqs: [1, 2] });
    expect(second).toEqual([3]);
    const pending = await store.pending(queue('c-1'), 10);
    expect(pending.slice(0, 2)).toEqual([
      { destination: 'conversation', key: 'c-1', seq: 1, payload: message('one'), enqueuedAt: 1000, attempts: 0 },
      { destination: 'conversation', key: 'c-1', seq: 2, payload: message('two'), enqueuedAt: 1000, attempts: 0 },
    ]);
    expect(pending[2]).toEqual({ destination: 'conversation', key: 'c-1', seq: 3, payload: message('three'), enqueuedAt: 2000, attempts: 0 });
    expect(pending[0]).not.toHaveProperty('progress');
    expect(seqsOf(await store.pending(queue('c-1'), 2))).toEqual([1, 2]);
    expect(await store.pending(queue('c-1'), 0)).toEqual([]);
  });

  it('gives unique, increasing seqs to many concurrent enqueue calls from two replicas', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    const results = await Promise.all(
      Array.from({ length: 40 }, async (_, index) =>
        queuedSeqs(
          await (index % 2 === 0 ? fixture.store : peer).enqueue(queue('c-1'), [message(`m${index}-a`), message(`m${index}-b`)], index),
        ),
      ),
    );
    const seqs = results.flat().sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 80 }, (_, index) => index + 1));
    for (const batch of results) expect(batch[1]).toBe(batch[0]! + 1);
    const payloadOf = new Map(results.flatMap((batch, index) => [[batch[0]!, message(`m${index}-a`)], [batch[1]!, message(`m${index}-b`)]] as const));
    const pending = await peer.pending(queue('c-1'), 100);
    expect(pending.map((entry) => [entry.seq, entry.payload])).toEqual(seqs.map((seq) => [seq, payloadOf.get(seq)]));
  });

  it('keeps queues apart by destination and key: each has its own seqs and entries', async () => {
    const { store } = await ctx.open();
    await store.enqueue(queue('c-1', 'conversation'), [message('a1'), message('a2')], 1);
    expect(queuedSeqs(await store.enqueue(queue('c-1', 'bot'), [message('b1')], 1))).toEqual([1]);
    expect(queuedSeqs(await store.enqueue(queue('c-2', 'conversation'), [message('c1')], 1))).toEqual([1]);
    expect(seqsOf(await store.pending(queue('c-1', 'conversation'), 10))).toEqual([1, 2]);
    expect(await store.pending(queue('c-1', 'bot'), 10)).toMatchObject([{ destination: 'bot', key: 'c-1', payload: message('b1') }]);
    expect(await store.pending(queue('c-1', 'ticket'), 10)).toEqual([]);
  });

  it('keeps counting after the queue drains, so a late complete cannot hit a new entry', async () => {
    const { store } = await ctx.open();
    await store.enqueue(queue('c-1'), [message('first')], 1);
    const lease = await leaseOf(store, queue('c-1'));
    await store.complete(lease, 1);
    expect(queuedSeqs(await store.enqueue(queue('c-1'), [message('second')], 2))).toEqual([2]);
    await store.complete(lease, 1);
    expect(seqsOf(await store.pending(queue('c-1'), 10))).toEqual([2]);
  });

  it('queues nothing for an empty batch', async () => {
    const { store } = await ctx.open();
    expect(await store.enqueue(queue('c-1'), [], 1)).toEqual({ status: 'queued', seqs: [] });
    expect(await store.queuesWithPending(10)).toEqual([]);
    expect(queuedSeqs(await store.enqueue(queue('c-1'), [message('one')], 2))).toEqual([1]);
  });

  it('answers duplicate for a dedupe key held within its TTL and writes nothing', async () => {
    const { store } = await ctx.open();
    const dedupe = { key: 'slack:c-1:Ev1', ttlMs: 60_000 };
    expect(queuedSeqs(await store.enqueue(queue('c-1', 'bot'), [message('hi')], 1, dedupe))).toEqual([1]);
    expect(await store.enqueue(queue('c-1', 'bot'), [message('hi again')], 2, dedupe)).toEqual({ status: 'duplicate' });
    // The key is the caller's whole identity of the event: it dedupes across queues too.
    expect(await store.enqueue(queue('c-9', 'bot'), [message('hi')], 2, dedupe)).toEqual({ status: 'duplicate' });
    expect(await store.pending(queue('c-9', 'bot'), 10)).toEqual([]);
    const other = await store.enqueue(queue('c-1', 'bot'), [message('next')], 3, { key: 'slack:c-1:Ev2', ttlMs: 60_000 });
    expect(queuedSeqs(other)).toEqual([2]);
    expect((await store.pending(queue('c-1', 'bot'), 10)).map((entry) => entry.payload)).toEqual([message('hi'), message('next')]);
  });

  it('queues again with a dedupe key once its TTL has passed', async () => {
    const fixture = await ctx.open();
    const dedupe = { key: 'teams:c-1:1712345678', ttlMs: 30 };
    await fixture.store.enqueue(queue('c-1', 'bot'), [message('first')], 1, dedupe);
    await afterTime(fixture, 30, async () => (await fixture.store.enqueue(queue('c-1', 'bot'), [message('again')], 2, dedupe)).status === 'queued');
    expect((await fixture.store.pending(queue('c-1', 'bot'), 10)).map((entry) => entry.payload)).toEqual([message('first'), message('again')]);
  });

  it('queues exactly one of many concurrent enqueues with one dedupe key', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        (index % 2 === 0 ? fixture.store : peer).enqueue(queue('c-1', 'bot'), [message(`try ${index}`)], index, {
          key: 'slack:c-1:Ev-race',
          ttlMs: 60_000,
        }),
      ),
    );
    expect(results.filter((result) => result.status === 'queued')).toHaveLength(1);
    expect(await fixture.store.pending(queue('c-1', 'bot'), 10)).toHaveLength(1);
  });

  it('refuses a batch past the per-queue bound, writing nothing and leaving its dedupe key free', async () => {
    const { store } = await ctx.open({ maxPendingPerConversation: 3 });
    await store.enqueue(queue('c-1'), [message('one'), message('two')], 1);
    const dedupe = { key: 'webhook:m-3', ttlMs: 60_000 };
    await expect(store.enqueue(queue('c-1'), [message('three'), message('four')], 2, dedupe)).rejects.toMatchObject({
      code: 'store_failed',
      message: expect.stringMatching(/Outbox queue conversation:c-1 is full: 2 pending \+ 2 new .* limit of 3/),
    });
    expect(seqsOf(await store.pending(queue('c-1'), 10))).toEqual([1, 2]);
    expect(queuedSeqs(await store.enqueue(queue('c-1', 'bot'), [message('x'), message('y'), message('z')], 3))).toEqual([1, 2, 3]);
    await store.complete(await leaseOf(store, queue('c-1')), 1);
    expect(queuedSeqs(await store.enqueue(queue('c-1'), [message('three'), message('four')], 4, dedupe))).toEqual([3, 4]);
  });

  it('records list items with the entries they belong to in one step: for a duplicate or a full queue, neither', async () => {
    const fixture = await ctx.open({ maxPendingPerConversation: 3 });
    const peer = ctx.peerOf(fixture);
    const turn = (key: string, text: string) => ({ key, item: JSON.stringify({ from: 'bot', text }), maxItems: 2 });
    const dedupe = { key: 'bot-message:c-1:m-1', ttlMs: 60_000 };
    await fixture.store.appendToList('transcript:c-1', 'earlier', 2);
    const queued = await fixture.store.enqueue(queue('c-1'), [message('one'), message('two')], 1, dedupe, [turn('transcript:c-1', 'one'), turn('transcript:c-1', 'two'), turn('transcript:other', 'elsewhere')]);
    expect(queuedSeqs(queued)).toEqual([1, 2]);
    expect(await peer.readList('transcript:c-1')).toEqual([turn('', 'one').item, turn('', 'two').item]);
    expect(await peer.readList('transcript:other')).toEqual([turn('', 'elsewhere').item]);
    expect(await peer.enqueue(queue('c-1'), [message('one')], 2, dedupe, [turn('transcript:c-1', 'retried')])).toEqual({ status: 'duplicate' });
    await expect(peer.enqueue(queue('c-1'), [message('three'), message('four')], 3, undefined, [turn('transcript:c-1', 'too many')])).rejects.toMatchObject({ code: 'store_failed' });
    await expect(peer.enqueue(queue('c-1'), [message('three')], 3, undefined, [{ ...turn('transcript:c-1', 'bad'), maxItems: 0 }])).rejects.toThrow(RangeError);
    expect(await fixture.store.readList('transcript:c-1')).toEqual([turn('', 'one').item, turn('', 'two').item]);
    expect(seqsOf(await fixture.store.pending(queue('c-1'), 10))).toEqual([1, 2]);
  });

  it('round-trips payloads of every JSON kind exactly', async () => {
    const { store } = await ctx.open();
    await store.enqueue(queue('c-ü 日本'), AWKWARD_PAYLOADS, 1);
    expect((await store.pending(queue('c-ü 日本'), 10)).map((entry) => entry.payload)).toEqual(AWKWARD_PAYLOADS);
  });

  it('returns saved progress with the entry, also to another replica, and replaces it on the next save', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    await fixture.store.enqueue(queue('tk-1', 'ticket'), [message('long'), message('next')], 1);
    const lease = await leaseOf(fixture.store, queue('tk-1', 'ticket'));
    await fixture.store.saveProgress(lease, 1, { posted: ['1712345678.000200'], part: 1 });
    await fixture.store.saveProgress(lease, 99, { ignored: true });
    const [head, next] = await peer.pending(queue('tk-1', 'ticket'), 10);
    expect(head).toMatchObject({ seq: 1, attempts: 0, progress: { posted: ['1712345678.000200'], part: 1 } });
    expect(next).not.toHaveProperty('progress');
    await fixture.store.saveProgress(lease, 1, { posted: ['1712345678.000200', '1712345678.000300'], part: 2, empty: [] });
    expect((await peer.pending(queue('tk-1', 'ticket'), 1))[0]?.progress).toEqual({
      posted: ['1712345678.000200', '1712345678.000300'],
      part: 2,
      empty: [],
    });
  });

  it('appends a list item with the progress in one step: both, or neither for a stale lease or a gone entry', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    const q = queue('slack:T1:D1', 'bot');
    await fixture.store.enqueue(q, [message('one')], 1);
    const lease = await leaseOf(fixture.store, q, 30);
    const turn = (text: string) => ({ key: 'transcript:c-1', item: JSON.stringify({ from: 'requester', text }), maxItems: 2 });
    await fixture.store.appendToList('transcript:c-1', 'earlier', 2);
    await fixture.store.saveProgress(lease, 1, { transcribed: true }, turn('hello'));
    expect((await peer.pending(q, 1))[0]?.progress).toEqual({ transcribed: true });
    expect(await peer.readList('transcript:c-1')).toEqual(['earlier', turn('hello').item]);
    await fixture.store.saveProgress(lease, 99, { ignored: true }, turn('no entry'));
    expect(await peer.readList('transcript:c-1')).toEqual(['earlier', turn('hello').item]);
    let taken: Lease | undefined;
    await afterTime(fixture, 30, async () => (taken = (await peer.acquireLease(q, 60_000, 0))?.lease) !== undefined);
    await expect(fixture.store.saveProgress(lease, 1, { stale: true }, turn('stale'))).rejects.toThrow();
    expect((await peer.pending(q, 1))[0]?.progress).toEqual({ transcribed: true });
    await peer.saveProgress(taken!, 1, { transcribed: 2 }, turn('bounded'));
    expect(await peer.readList('transcript:c-1')).toEqual([turn('hello').item, turn('bounded').item]);
  });

  it('counts attempts on an entry that stays at the head of its queue', async () => {
    const { store } = await ctx.open();
    await store.enqueue(queue('c-1'), [message('one'), message('two')], 1);
    const lease = await leaseOf(store, queue('c-1'));
    await store.recordAttempt(lease, 1);
    await store.recordAttempt(lease, 1);
    await store.recordAttempt(lease, 99);
    const [head, next] = await store.pending(queue('c-1'), 10);
    expect(head).toMatchObject({ seq: 1, attempts: 2 });
    expect(next).toMatchObject({ seq: 2, attempts: 0 });
  });

  it('removes a completed entry in any position; completing an unknown seq changes nothing', async () => {
    const { store } = await ctx.open();
    await store.enqueue(queue('c-1'), [message('one'), message('two'), message('three')], 1);
    const lease = await leaseOf(store, queue('c-1'));
    await store.complete(lease, 2);
    await store.complete(lease, 42);
    expect(seqsOf(await store.pending(queue('c-1'), 10))).toEqual([1, 3]);
  });

  it('lists queues with pending entries, oldest head first, bounded by the limit, until they drain', async () => {
    const { store } = await ctx.open();
    await store.enqueue(queue('c-2'), [message('b')], 200);
    await store.enqueue(queue('c-1', 'bot'), [message('a'), message('a2')], 100);
    await store.enqueue(queue('tk-1', 'ticket'), [message('c')], 300);
    await store.enqueue(queue('c-1'), [message('d')], 400);
    expect(await store.queuesWithPending(10)).toEqual([queue('c-1', 'bot'), queue('c-2'), queue('tk-1', 'ticket'), queue('c-1')]);
    expect(await store.queuesWithPending(2)).toEqual([queue('c-1', 'bot'), queue('c-2')]);
    expect(await store.queuesWithPending(0)).toEqual([]);
    // Once the bot queue's head is done, its age is that of its next entry.
    await store.enqueue(queue('c-1', 'bot'), [message('a3')], 500);
    const bot = await leaseOf(store, queue('c-1', 'bot'));
    await store.complete(bot, 1);
    await store.complete(bot, 2);
    expect(await store.queuesWithPending(10)).toEqual([queue('c-2'), queue('tk-1', 'ticket'), queue('c-1'), queue('c-1', 'bot')]);
    await store.complete(bot, 3);
    await store.complete(await leaseOf(store, queue('c-2')), 1);
    expect(await store.queuesWithPending(10)).toEqual([queue('tk-1', 'ticket'), queue('c-1')]);
  });

  it('counts pending entries per destination with the oldest enqueuedAt', async () => {
    const { store } = await ctx.open();
    expect(await store.outboxDepths()).toEqual([
      { destination: 'bot', depth: 0 },
      { destination: 'conversation', depth: 0 },
      { destination: 'ticket', depth: 0 },
      { destination: 'widget', depth: 0 },
    ]);
    await store.enqueue(queue('c-1'), [message('a'), message('b')], 300);
    await store.enqueue(queue('c-2'), [message('c')], 200);
    await store.enqueue(queue('tk-1', 'ticket'), [message('d')], 100);
    await store.complete(await leaseOf(store, queue('tk-1', 'ticket')), 1);
    await store.enqueue(queue('c-1', 'bot'), [message('e')], 50);
    expect(await store.outboxDepths()).toEqual([
      { destination: 'bot', depth: 1, oldestEnqueuedAt: 50 },
      { destination: 'conversation', depth: 3, oldestEnqueuedAt: 200 },
      { destination: 'ticket', depth: 0 },
      { destination: 'widget', depth: 0 },
    ]);
  });

  it('rejects a negative or fractional limit, an unknown destination and a payload JSON cannot hold', async () => {
    const { store } = await ctx.open();
    await expect(store.pending(queue('c-1'), -1)).rejects.toThrow(RangeError);
    await expect(store.queuesWithPending(1.5)).rejects.toThrow(RangeError);
    await expect(store.deadLetters(-3)).rejects.toThrow(/limit must be an integer/);
    await expect(store.enqueue({ destination: 'desk' as never, key: 'c-1' }, [message('x')], 1)).rejects.toThrow(RangeError);
    await expect(store.enqueue(queue('c-1'), [undefined as never], 1)).rejects.toThrow(TypeError);
    await expect(store.enqueue(queue('c-1'), [message('x')], 1, { key: 'k', ttlMs: 0 })).rejects.toThrow(RangeError);
    expect(await store.queuesWithPending(10)).toEqual([]);
  });
}
