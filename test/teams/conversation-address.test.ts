/** The one codec between Teams conversations and bridge addresses. */
import { describe, expect, it } from 'vitest';
import { addressOf, channelOf, targetOf, threadOf } from '../../adapters/teams/conversation-address.js';

const reference = {
  activityId: '1481567603816',
  channelId: 'msteams',
  serviceUrl: 'https://smba.trafficmanager.net/amer/',
  conversation: { id: '19:aebd0ad4@thread.tacv2;messageid=1481567603816', conversationType: 'channel', isGroup: true },
  bot: { id: '28:c9e8c047', name: 'Teams TestBot' },
  user: { id: '29:9e52142b', name: 'Jane Smith', aadObjectId: 'eddfa9d4' },
  locale: 'en-US',
};

describe('conversation address codec', () => {
  it('keys a conversation by its Teams id and round-trips the reference with team and tenant', () => {
    const address = addressOf({ reference, teamId: '19:team@thread.tacv2', tenantId: 'tenant-1' });
    expect(address.channel).toBe('teams');
    expect(address.key).toBe('19:aebd0ad4@thread.tacv2;messageid=1481567603816');
    expect(JSON.parse(JSON.stringify(targetOf(address)))).toEqual({
      reference: {
        channelId: 'msteams',
        serviceUrl: 'https://smba.trafficmanager.net/amer/',
        conversation: { id: '19:aebd0ad4@thread.tacv2;messageid=1481567603816', tenantId: 'tenant-1' },
        bot: { id: '28:c9e8c047' },
        user: { id: '29:9e52142b' },
        locale: 'en-US',
      },
      teamId: '19:team@thread.tacv2',
      tenantId: 'tenant-1',
    });
  });

  it('stores the tenant id once, and no display names, directory ids or conversation type', () => {
    const stored = JSON.stringify(addressOf({ reference: { ...reference, conversation: { ...reference.conversation, tenantId: 'tenant-1' } }, tenantId: 'tenant-1' }).reference);
    expect(stored.split('tenant-1')).toHaveLength(2);
    for (const dropped of ['Jane Smith', 'Teams TestBot', 'eddfa9d4', 'conversationType', 'isGroup']) expect(stored).not.toContain(dropped);
  });

  it('keeps what the previous release needs to read the address, so its replicas deliver during a rolling update', () => {
    // The previous release's targetOf requires serviceUrl and bot.id, reads a missing channelId as
    // msteams, and takes the conversation id from the address key.
    const address = addressOf({ reference, tenantId: 'tenant-1' });
    expect(address.reference).toMatchObject({ serviceUrl: reference.serviceUrl, bot: { id: '28:c9e8c047' } });
    expect(address.reference).not.toHaveProperty('conversation');
  });

  it('leaves out channelId when it is msteams and reads it back as msteams; keeps another', () => {
    const address = addressOf({ reference, tenantId: 'tenant-1' });
    expect(address.reference).not.toHaveProperty('channelId');
    expect(targetOf(address).reference).toMatchObject({ channelId: 'msteams', conversation: { id: reference.conversation.id, tenantId: 'tenant-1' } });
    const emulated = addressOf({ reference: { ...reference, channelId: 'emulator' } });
    expect(emulated.reference).toMatchObject({ channelId: 'emulator' });
    expect(targetOf(emulated).reference.channelId).toBe('emulator');
  });

  it('reads an address stored with the full reference by an earlier release, the tenant from its conversation if need be', () => {
    const { activityId: _dropped, ...full } = reference;
    const address = { channel: 'teams', key: reference.conversation.id, reference: { ...full, conversation: { ...full.conversation, tenantId: 'tenant-1' } } };
    expect(JSON.parse(JSON.stringify(targetOf(address)))).toEqual({
      reference: {
        channelId: 'msteams',
        serviceUrl: reference.serviceUrl,
        conversation: { id: reference.conversation.id, tenantId: 'tenant-1' },
        bot: { id: '28:c9e8c047', name: 'Teams TestBot' },
        user: { id: '29:9e52142b', name: 'Jane Smith', aadObjectId: 'eddfa9d4' },
        locale: 'en-US',
      },
      tenantId: 'tenant-1',
    });
  });

  it('gives the same address for every message of a conversation', () => {
    expect(addressOf({ reference: { ...reference, activityId: 'other' } })).toEqual(addressOf({ reference }));
  });

  it('rejects what is not a Teams address, naming the problem', () => {
    const address = addressOf({ reference });
    expect(() => targetOf({ ...address, channel: 'slack' })).toThrow('Not a Teams address');
    expect(() => targetOf({ ...address, reference: { ...address.reference, bot: {} } })).toThrow(/bot\.id/);
    expect(() => targetOf({ ...address, reference: { ...address.reference, serviceUrl: 'ftp://x' } })).toThrow(/serviceUrl/);
    expect(() => addressOf({ reference: { ...reference, serviceUrl: 'ftp://x' } })).toThrow();
  });

  it('moves between a channel and its threads', () => {
    expect(channelOf('19:abc@thread.tacv2;messageid=17')).toBe('19:abc@thread.tacv2');
    expect(channelOf('19:abc@thread.tacv2')).toBe('19:abc@thread.tacv2');
    expect(threadOf('19:abc@thread.tacv2', '1712345')).toBe('19:abc@thread.tacv2;messageid=1712345');
  });
});
