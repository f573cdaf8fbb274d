/**
 * Conformance cases for fenced leases: one holder per queue while unexpired, takeover after
 * expiry with a larger token, tokens that grow across all queues and after release, and a stale
 * token refused by every operation that changes an entry.
 */
import { expect, it } from 'vitest';
import type { Lease, Store } from '../../../src/store/store.js';
import { afterTime, leaseOf, passTime, type ConformanceContext } from './fixture.js';
import { message, queue, seqsOf } from './samples.js';

const Q = queue('c-1');

/** Expects every entry-changing operation with `stale` to throw lease_lost. */
async function expectRefused(store: Store, stale: Lease): Promise<void> {
  const lost = { code: 'lease_lost', message: expect.stringContaining(`conversation:c-1 (token ${stale.token})`) };
  await expect(store.recordAttempt(stale, 1)).rejects.toMatchObject(lost);
  await expect(store.saveProgress(stale, 1, { posted: ['stale'] })).rejects.toMatchObject(lost);
  await expect(store.complete(stale, 1)).rejects.toMatchObject(lost);
  await expect(store.deadLetter(stale, 1, 'stale', 9)).rejects.toMatchObject(lost);
}

/** Registers the lease cases. */
export function leaseCases(ctx: ConformanceContext): void {
  it('grants one lease per queue while it is unexpired; other queues stay free', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    const acquired = await fixture.store.acquireLease(Q, 60_000, 0);
    expect(acquired).toEqual({ lease: { queue: Q, token: expect.any(Number) }, entries: [] });
    expect(await peer.acquireLease(Q, 60_000, 0)).toBeUndefined();
    expect(await fixture.store.acquireLease(Q, 60_000, 0)).toBeUndefined();
    expect(await peer.acquireLease(queue('c-1', 'bot'), 60_000, 0)).toBeDefined();
    expect(await peer.acquireLease(queue('c-2'), 60_000, 0)).toBeDefined();
  });

  it('gives exactly one of many concurrent acquirers the lease', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    const leases = await Promise.all(
      Array.from({ length: 10 }, (_, index) => (index % 2 === 0 ? fixture.store : peer).acquireLease(Q, 60_000, 0)),
    );
    expect(leases.filter(Boolean)).toHaveLength(1);
  });

  it('lets another replica take an expired lease with a larger token and refuses the old one', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    await fixture.store.enqueue(Q, [message('one'), message('two')], 1);
    const old = await leaseOf(fixture.store, Q, 30);
    let taken: Lease | undefined;
    await afterTime(fixture, 30, async () => (taken = (await peer.acquireLease(Q, 60_000, 0))?.lease) !== undefined);
    expect(taken!.token).toBeGreaterThan(old.token);
    expect(await fixture.store.renewLease(old, 60_000)).toBe(false);
    await expectRefused(fixture.store, old);
    await fixture.store.releaseLease(old);
    expect(await fixture.store.acquireLease(Q, 60_000, 0)).toBeUndefined();
    expect(await peer.pending(Q, 10)).toEqual([
      { destination: 'conversation', key: 'c-1', seq: 1, payload: message('one'), enqueuedAt: 1, attempts: 0 },
      { destination: 'conversation', key: 'c-1', seq: 2, payload: message('two'), enqueuedAt: 1, attempts: 0 },
    ]);
    expect(await fixture.store.deadLetters(10)).toEqual([]);
    await peer.complete(taken!, 1);
    expect(seqsOf(await peer.pending(Q, 10))).toEqual([2]);
  });

  it('hands out tokens that grow across queues and after a release and re-acquire', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    const tokens: number[] = [];
    for (const [store, target] of [
      [fixture.store, Q],
      [peer, queue('c-2')],
      [fixture.store, queue('c-1', 'bot')],
    ] as const) {
      const lease = await leaseOf(store, target);
      tokens.push(lease.token);
      await store.releaseLease(lease);
    }
    const again = await leaseOf(peer, Q);
    tokens.push(again.token);
    expect([...tokens].sort((a, b) => a - b)).toEqual(tokens);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('refuses a released lease everywhere and lets the queue be taken at once', async () => {
    const { store } = await ctx.open();
    await store.enqueue(Q, [message('one')], 1);
    const released = await leaseOf(store, Q);
    await store.releaseLease(released);
    expect(await store.renewLease(released, 60_000)).toBe(false);
    await expectRefused(store, released);
    const next = await leaseOf(store, Q);
    expect(next.token).toBeGreaterThan(released.token);
    // A second release of the old lease must not free the new holder's.
    await store.releaseLease(released);
    expect(await store.acquireLease(Q, 60_000, 0)).toBeUndefined();
    expect(await store.pending(Q, 10)).toMatchObject([{ seq: 1, attempts: 0 }]);
  });

  it("reads the queue's oldest entries with the lease, as pending would, and nothing when the lease is held", async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    await fixture.store.enqueue(Q, [message('one'), message('two'), message('three')], 7);
    const first = await leaseOf(fixture.store, Q);
    await fixture.store.recordAttempt(first, 1);
    await fixture.store.saveProgress(first, 1, { posted: ['ts-1'] });
    await fixture.store.complete(first, 2);
    expect(await fixture.store.releaseLease(first)).toBe(true);
    const acquired = await peer.acquireLease(Q, 60_000, 5);
    expect(acquired?.entries).toEqual(await peer.pending(Q, 5));
    expect(acquired?.entries).toEqual([
      { destination: 'conversation', key: 'c-1', seq: 1, payload: message('one'), enqueuedAt: 7, attempts: 1, progress: { posted: ['ts-1'] } },
      { destination: 'conversation', key: 'c-1', seq: 3, payload: message('three'), enqueuedAt: 7, attempts: 0 },
    ]);
    expect(await fixture.store.acquireLease(Q, 60_000, 5)).toBeUndefined();
    await peer.releaseLease(acquired!.lease);
    expect((await fixture.store.acquireLease(Q, 60_000, 1))?.entries.map((entry) => entry.seq)).toEqual([1]);
    expect(await peer.acquireLease(queue('c-empty'), 60_000, 5)).toMatchObject({ entries: [] });
    await expect(peer.acquireLease(queue('c-2'), 60_000, -1)).rejects.toThrow(RangeError);
  });

  it('says at the release whether the queue has pending entries, for a current or a stale lease', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    const lease = await leaseOf(fixture.store, Q);
    await peer.enqueue(Q, [message('while held')], 1);
    expect(await fixture.store.releaseLease(lease)).toBe(true);
    const again = await leaseOf(peer, Q);
    await peer.complete(again, 1);
    expect(await fixture.store.releaseLease(lease)).toBe(false); // stale: changes nothing, still answers
    expect(await fixture.store.acquireLease(Q, 60_000, 0)).toBeUndefined();
    expect(await peer.releaseLease(again)).toBe(false);
    expect(await fixture.store.acquireLease(Q, 60_000, 0)).toBeDefined();
  });

  it('completes a delivered entry with the release in one step; a stale lease changes nothing then', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    await fixture.store.enqueue(Q, [message('one'), message('two')], 1);
    const lease = await leaseOf(fixture.store, Q);
    expect(await fixture.store.releaseLease(lease, 1)).toBe(true);
    expect(seqsOf(await peer.pending(Q, 10))).toEqual([2]);
    expect(await peer.outboxDepths()).toContainEqual({ destination: 'conversation', depth: 1, oldestEnqueuedAt: 1 });
    await expect(fixture.store.releaseLease(lease, 2)).rejects.toMatchObject({ code: 'lease_lost' });
    expect(seqsOf(await peer.pending(Q, 10))).toEqual([2]);
    const next = await leaseOf(peer, Q);
    expect(await peer.releaseLease(next, 99)).toBe(true); // an unknown seq: only the release
    const last = await leaseOf(peer, Q);
    expect(await peer.releaseLease(last, 2)).toBe(false);
    expect(await fixture.store.pending(Q, 10)).toEqual([]);
    expect(await fixture.store.queuesWithPending(10)).toEqual([]);
    expect(await fixture.store.acquireLease(Q, 60_000, 0)).toBeDefined();
  });

  it('keeps a renewed lease past its first TTL', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    const lease = await leaseOf(fixture.store, Q, 1000);
    await passTime(fixture, 600);
    expect(await fixture.store.renewLease(lease, 1000)).toBe(true);
    await passTime(fixture, 600);
    expect(await peer.acquireLease(Q, 1000, 0)).toBeUndefined();
  });

  it('keeps an expired lease current while nobody took the queue over', async () => {
    const fixture = await ctx.open();
    await fixture.store.enqueue(Q, [message('one'), message('two')], 1);
    const lease = await leaseOf(fixture.store, Q, 20);
    await passTime(fixture, 60);
    await fixture.store.saveProgress(lease, 1, { part: 1 });
    await fixture.store.complete(lease, 2);
    expect(await fixture.store.renewLease(lease, 60_000)).toBe(true);
    expect(await fixture.store.acquireLease(Q, 60_000, 0)).toBeUndefined();
    expect(await fixture.store.pending(Q, 10)).toMatchObject([{ seq: 1, progress: { part: 1 } }]);
  });

  it('rejects a lease TTL that is not a positive whole number of milliseconds', async () => {
    const { store } = await ctx.open();
    await expect(store.acquireLease(Q, 0, 0)).rejects.toThrow(RangeError);
    const lease = await leaseOf(store, Q);
    await expect(store.renewLease(lease, 2.5)).rejects.toThrow(/ttlMs must be an integer/);
  });
}
