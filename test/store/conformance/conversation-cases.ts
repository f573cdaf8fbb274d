/**
 * Conformance cases for ConversationStore: records by id and by thread, re-pointing a thread
 * to a new conversation, and retention.
 */
import { expect, it } from 'vitest';
import type { ConversationRecord } from '../../../src/store/store.js';
import { afterTime, type ConformanceContext } from './fixture.js';
import { conversation } from './samples.js';

/** Registers the conversation cases. */
export function conversationCases(ctx: ConformanceContext): void {
  it('saves a conversation and reads it back by id and by thread', async () => {
    const { store } = await ctx.open();
    const record = conversation('c-1');
    await store.saveConversation(record);
    expect(await store.getConversation('c-1')).toEqual(record);
    expect(await store.findConversationByAddress('slack', record.address.key)).toEqual(record);
  });

  it('answers undefined for an unknown id or thread', async () => {
    const { store } = await ctx.open();
    await store.saveConversation(conversation('c-1'));
    expect(await store.getConversation('c-unknown')).toBeUndefined();
    expect(await store.findConversationByAddress('slack', 'T1:C1:other')).toBeUndefined();
    expect(await store.findConversationByAddress('teams', 'T1:C1:1712345678.000100')).toBeUndefined();
  });

  it('replaces a record saved again under the same id, keeping the thread bound', async () => {
    const { store } = await ctx.open();
    await store.saveConversation(conversation('c-1'));
    const escalated: ConversationRecord = { ...conversation('c-1', 'escalated'), ticketId: 'tk-1', updatedAt: 5 };
    await store.saveConversation(escalated);
    expect(await store.getConversation('c-1')).toEqual(escalated);
    expect(await store.findConversationByAddress('slack', escalated.address.key)).toEqual(escalated);
  });

  it('re-points a thread from an ended conversation to a new one; the old stays readable by id', async () => {
    const { store } = await ctx.open();
    const old = conversation('c-old', 'ended');
    await store.saveConversation(conversation('c-old'));
    await store.saveConversation(old);
    const replacement = conversation('c-new');
    await store.saveConversation(replacement);
    expect(await store.findConversationByAddress('slack', old.address.key)).toEqual(replacement);
    expect(await store.getConversation('c-old')).toEqual(old);
  });

  it('does not hand the thread back when the ended conversation is saved again', async () => {
    const { store } = await ctx.open();
    await store.saveConversation(conversation('c-old', 'ended'));
    await store.saveConversation(conversation('c-new'));
    const oldUpdated = { ...conversation('c-old', 'ended'), updatedAt: 99 };
    await store.saveConversation(oldUpdated);
    expect((await store.findConversationByAddress('slack', oldUpdated.address.key))?.id).toBe('c-new');
    expect(await store.getConversation('c-old')).toEqual(oldUpdated);
  });

  it('refuses a second live conversation on a thread and changes nothing', async () => {
    const { store } = await ctx.open();
    const live = conversation('c-live', 'escalated');
    await store.saveConversation(live);
    const rival = conversation('c-rival');
    await expect(store.saveConversation(rival)).rejects.toMatchObject({
      code: 'store_failed',
      message: expect.stringContaining('bound to live conversation c-live'),
    });
    expect(await store.getConversation('c-rival')).toBeUndefined();
    expect(await store.findConversationByAddress('slack', live.address.key)).toEqual(live);
  });

  it('lets exactly one of two replicas racing to bind a new thread win', async () => {
    const fixture = await ctx.open();
    const peer = ctx.peerOf(fixture);
    const results = await Promise.allSettled([
      fixture.store.saveConversation(conversation('c-a')),
      peer.saveConversation(conversation('c-b')),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const winner = results[0]?.status === 'fulfilled' ? 'c-a' : 'c-b';
    expect((await fixture.store.findConversationByAddress('slack', 'T1:C1:1712345678.000100'))?.id).toBe(winner);
  });

  it('keeps threads apart whose channel and key would join to the same text', async () => {
    const { store } = await ctx.open();
    const first = conversation('c-1', 'active', { channel: 'a:b', key: 'c' });
    const second = conversation('c-2', 'active', { channel: 'a', key: 'b:c' });
    await store.saveConversation(first);
    await store.saveConversation(second);
    expect((await store.findConversationByAddress('a:b', 'c'))?.id).toBe('c-1');
    expect((await store.findConversationByAddress('a', 'b:c'))?.id).toBe('c-2');
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
    await store.saveConversation(record);
    expect(await store.getConversation('c-ü')).toEqual(record);
    expect(await store.findConversationByAddress('teams', record.address.key)).toEqual(record);
  });

  it('forgets a conversation and its thread binding after the retention window', async () => {
    const fixture = await ctx.open({ retentionMs: 200 });
    await fixture.store.saveConversation(conversation('c-1'));
    expect(await fixture.store.getConversation('c-1')).toBeDefined();
    await afterTime(fixture, 200, async () => {
      const byId = await fixture.store.getConversation('c-1');
      const byThread = await fixture.store.findConversationByAddress('slack', 'T1:C1:1712345678.000100');
      return byId === undefined && byThread === undefined;
    });
    await fixture.store.saveConversation(conversation('c-2'));
    expect((await fixture.store.findConversationByAddress('slack', 'T1:C1:1712345678.000100'))?.id).toBe('c-2');
  });
}
