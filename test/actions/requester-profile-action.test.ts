import { beforeEach, describe, expect, it } from 'vitest';
import { ActionRegistry } from '../../src/actions/action-registry.js';
import { ActionFailedError } from '../../src/core/errors.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { slackConversation } from './conversation-fixture.js';

const conversation = slackConversation();
let store: MemoryStore;

beforeEach(async () => {
  store = new MemoryStore();
  await store.createConversation(conversation);
});

function actions(fields?: string[]): ActionRegistry {
  return ActionRegistry.fromConfig([{ name: 'whoIsThis', type: 'requester-profile', fields }], {
    getConversation: async (id) => (await store.getConversation(id))?.value,
  });
}

describe('requester-profile action', () => {
  it('returns every stored profile field and the platform, with the email sanitized', async () => {
    const results = await actions().run({ name: 'whoIsThis', platformConversationId: conversation.id, data: [] });
    expect(results).toEqual([
      { key: 'platform', value: 'slack' },
      { key: 'userId', value: 'U0001' },
      { key: 'name', value: 'Ada Lovelace' },
      { key: 'email', value: 'ada@example.com', sanitize: true },
      { key: 'locale', value: 'en-GB' },
      { key: 'timezone', value: 'Europe/London' },
      { key: 'tenantId', value: 'T0001' },
      { key: 'slackTeamId', value: 'T0001' },
    ]);
  });

  it('leaves out fields the profile does not have', async () => {
    const teams = { ...slackConversation('0b8a7c4e-2f4d-4a57-9a8e-5a1d3c2b1f00'), address: { channel: 'teams', key: 'a:1', reference: {} } };
    teams.requester = { id: '29:1abc', name: 'Grace Hopper' };
    await store.createConversation(teams);
    const results = await actions().run({ name: 'whoIsThis', platformConversationId: teams.id, data: [] });
    expect(results).toEqual([
      { key: 'platform', value: 'teams' },
      { key: 'userId', value: '29:1abc' },
      { key: 'name', value: 'Grace Hopper' },
    ]);
  });

  it('returns only the configured fields', async () => {
    const results = await actions(['email', 'locale', 'platform', 'notAField']).run({
      name: 'whoIsThis',
      platformConversationId: conversation.id,
      data: [],
    });
    expect(results).toEqual([
      { key: 'platform', value: 'slack' },
      { key: 'email', value: 'ada@example.com', sanitize: true },
      { key: 'locale', value: 'en-GB' },
    ]);
  });

  it('fails for a conversation the bridge does not know', async () => {
    const error = await actions()
      .run({ name: 'whoIsThis', platformConversationId: 'ffffffff-0000-4000-8000-000000000000', data: [] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ActionFailedError);
    expect((error as Error).message).toBe(
      'Action "whoIsThis" failed: no conversation ffffffff-0000-4000-8000-000000000000 is known to the bridge',
    );
  });
});
