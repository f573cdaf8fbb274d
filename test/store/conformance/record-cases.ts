/**
 * Conformance cases for RecordStore (versioned compare-and-set records, bounded lists) and
 * the store's lifecycle.
 */
import { expect, it } from 'vitest';
import { afterTime, type ConformanceContext } from './fixture.js';

interface Ticket {
  state: string;
  agent?: string;
}

/** Registers the record, list and lifecycle cases. */
export function recordCases(ctx: ConformanceContext): void {
  it('creates a record only when absent, then advances its version on each matching write', async () => {
    const { store } = await ctx.open();
    expect(await store.getRecord('ticket:1')).toBeUndefined();
    expect(await store.compareAndSet<Ticket>('ticket:1', 0, { state: 'queued' })).toBe(1);
    expect(await store.compareAndSet<Ticket>('ticket:1', 0, { state: 'other' })).toBeUndefined();
    expect(await store.compareAndSet<Ticket>('ticket:1', 1, { state: 'assigned', agent: 'U9' })).toBe(2);
    expect(await store.getRecord<Ticket>('ticket:1')).toEqual({ value: { state: 'assigned', agent: 'U9' }, version: 2 });
  });

  it('refuses a write with a stale version and keeps the stored value', async () => {
    const { store } = await ctx.open();
    await store.compareAndSet<Ticket>('ticket:1', 0, { state: 'queued' });
    await store.compareAndSet<Ticket>('ticket:1', 1, { state: 'assigned' });
    expect(await store.compareAndSet<Ticket>('ticket:1', 1, { state: 'resolved' })).toBeUndefined();
    expect(await store.compareAndSet<Ticket>('ticket:1', 7, { state: 'resolved' })).toBeUndefined();
    expect(await store.getRecord<Ticket>('ticket:1')).toEqual({ value: { state: 'assigned' }, version: 2 });
  });

  it('lets exactly one of two writers with the same expected version win', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    await fixture.store.compareAndSet<Ticket>('ticket:1', 0, { state: 'queued' });
    const [first, second] = await Promise.all([
      fixture.store.compareAndSet<Ticket>('ticket:1', 1, { state: 'assigned', agent: 'first' }),
      peer.compareAndSet<Ticket>('ticket:1', 1, { state: 'assigned', agent: 'second' }),
    ]);
    expect([first, second].filter((version) => version === 2)).toHaveLength(1);
    expect([first, second].filter((version) => version === undefined)).toHaveLength(1);
    const winner = first === 2 ? 'first' : 'second';
    expect(await peer.getRecord<Ticket>('ticket:1')).toEqual({ value: { state: 'assigned', agent: winner }, version: 2 });
  });

  it('lets exactly one of many racing creators create a record', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    const versions = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        (index % 2 === 0 ? fixture.store : peer).compareAndSet('ticket:race', 0, { writer: index }),
      ),
    );
    expect(versions.filter((version) => version === 1)).toHaveLength(1);
    const winner = versions.indexOf(1);
    expect(await fixture.store.getRecord('ticket:race')).toEqual({ value: { writer: winner }, version: 1 });
  });

  it('round-trips nested JSON with unicode exactly', async () => {
    const { store } = await ctx.open();
    const value = {
      text: 'Grüße 👋 "quoted" \\ 日本語 \u2028',
      nested: { list: [1, -2.5, 0, null, true, false, '', [], {}], deep: { deeper: { deepest: ['🎉'] } } },
      empty: {},
      emptyList: [],
    };
    await store.compareAndSet('record:unicode', 0, value);
    expect(await store.getRecord('record:unicode')).toEqual({ value, version: 1 });
  });

  it('rejects a value JSON cannot hold and an invalid expected version, changing nothing', async () => {
    const { store } = await ctx.open();
    await expect(store.compareAndSet('record:bad', 0, undefined)).rejects.toThrow(TypeError);
    await expect(store.compareAndSet('record:bad', -1, { ok: true })).rejects.toThrow(RangeError);
    expect(await store.getRecord('record:bad')).toBeUndefined();
  });

  it('appends to a list, oldest first, keeping only the newest maxItems', async () => {
    const { store } = await ctx.open();
    expect(await store.readList('transcript:c-1')).toEqual([]);
    for (const turn of ['one', 'two', 'three', 'four']) await store.appendToList('transcript:c-1', turn, 3);
    await store.appendToList('transcript:c-2', 'other', 3);
    expect(await store.readList('transcript:c-1')).toEqual(['two', 'three', 'four']);
    expect(await store.readList('transcript:c-2')).toEqual(['other']);
    await store.appendToList('transcript:c-1', 'Grüße 👋 {"json":[1]}', 1);
    expect(await store.readList('transcript:c-1')).toEqual(['Grüße 👋 {"json":[1]}']);
    await expect(store.appendToList('transcript:c-1', 'x', 0)).rejects.toThrow(RangeError);
  });

  it('keeps any list item as it was given: empty, digits and colons, separators, long', async () => {
    const { store } = await ctx.open();
    const items = ['', '12:34', ':', '3:abc', 'a\nb\u2028c\u0000d', '👋', '{"from":"bot","text":"5:x"}', 'x'.repeat(10_000)];
    for (const item of items) await store.appendToList('transcript:odd', item, items.length);
    expect(await store.readList('transcript:odd')).toEqual(items);
    await store.appendToList('transcript:odd', 'last', 2);
    expect(await store.readList('transcript:odd')).toEqual(['x'.repeat(10_000), 'last']);
  });

  it('forgets records and lists after the retention window', async () => {
    const fixture = await ctx.open({ retentionMs: 200 });
    await fixture.store.compareAndSet('ticket:old', 0, { state: 'queued' });
    await fixture.store.appendToList('transcript:old', 'turn', 5);
    await afterTime(fixture, 200, async () => {
      const record = await fixture.store.getRecord('ticket:old');
      const list = await fixture.store.readList('transcript:old');
      return record === undefined && list.length === 0;
    });
    expect(await fixture.store.compareAndSet('ticket:old', 0, { state: 'new' })).toBe(1);
    // A list appended to after it was forgotten starts afresh: nothing of the old one comes back.
    await fixture.store.appendToList('transcript:old', 'fresh', 5);
    expect(await fixture.store.readList('transcript:old')).toEqual(['fresh']);
  });

  it('answers ping while open and fails it with store_failed once closed', async () => {
    const { store } = await ctx.open();
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: 'store_failed' });
  });
}
