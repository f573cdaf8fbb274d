/**
 * Conformance cases for dead letters: moving an entry out of its queue with everything known
 * about it, listing and reading them, replay to the end of the queue, purge, and the cap.
 */
import { expect, it } from 'vitest';
import { leaseOf, type ConformanceContext } from './fixture.js';
import { message, queue, queuedSeqs, seqsOf } from './samples.js';

/** Registers the dead-letter cases. */
export function deadLetterCases(ctx: ConformanceContext): void {
  it('moves a failed entry to the dead letters with its attempts, progress, reason and time', async () => {
    const fixture = await ctx.open();
    const { store } = fixture;
    await store.enqueue(queue('c-1'), [message('one'), message('two')], 1000);
    const lease = await leaseOf(store, queue('c-1'));
    await store.recordAttempt(lease, 1);
    await store.saveProgress(lease, 1, { posted: ['1712345678.000200'] });
    await store.deadLetter(lease, 1, 'channel_not_found', 5000);
    await store.deadLetter(lease, 77, 'never queued', 5000);
    expect(seqsOf(await store.pending(queue('c-1'), 10))).toEqual([2]);
    const letters = await ctx.peerOf(fixture).deadLetters(10);
    expect(letters).toEqual([
      {
        id: expect.stringMatching(/^[1-9][0-9]*$/),
        destination: 'conversation',
        key: 'c-1',
        seq: 1,
        payload: message('one'),
        enqueuedAt: 1000,
        attempts: 1,
        progress: { posted: ['1712345678.000200'] },
        reason: 'channel_not_found',
        failedAt: 5000,
      },
    ]);
    expect(await store.getDeadLetter(letters[0]!.id)).toEqual(letters[0]);
  });

  it('lists dead letters oldest first with ids increasing in failure order; unknown ids find nothing', async () => {
    const { store } = await ctx.open();
    await store.enqueue(queue('c-1'), [message('a'), message('b')], 1);
    await store.enqueue(queue('tk-1', 'ticket'), [message('c')], 1);
    const conversationLease = await leaseOf(store, queue('c-1'));
    const ticketLease = await leaseOf(store, queue('tk-1', 'ticket'));
    await store.deadLetter(conversationLease, 2, 'second of c-1', 10);
    await store.deadLetter(ticketLease, 1, 'ticket', 20);
    await store.deadLetter(conversationLease, 1, 'first of c-1', 30);
    const letters = await store.deadLetters(10);
    expect(letters.map((letter) => letter.reason)).toEqual(['second of c-1', 'ticket', 'first of c-1']);
    expect(letters[1]).toMatchObject({ destination: 'ticket', key: 'tk-1', seq: 1 });
    const ids = letters.map((letter) => Number(letter.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
    expect((await store.deadLetters(2)).map((letter) => letter.reason)).toEqual(['second of c-1', 'ticket']);
    expect(await store.deadLetters(0)).toEqual([]);
    for (const unknown of [String(Math.max(...ids) + 1), '0', 'abc', '', '1e3', '-1']) {
      expect(await store.getDeadLetter(unknown)).toBeUndefined();
      expect(await store.replayDeadLetter(unknown, 99)).toBeUndefined();
    }
    expect(await store.deadLetters(10)).toHaveLength(3);
  });

  it('keeps only the newest maxDeadLetters, dropping the oldest', async () => {
    const { store } = await ctx.open({ maxDeadLetters: 3 });
    await store.enqueue(queue('c-1'), [1, 2, 3, 4, 5].map((n) => message(`m${n}`)), 1);
    const lease = await leaseOf(store, queue('c-1'));
    for (const seq of [1, 2, 3, 4, 5]) await store.deadLetter(lease, seq, `reason ${seq}`, 100 + seq);
    const letters = await store.deadLetters(10);
    expect(seqsOf(letters)).toEqual([3, 4, 5]);
    expect(await store.getDeadLetter(String(Number(letters[0]!.id) - 1))).toBeUndefined();
  });

  it('replays a dead letter to the end of its queue with a new seq, no attempts and its progress', async () => {
    const fixture = await ctx.open();
    const { store } = fixture;
    await store.enqueue(queue('c-1'), [message('one'), message('two')], 1000);
    const lease = await leaseOf(store, queue('c-1'));
    await store.recordAttempt(lease, 1);
    await store.saveProgress(lease, 1, { part: 2 });
    await store.deadLetter(lease, 1, 'rate limited too long', 2000);
    const [letter] = await store.deadLetters(1);
    await store.enqueue(queue('c-1'), [message('three')], 3000);
    const replayed = await ctx.peerOf(fixture).replayDeadLetter(letter!.id, 4000);
    const expected = { destination: 'conversation', key: 'c-1', seq: 4, payload: message('one'), enqueuedAt: 4000, attempts: 0, progress: { part: 2 } };
    expect(replayed).toEqual(expected);
    expect(await store.pending(queue('c-1'), 10)).toMatchObject([{ seq: 2 }, { seq: 3 }, expected]);
    expect(await store.deadLetters(10)).toEqual([]);
    expect(await store.getDeadLetter(letter!.id)).toBeUndefined();
    expect(await store.replayDeadLetter(letter!.id, 5000)).toBeUndefined();
    expect(seqsOf(await store.pending(queue('c-1'), 10))).toEqual([2, 3, 4]);
    expect((await store.outboxDepths())[1]).toEqual({ destination: 'conversation', depth: 3, oldestEnqueuedAt: 1000 });
  });

  it('replays into a drained queue and lists it as pending again', async () => {
    const { store } = await ctx.open();
    await store.enqueue(queue('c-1', 'widget'), [message('only')], 1000);
    await store.deadLetter(await leaseOf(store, queue('c-1', 'widget')), 1, 'widget API down', 2000);
    expect(await store.queuesWithPending(10)).toEqual([]);
    const [letter] = await store.deadLetters(1);
    expect(await store.replayDeadLetter(letter!.id, 3000)).toEqual({
      destination: 'widget',
      key: 'c-1',
      seq: 2,
      payload: message('only'),
      enqueuedAt: 3000,
      attempts: 0,
    });
    expect(await store.queuesWithPending(10)).toEqual([queue('c-1', 'widget')]);
    expect((await store.outboxDepths())[3]).toEqual({ destination: 'widget', depth: 1, oldestEnqueuedAt: 3000 });
  });

  it('leaves a dead letter in place when its queue is full', async () => {
    const { store } = await ctx.open({ maxPendingPerConversation: 1 });
    await store.enqueue(queue('c-1'), [message('one')], 1);
    await store.deadLetter(await leaseOf(store, queue('c-1')), 1, 'failed', 2);
    await store.enqueue(queue('c-1'), [message('two')], 3);
    const [letter] = await store.deadLetters(1);
    await expect(store.replayDeadLetter(letter!.id, 4)).rejects.toMatchObject({
      code: 'store_failed',
      message: expect.stringContaining('Outbox queue conversation:c-1 is full'),
    });
    expect(await store.getDeadLetter(letter!.id)).toEqual(letter);
    expect(seqsOf(await store.pending(queue('c-1'), 10))).toEqual([2]);
  });

  it('purges every dead letter, answering how many; later ids still increase', async () => {
    const { store } = await ctx.open();
    expect(await store.purgeDeadLetters()).toBe(0);
    await store.enqueue(queue('c-1'), [message('a'), message('b'), message('c')], 1);
    const lease = await leaseOf(store, queue('c-1'));
    await store.deadLetter(lease, 1, 'x', 2);
    await store.deadLetter(lease, 2, 'y', 3);
    const [, newest] = await store.deadLetters(10);
    expect(await store.purgeDeadLetters()).toBe(2);
    expect(await store.deadLetters(10)).toEqual([]);
    expect(await store.getDeadLetter(newest!.id)).toBeUndefined();
    await store.deadLetter(lease, 3, 'z', 4);
    const [after] = await store.deadLetters(10);
    expect(Number(after!.id)).toBeGreaterThan(Number(newest!.id));
    expect(queuedSeqs(await store.enqueue(queue('c-1'), [message('d')], 5))[0]).toBe(4);
  });

  it('round-trips an awkward reason exactly', async () => {
    const { store } = await ctx.open();
    await store.enqueue(queue('c-ü'), [message('x')], 1);
    await store.deadLetter(await leaseOf(store, queue('c-ü')), 1, 'Grüße: "bad" \\ reason 🚫 {"json":[]}', 2);
    expect((await store.deadLetters(1))[0]).toMatchObject({ key: 'c-ü', reason: 'Grüße: "bad" \\ reason 🚫 {"json":[]}' });
  });
}
