/**
 * Conformance cases for OutboxStore: ordered sequence numbers, attempts, completion, dead
 * letters, conversations with pending entries, and the bounds.
 */
import { expect, it } from 'vitest';
import type { ConformanceContext } from './fixture.js';
import { AWKWARD_MESSAGES, text } from './samples.js';

const seqsOf = (entries: { seq: number }[]) => entries.map((entry) => entry.seq);

/** Registers the outbox cases. */
export function outboxCases(ctx: ConformanceContext): void {
  it('numbers entries in order across several enqueue calls and lists them oldest first', async () => {
    const { store } = await ctx.open();
    const first = await store.enqueue('c-1', [text('one'), text('two')], 1000);
    const second = await store.enqueue('c-1', [text('three')], 2000);
    expect(seqsOf(first)).toEqual([1, 2]);
    expect(seqsOf(second)).toEqual([3]);
    expect(first[0]).toEqual({ conversationId: 'c-1', seq: 1, message: text('one'), enqueuedAt: 1000, attempts: 0 });
    const pending = await store.pending('c-1', 10);
    expect(pending.map((entry) => entry.message)).toEqual([text('one'), text('two'), text('three')]);
    expect(seqsOf(await store.pending('c-1', 2))).toEqual([1, 2]);
    expect(await store.pending('c-1', 0)).toEqual([]);
  });

  it('gives unique, increasing seqs to many concurrent enqueue calls, in the order they were taken', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        (index % 2 === 0 ? fixture.store : peer).enqueue('c-1', [text(`m${index}-a`), text(`m${index}-b`)], index),
      ),
    );
    const seqs = results.flatMap(seqsOf).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 80 }, (_, index) => index + 1));
    for (const batch of results) expect(batch[1]!.seq).toBe(batch[0]!.seq + 1);
    const pending = await fixture.store.pending('c-1', 100);
    expect(seqsOf(pending)).toEqual(seqs);
    const bySeq = new Map(results.flat().map((entry) => [entry.seq, entry.message]));
    expect(pending.every((entry) => JSON.stringify(bySeq.get(entry.seq)) === JSON.stringify(entry.message))).toBe(true);
  });

  it('keeps each conversation its own sequence and queue', async () => {
    const { store } = await ctx.open();
    await store.enqueue('c-1', [text('a1'), text('a2')], 1);
    expect(seqsOf(await store.enqueue('c-2', [text('b1')], 1))).toEqual([1]);
    await store.complete('c-2', 1);
    expect(seqsOf(await store.pending('c-1', 10))).toEqual([1, 2]);
  });

  it('keeps counting after the queue drains, so a late complete cannot hit a new entry', async () => {
    const { store } = await ctx.open();
    await store.enqueue('c-1', [text('first')], 1);
    await store.complete('c-1', 1);
    expect(seqsOf(await store.enqueue('c-1', [text('second')], 2))).toEqual([2]);
    await store.complete('c-1', 1);
    expect(seqsOf(await store.pending('c-1', 10))).toEqual([2]);
  });

  it('returns nothing and stores nothing for an empty batch', async () => {
    const { store } = await ctx.open();
    expect(await store.enqueue('c-1', [], 1)).toEqual([]);
    expect(await store.conversationsWithPending(10)).toEqual([]);
  });

  it('counts attempts on an entry that stays at the head of its queue', async () => {
    const { store } = await ctx.open();
    await store.enqueue('c-1', [text('one'), text('two')], 1);
    await store.recordAttempt('c-1', 1);
    await store.recordAttempt('c-1', 1);
    await store.recordAttempt('c-1', 99);
    const [head, next] = await store.pending('c-1', 10);
    expect(head).toMatchObject({ seq: 1, attempts: 2 });
    expect(next).toMatchObject({ seq: 2, attempts: 0 });
  });

  it('removes a completed entry, in any position; completing an unknown entry changes nothing', async () => {
    const { store } = await ctx.open();
    await store.enqueue('c-1', [text('one'), text('two'), text('three')], 1);
    await store.complete('c-1', 2);
    await store.complete('c-1', 42);
    await store.complete('c-unknown', 1);
    expect(seqsOf(await store.pending('c-1', 10))).toEqual([1, 3]);
  });

  it('moves a failed entry to the dead letters with its reason, attempts and time', async () => {
    const { store } = await ctx.open();
    await store.enqueue('c-1', [text('one'), text('two')], 1000);
    await store.recordAttempt('c-1', 1);
    await store.deadLetter('c-1', 1, 'channel_not_found', 5000);
    await store.deadLetter('c-1', 77, 'never queued', 5000);
    expect(seqsOf(await store.pending('c-1', 10))).toEqual([2]);
    expect(await store.deadLetters(10)).toEqual([
      {
        conversationId: 'c-1',
        seq: 1,
        message: text('one'),
        enqueuedAt: 1000,
        attempts: 1,
        reason: 'channel_not_found',
        failedAt: 5000,
      },
    ]);
  });

  it('lists dead letters newest first and keeps only the newest maxDeadLetters', async () => {
    const { store } = await ctx.open({ maxDeadLetters: 3 });
    await store.enqueue('c-1', [1, 2, 3, 4, 5].map((n) => text(`m${n}`)), 1);
    for (const seq of [1, 2, 3, 4, 5]) await store.deadLetter('c-1', seq, `reason ${seq}`, 100 + seq);
    expect(seqsOf(await store.deadLetters(10))).toEqual([5, 4, 3]);
    expect(seqsOf(await store.deadLetters(2))).toEqual([5, 4]);
    expect(await store.deadLetters(0)).toEqual([]);
  });

  it('lists conversations with pending entries until their last entry is completed or dead-lettered', async () => {
    const { store } = await ctx.open();
    await store.enqueue('c-1', [text('a')], 1);
    await store.enqueue('c-2', [text('b'), text('c')], 2);
    await store.enqueue('c-3', [text('d')], 3);
    expect((await store.conversationsWithPending(10)).sort()).toEqual(['c-1', 'c-2', 'c-3']);
    expect(await store.conversationsWithPending(2)).toHaveLength(2);
    await store.complete('c-1', 1);
    await store.deadLetter('c-2', 1, 'failed', 9);
    expect((await store.conversationsWithPending(10)).sort()).toEqual(['c-2', 'c-3']);
    await store.deadLetter('c-2', 2, 'failed', 9);
    await store.complete('c-3', 1);
    expect(await store.conversationsWithPending(10)).toEqual([]);
  });

  it('refuses a batch that would pass the per-conversation bound, and changes nothing', async () => {
    const { store } = await ctx.open({ maxPendingPerConversation: 3 });
    await store.enqueue('c-1', [text('one'), text('two')], 1);
    await expect(store.enqueue('c-1', [text('three'), text('four')], 2)).rejects.toMatchObject({
      code: 'store_failed',
      message: expect.stringMatching(/Outbox of conversation c-1 is full: 2 pending \+ 2 new .* limit of 3/),
    });
    expect(seqsOf(await store.pending('c-1', 10))).toEqual([1, 2]);
    expect(seqsOf(await store.enqueue('c-2', [text('x'), text('y'), text('z')], 3))).toEqual([1, 2, 3]);
    await store.complete('c-1', 1);
    expect(seqsOf(await store.enqueue('c-1', [text('three'), text('four')], 4))).toEqual([3, 4]);
  });

  it('round-trips messages of every kind exactly', async () => {
    const { store } = await ctx.open();
    await store.enqueue('c-ü', AWKWARD_MESSAGES, 1);
    expect((await store.pending('c-ü', 10)).map((entry) => entry.message)).toEqual(AWKWARD_MESSAGES);
    await store.deadLetter('c-ü', 1, 'Grüße: "bad" \\ reason 🚫', 2);
    const [dead] = await store.deadLetters(1);
    expect(dead).toMatchObject({ message: AWKWARD_MESSAGES[0], reason: 'Grüße: "bad" \\ reason 🚫' });
  });

  it('rejects a negative or fractional limit', async () => {
    const { store } = await ctx.open();
    await expect(store.pending('c-1', -1)).rejects.toThrow(RangeError);
    await expect(store.conversationsWithPending(1.5)).rejects.toThrow(RangeError);
    await expect(store.deadLetters(-3)).rejects.toThrow(/limit must be an integer/);
  });
}
