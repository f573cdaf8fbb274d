/**
 * Conformance cases for ClaimStore: set-if-absent with a TTL, ownership on release, expiry.
 */
import { expect, it } from 'vitest';
import { afterTime, type ConformanceContext } from './fixture.js';

/** Registers the claim cases. */
export function claimCases(ctx: ConformanceContext): void {
  it('grants a claim once; a second claim by anyone fails while it holds', async () => {
    const { store } = await ctx.open();
    expect(await store.claim('event:Ev1', 'replica-a', 60_000)).toBe(true);
    expect(await store.claim('event:Ev1', 'replica-b', 60_000)).toBe(false);
    expect(await store.claim('event:Ev1', 'replica-a', 60_000)).toBe(false);
    expect(await store.claim('event:Ev2', 'replica-b', 60_000)).toBe(true);
  });

  it('releases only for the owner', async () => {
    const { store } = await ctx.open();
    await store.claim('lease:c-1', 'replica-a', 60_000);
    await store.release('lease:c-1', 'replica-b');
    expect(await store.claim('lease:c-1', 'replica-b', 60_000)).toBe(false);
    await store.release('lease:c-1', 'replica-a');
    expect(await store.claim('lease:c-1', 'replica-b', 60_000)).toBe(true);
  });

  it('releasing a key nobody holds changes nothing', async () => {
    const { store } = await ctx.open();
    await store.release('lease:none', 'replica-a');
    expect(await store.claim('lease:none', 'replica-a', 60_000)).toBe(true);
  });

  it('lets a claim expire after its TTL, while a longer one still holds', async () => {
    const fixture = await ctx.open();
    const { store } = fixture;
    expect(await store.claim('lease:short', 'replica-a', 30)).toBe(true);
    expect(await store.claim('lease:long', 'replica-a', 60_000)).toBe(true);
    await afterTime(fixture, 30, () => store.claim('lease:short', 'replica-b', 60_000));
    expect(await store.claim('lease:long', 'replica-b', 60_000)).toBe(false);
    // The expired owner's late release must not free the new owner's claim.
    await store.release('lease:short', 'replica-a');
    expect(await store.claim('lease:short', 'replica-c', 60_000)).toBe(false);
  });

  it('grants a contested key to exactly one of many concurrent claimants', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        (index % 2 === 0 ? fixture.store : peer).claim('event:contested', `replica-${index}`, 60_000),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('rejects a TTL that is not a positive whole number of milliseconds', async () => {
    const { store } = await ctx.open();
    await expect(store.claim('k', 'o', 0)).rejects.toThrow(RangeError);
    await expect(store.claim('k', 'o', 1.5)).rejects.toThrow(/ttlMs must be an integer/);
    expect(await store.claim('k', 'o', 60_000)).toBe(true);
  });
}
