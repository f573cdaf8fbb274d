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
    const { activityId: _dropped, ...stable } = reference;
    expect(JSON.parse(JSON.stringify(targetOf(address)))).toEqual({ reference: stable, teamId: '19:team@thread.tacv2', tenantId: 'tenant-1' });
  });

  it('gives the same address for every message of a conversation', () => {
    expect(addressOf({ reference: { ...reference, activityId: 'other' } })).toEqual(addressOf({ reference }));
  });

  it('rejects what is not a Teams address, naming the problem', () => {
    const address = addressOf({ reference });
    expect(() => targetOf({ ...address, channel: 'slack' })).toThrow('Not a Teams address');
    expect(() => targetOf({ ...address, reference: { ...address.reference, conversation: {} } })).toThrow(/conversation\.id/);
    expect(() => addressOf({ reference: { ...reference, serviceUrl: 'ftp://x' } })).toThrow();
  });

  it('moves between a channel and its threads', () => {
    expect(channelOf('19:abc@thread.tacv2;messageid=17')).toBe('19:abc@thread.tacv2');
    expect(channelOf('19:abc@thread.tacv2')).toBe('19:abc@thread.tacv2');
    expect(threadOf('19:abc@thread.tacv2', '1712345')).toBe('19:abc@thread.tacv2;messageid=1712345');
  });
});
