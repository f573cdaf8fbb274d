/**
 * A stored conversation as a Slack adapter would save it, for action and demo-bot tests.
 * The profile fields mirror what Slack's users.info returns (id, real_name, profile.email, locale, tz, team_id).
 */
import type { ConversationRecord } from '../../src/store/store.js';

/** A Slack DM conversation whose requester has a full profile. */
export function slackConversation(id = '13427e90-f76a-47c2-a26d-ea0b4f1836c5'): ConversationRecord {
  return {
    id,
    address: { channel: 'slack', key: 'T0001:D0001:1712345678.000100', reference: { channel: 'D0001', threadTs: '1712345678.000100' } },
    requester: {
      id: 'U0001',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      locale: 'en-GB',
      timezone: 'Europe/London',
      tenantId: 'T0001',
      extra: { slackTeamId: 'T0001' },
    },
    session: 'active',
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
  };
}
