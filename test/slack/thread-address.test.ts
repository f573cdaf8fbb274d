/**
 * The thread codec: keys round-trip, DMs outside a thread are one running conversation, and
 * addresses this adapter cannot reply to fail with a non-retryable DeliveryError.
 */
import { describe, expect, it } from 'vitest';
import { conversationThread, parseThreadKey, threadAddress, threadKey, threadOf, type SlackThread } from '../../adapters/slack/thread-address.js';
import { ConversationRegistry } from '../../src/core/conversations.js';
import { DeliveryError } from '../../src/core/errors.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { silentLogger } from '../support/silent-logger.js';

describe('thread codec', () => {
  const threads: SlackThread[] = [
    { team: 'T123ABC456', channel: 'C123ABC456', threadTs: '1515449522.000016' },
    { team: 'T123ABC456', channel: 'D024BE91L' },
    { team: 'T123ABC456', channel: 'D024BE91L', threadTs: '1355517523.000005' },
    { team: 'E0ENTERPRISE', channel: 'G01PRIVATE', threadTs: '1.2' },
  ];

  it.each(threads)('round-trips %j through key and address', (thread) => {
    expect(parseThreadKey(threadKey(thread))).toEqual(thread);
    expect(threadOf(threadAddress(thread))).toEqual(thread);
    expect(threadAddress(thread).key).toBe(threadKey(thread));
  });

  it('rejects keys it did not write', () => {
    expect(parseThreadKey('teams:19:abc@thread')).toBeUndefined();
    expect(parseThreadKey('only-one-part')).toBeUndefined();
  });

  it('maps messages to their conversation thread', () => {
    const base = { team: 'T1', ts: '2.0' };
    expect(conversationThread({ ...base, channel: 'D1', isDm: true })).toEqual({ team: 'T1', channel: 'D1' });
    expect(conversationThread({ ...base, channel: 'D1', threadTs: '2.0', isDm: true })).toEqual({ team: 'T1', channel: 'D1' });
    expect(conversationThread({ ...base, channel: 'D1', threadTs: '1.0', isDm: true })).toEqual({ team: 'T1', channel: 'D1', threadTs: '1.0' });
    expect(conversationThread({ ...base, channel: 'C1', isDm: false })).toEqual({ team: 'T1', channel: 'C1', threadTs: '2.0' });
    expect(conversationThread({ ...base, channel: 'C1', threadTs: '1.0', isDm: false })).toEqual({ team: 'T1', channel: 'C1', threadTs: '1.0' });
  });

  it('writes only the org into the reference: the key names the thread', () => {
    expect(threadAddress({ team: 'T1', channel: 'C1', threadTs: '1700000000.000100' })).toEqual({ channel: 'slack', key: 'T1:C1:1700000000.000100', reference: {} });
    expect(threadAddress({ team: 'T1', channel: 'D1', enterprise: 'E1' })).toEqual({ channel: 'slack', key: 'T1:D1', reference: { enterprise: 'E1' } });
  });

  it('reads the references earlier releases wrote, with team, channel and thread', () => {
    expect(threadOf({ channel: 'slack', key: 'T1:C1:1700000000.000100', reference: { team: 'T1', channel: 'C1', thread_ts: '1700000000.000100' } })).toEqual({
      team: 'T1',
      channel: 'C1',
      threadTs: '1700000000.000100',
    });
    expect(threadOf({ channel: 'slack', key: 'T1:D1', reference: { team: 'T1', channel: 'D1', enterprise: 'E1' } })).toEqual({ team: 'T1', channel: 'D1', enterprise: 'E1' });
  });

  it('reads team, channel and thread from the key when the reference leaves them out, keeping its org', () => {
    expect(threadOf({ channel: 'slack', key: 'T1:C1:1700000000.000100', reference: {} })).toEqual({ team: 'T1', channel: 'C1', threadTs: '1700000000.000100' });
    expect(threadOf({ channel: 'slack', key: 'T1:D1', reference: { enterprise: 'E1' } })).toEqual({ team: 'T1', channel: 'D1', enterprise: 'E1' });
    expect(() => threadOf({ channel: 'msteams', key: 'T1:C1', reference: {} })).toThrow(DeliveryError);
    expect(() => threadOf({ channel: 'slack', key: 'T1:C1', reference: { team: 'T1' } })).toThrow(DeliveryError);
    expect(() => threadOf({ channel: 'slack', key: 'T1:C1', reference: { thread_ts: '1700000000.000100' } })).toThrow(DeliveryError);
  });

  it('refuses an address without a Slack reference', () => {
    expect(() => threadOf({ channel: 'slack', key: 'x', reference: { conversation: 'teams' } })).toThrow(DeliveryError);
    expect(() => threadOf({ channel: 'slack', key: 'x', reference: {} })).toThrow(expect.objectContaining({ retryable: false }));
  });

  it("rewrites an address an earlier release stored with its Slack team and channel to this release's, once", async () => {
    const memory = new MemoryStore();
    const registry = new ConversationRegistry({ store: memory, logger: silentLogger(), now: () => 1, newId: () => 'conv-1' });
    const thread = { team: 'T1', channel: 'D1', enterprise: 'E1' };
    const earlier = { ...threadAddress(thread), reference: { team: 'T1', channel: 'D1', enterprise: 'E1' } };
    const { record } = await registry.resolve(earlier, { id: 'U1' });
    await registry.resolve(threadAddress(thread), { id: 'U1' });
    await registry.resolve(threadAddress(thread), { id: 'U1' });
    const stored = (await memory.getConversation(record.id))!;
    expect(stored.version).toBe(2);
    expect(stored.value.address).toEqual({ channel: 'slack', key: 'T1:D1', reference: { enterprise: 'E1' } });
    expect(threadOf(stored.value.address)).toEqual(thread);
  });
});
