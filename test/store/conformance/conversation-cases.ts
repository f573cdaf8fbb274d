/**
 * Conformance cases for ConversationStore: create-if-absent by id and by thread (also between
 * two replicas racing), re-binding a thread whose conversation ended, compare-and-set updates,
 * and retention.
 */
import { expect, it } from 'vitest';
import type { ConversationRecord } from '../../../src/store/store.js';
import { afterTime, passTime, type ConformanceContext } from './fixture.js';
import { conversation } from './samples.js';

const THREAD = 'T1:C1:1712345678.000100';

/** Registers the conversation cases. */
export function conversationCases(ctx: ConformanceContext): void {
  it('creates a conversation at version 1 and reads it back by id and by thread', async () => {
    const { store } = await ctx.open();
    const record = conversation('c-1');
    expect(await store.createConversation(record)).toEqual({ created: true, version: 1 });
    expect(await store.getConversation('c-1')).toEqual({ value: record, version: 1 });
    expect(await store.findConversationByAddress('slack', THREAD)).toEqual({ value: record, version: 1 });
  });

  it('answers undefined for an unknown id or thread', async () => {
    const { store } = await ctx.open();
    await store.createConversation(conversation('c-1'));
    expect(await store.getConversation('c-unknown')).toBeUndefined();
    expect(await store.findConversationByAddress('slack', 'T1:C1:other')).toBeUndefined();
    expect(await store.findConversationByAddress('teams', THREAD)).toBeUndefined();
  });

  it('creates nothing for an id that exists and answers the stored record', async () => {
    const { store } = await ctx.open();
    const stored = conversation('c-1');
    await store.createConversation(stored);
    const elsewhere = conversation('c-1', 'active', { channel: 'slack', key: 'T1:C1:other' });
    expect(await store.createConversation(elsewhere)).toEqual({ created: false, existing: { value: stored, version: 1 } });
    expect(await store.getConversation('c-1')).toEqual({ value: stored, version: 1 });
    expect(await store.findConversationByAddress('slack', 'T1:C1:other')).toBeUndefined();
  });

  it('creates nothing for a thread bound to a live conversation and answers that one', async () => {
    const { store } = await ctx.open();
    const live = { ...conversation('c-live', 'escalated'), ticketId: 'tk-1' };
    await store.createConversation(live);
    expect(await store.createConversation(conversation('c-rival'))).toEqual({
      created: false,
      existing: { value: live, version: 1 },
    });
    expect(await store.getConversation('c-rival')).toBeUndefined();
    expect(await store.findConversationByAddress('slack', THREAD)).toEqual({ value: live, version: 1 });
  });

  it('lets exactly one of two replicas racing for a new thread create it; the other gets the winner', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    for (let round = 0; round < 10; round += 1) {
      const thread = { channel: 'slack', key: `T1:D1:${round}` };
      const [first, second] = await Promise.all([
        fixture.store.createConversation(conversation(`c-${round}-a`, 'active', thread)),
        peer.createConversation(conversation(`c-${round}-b`, 'active', thread)),
      ]);
      const outcomes = [first, second].map((result) => result.created);
      expect(outcomes.sort()).toEqual([false, true]);
      const winner = first.created ? `c-${round}-a` : `c-${round}-b`;
      const loser = first.created ? second : first;
      expect(loser.created === false && loser.existing.value.id).toBe(winner);
      expect((await peer.findConversationByAddress('slack', thread.key))?.value.id).toBe(winner);
    }
  });

  it('re-binds the thread of an ended conversation to a new one; the old stays readable by id', async () => {
    const { store } = await ctx.open();
    await store.createConversation(conversation('c-old'));
    const ended = conversation('c-old', 'ended');
    expect(await store.updateConversation(ended, 1)).toBe(2);
    expect(await store.findConversationByAddress('slack', THREAD)).toEqual({ value: ended, version: 2 });
    const replacement = conversation('c-new');
    expect(await store.createConversation(replacement)).toEqual({ created: true, version: 1 });
    expect(await store.findConversationByAddress('slack', THREAD)).toEqual({ value: replacement, version: 1 });
    expect(await store.getConversation('c-old')).toEqual({ value: ended, version: 2 });
  });

  it('updates by compare-and-set: a stale or unknown version writes nothing', async () => {
    const { store } = await ctx.open();
    await store.createConversation(conversation('c-1'));
    const escalated: ConversationRecord = { ...conversation('c-1', 'escalated'), ticketId: 'tk-1', updatedAt: 5 };
    expect(await store.updateConversation(escalated, 1)).toBe(2);
    const stale = { ...conversation('c-1'), updatedAt: 6 };
    expect(await store.updateConversation(stale, 1)).toBeUndefined();
    expect(await store.updateConversation(stale, 7)).toBeUndefined();
    expect(await store.updateConversation(stale, 0)).toBeUndefined();
    expect(await store.updateConversation(conversation('c-unknown'), 1)).toBeUndefined();
    expect(await store.getConversation('c-1')).toEqual({ value: escalated, version: 2 });
    expect(await store.findConversationByAddress('slack', THREAD)).toEqual({ value: escalated, version: 2 });
    expect(await store.getConversation('c-unknown')).toBeUndefined();
    await expect(store.updateConversation(stale, -1)).rejects.toThrow(RangeError);
  });

  it('lets exactly one of two replicas updating the same version win', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    await fixture.store.createConversation(conversation('c-1'));
    const refreshed = { ...conversation('c-1'), updatedAt: 10 };
    const escalated = { ...conversation('c-1', 'escalated'), ticketId: 'tk-1' };
    const [first, second] = await Promise.all([
      fixture.store.updateConversation(refreshed, 1),
      peer.updateConversation(escalated, 1),
    ]);
    expect([first, second].sort()).toEqual([2, undefined]);
    const winner = first === 2 ? refreshed : escalated;
    expect(await peer.getConversation('c-1')).toEqual({ value: winner, version: 2 });
  });

  it('does not hand the thread back when an ended conversation is updated after a new one took it', async () => {
    const { store } = await ctx.open();
    await store.createConversation(conversation('c-old'));
    await store.updateConversation(conversation('c-old', 'ended'), 1);
    await store.createConversation(conversation('c-new'));
    const oldUpdated = { ...conversation('c-old', 'ended'), updatedAt: 99 };
    expect(await store.updateConversation(oldUpdated, 2)).toBe(3);
    expect((await store.findConversationByAddress('slack', THREAD))?.value.id).toBe('c-new');
    expect(await store.getConversation('c-old')).toEqual({ value: oldUpdated, version: 3 });
  });

  it('keeps threads apart whose channel and key would join to the same text', async () => {
    const { store } = await ctx.open();
    await store.createConversation(conversation('c-1', 'active', { channel: 'a:b', key: 'c' }));
    expect((await store.createConversation(conversation('c-2', 'active', { channel: 'a', key: 'b:c' }))).created).toBe(true);
    expect((await store.findConversationByAddress('a:b', 'c'))?.value.id).toBe('c-1');
    expect((await store.findConversationByAddress('a', 'b:c'))?.value.id).toBe('c-2');
  });

  it('round-trips a record with unicode and a nested reference exactly', async () => {
    const { store } = await ctx.open();
    const record: ConversationRecord = {
      ...conversation('c-ü'),
      address: {
        channel: 'teams',
        key: '19:abc@thread.tacv2;messageid=1712345678',
        reference: {
          activityId: '1712345678',
          user: { id: '29:1xyz', name: 'Zoë Ødegård 日本', aadObjectId: '00000000-0000-0000-0000-000000000001' },
          conversation: { id: '19:abc@thread.tacv2', isGroup: true, tenantId: 't-1', conversationType: 'channel' },
          serviceUrl: 'https://smba.trafficmanager.net/emea/',
          nested: { list: [1, 2.5, -3, null, true, 'x', [], {}], empty: '' },
        },
      },
      requester: { id: '29:1xyz', name: '😀 "quoted" \\ name', extra: { slackTeamId: 'T1', emoji: '🎉' } },
    };
    await store.createConversation(record);
    expect(await store.getConversation('c-ü')).toEqual({ value: record, version: 1 });
    expect(await store.findConversationByAddress('teams', record.address.key)).toEqual({ value: record, version: 1 });
  });

  it('keeps a conversation and its binding while it is updated, and forgets both after retention', async () => {
    const fixture = await ctx.open({ retentionMs: 1000 });
    await fixture.store.createConversation(conversation('c-1'));
    await passTime(fixture, 600);
    expect(await fixture.store.updateConversation(conversation('c-1', 'escalated'), 1)).toBe(2);
    await passTime(fixture, 600);
    expect((await fixture.store.findConversationByAddress('slack', THREAD))?.version).toBe(2);
    await afterTime(fixture, 1000, async () => {
      const byId = await fixture.store.getConversation('c-1');
      const byThread = await fixture.store.findConversationByAddress('slack', THREAD);
      return byId === undefined && byThread === undefined;
    });
    expect(await fixture.store.createConversation(conversation('c-2'))).toEqual({ created: true, version: 1 });
    expect((await fixture.store.findConversationByAddress('slack', THREAD))?.value.id).toBe('c-2');
  });
}
