/**
 * POST /api/messages on a real express server with the real adapter (auth off), documented
 * activity payloads, and a loopback server standing in for the Bot Framework connector.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeClick } from '../../adapters/teams/click-codec.js';
import { endedNote } from '../../adapters/teams/render-click-update.js';
import { fixture, startTeamsHarness, type TeamsHarness } from './support/teams-harness.js';
import { targetOf } from '../../adapters/teams/conversation-address.js';

let harness: TeamsHarness;

beforeEach(async () => {
  harness = await startTeamsHarness();
});

afterEach(async () => {
  await harness.close();
});

describe('POST /api/messages', () => {
  it('turns a personal chat message into a visitor message with the address, requester and activity id', async () => {
    const response = await harness.post(fixture('personal-message'));
    expect(response.status).toBe(200);
    expect(harness.sink.visitorEvents).toHaveLength(1);
    const event = harness.sink.visitorEvents[0]!;
    expect(event.action).toEqual({ kind: 'message', text: 'Hello Teams TestBot' });
    expect(event.eventId).toBe('1485983408511');
    expect(event.address.channel).toBe('teams');
    expect(event.address.key).toMatch(/^a:17I0kl9E/);
    expect(targetOf(event.address)).toMatchObject({
      reference: {
        channelId: 'msteams',
        serviceUrl: `${harness.connector.url}/`,
        conversation: { id: event.address.key },
        bot: { id: '28:c9e8c047-2a74-40a2-b28a-b162d5f5327c' },
      },
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    });
    expect(event.address.reference).not.toHaveProperty('activityId');
    expect(event.requester).toEqual({
      id: '7faf8ab2-3d56-4244-b585-20c8a42ed2b8',
      name: 'Megan Bowen',
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      locale: 'en-US',
      timezone: 'America/Los_Angeles',
      extra: { teamsUserId: expect.stringMatching(/^29:1XJKJ/) },
    });
  });

  it('loads the full profile (email or UPN) from the roster when the core asks, once per user', async () => {
    const profiles: unknown[] = [];
    // The core asks when it creates the conversation, in a proactive turn of its own.
    harness.sink.onVisitorEvent = async (event) => void profiles.push(await harness.adapter.requesterProfile!(event.address, event.requester));
    await harness.post(fixture('personal-message'));
    await harness.post({ ...fixture('personal-message'), id: '1485983408999' });
    expect(profiles).toHaveLength(2);
    expect(profiles[0]).toMatchObject({ id: '7faf8ab2-3d56-4244-b585-20c8a42ed2b8', name: 'Megan Bowen', email: 'MeganB@contoso.example' });
    expect(profiles[1]).toEqual(profiles[0]);
    const lookups = harness.connector.requests.filter((request) => request.method === 'GET');
    expect(lookups).toHaveLength(1);
    expect(decodeURIComponent(lookups[0]!.path)).toMatch(/^\/v3\/conversations\/a:17I0kl9E.*\/members\/29:1XJKJ/);
  });

  it('takes a channel post that @mentions the bot, without the mention, keyed by its own thread', async () => {
    await harness.post(fixture('channel-mention'));
    const event = harness.sink.visitorEvents[0]!;
    expect(event.action).toEqual({ kind: 'message', text: 'where is my laptop order?' });
    expect(event.address.key).toBe('19:aebd0ad4d6ab42c8b9ed19c251c2fc37@thread.tacv2;messageid=1481567603816');
    expect(event.address.reference).toMatchObject({ teamId: '19:efa9296d959346209fea44151c742e73@thread.tacv2', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' });
  });

  it('ignores a channel message without a mention unless the core already talks in that thread', async () => {
    const activity = fixture('channel-mention');
    activity.text = 'just chatting';
    activity.entities = [];
    expect((await harness.post(activity)).status).toBe(200);
    expect(harness.sink.visitorEvents).toHaveLength(0);

    harness.sink.liveKeys.add('19:aebd0ad4d6ab42c8b9ed19c251c2fc37@thread.tacv2;messageid=1481567603816');
    await harness.post({ ...activity, id: '1481567603999' });
    expect(harness.sink.visitorEvents.map((event) => event.action)).toEqual([{ kind: 'message', text: 'just chatting' }]);
  });

  it('opens a conversation when the bot is installed in a personal chat', async () => {
    await harness.post(fixture('conversation-update-personal-install'));
    expect(harness.sink.visitorEvents.map((event) => event.action)).toEqual([{ kind: 'startSession' }]);
    expect(harness.sink.visitorEvents[0]!.eventId).toBe('f:5f85c2ad');
  });

  it('does not open a conversation when the bot is installed in a team', async () => {
    const response = await harness.post(fixture('installation-update-team'));
    expect(response.status).toBe(200);
    expect(harness.sink.visitorEvents).toHaveLength(0);
  });

  it('turns a plain Action.Submit (empty text, data in value) into a click and updates the card in place', async () => {
    const activity = fixture('submit-empty-text');
    activity.value = encodeClick({ conversationId: 'conv-1', text: 'Nimbus keyboard', cardIndex: 1 }, 'Our keyboards');
    expect((await harness.post(activity)).status).toBe(200);
    expect(harness.sink.visitorEvents.map((event) => event.action)).toEqual([
      { kind: 'message', text: 'Nimbus keyboard', cardIndex: 1, clickedConversationId: 'conv-1' },
    ]);
    const updates = harness.connector.requests.filter((request) => request.method === 'PUT');
    expect(updates).toHaveLength(1);
    expect(decodeURIComponent(updates[0]!.path)).toMatch(/\/v3\/conversations\/a:17I0kl9E.*\/activities\/1575667808184$/);
    expect(updates[0]!.body).toMatchObject({
      type: 'message',
      id: '1575667808184',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            type: 'AdaptiveCard',
            version: '1.5',
            body: [
              { type: 'TextBlock', text: 'Our keyboards', wrap: true },
              { type: 'TextBlock', text: '✔ Nimbus keyboard', wrap: true, weight: 'Bolder', spacing: 'Medium' },
            ],
          },
        },
      ],
    });
    expect((updates[0]!.body.attachments as Array<{ content: Record<string, unknown> }>)[0]!.content).not.toHaveProperty('actions');
  });

  it('accepts a messageBack click (text plus value) with the value as a JSON string', async () => {
    const activity = fixture('message-back-submit');
    activity.value = JSON.stringify(encodeClick({ conversationId: 'conv-1', text: 'Talk to a human', payload: 'HUMAN' }));
    await harness.post(activity);
    expect(harness.sink.visitorEvents.map((event) => event.action)).toEqual([
      { kind: 'message', text: 'Talk to a human', payload: 'HUMAN', clickedConversationId: 'conv-1' },
    ]);
    expect(harness.connector.requests.filter((request) => request.method === 'PUT')).toHaveLength(1);
  });

  it('treats a messageBack whose value is not the bridge\'s as the message text, in a thread the core talks in', async () => {
    harness.sink.liveKeys.add('19:malejcou081i20ojmlcau0@thread.skype;messageid=1498171086622');
    await harness.post(fixture('message-back-submit'));
    const event = harness.sink.visitorEvents[0]!;
    expect(event.action).toEqual({ kind: 'message', text: 'User just clicked the MessageBack button' });
  });

  it('answers a click on an ended conversation with a short note and drops the buttons', async () => {
    harness.sink.visitorOutcome = { status: 'ended' };
    const activity = fixture('submit-empty-text');
    activity.value = encodeClick({ conversationId: 'conv-old', text: 'Yes' }, 'Shall I continue?');
    expect((await harness.post(activity)).status).toBe(200);
    const put = harness.connector.requests.find((request) => request.method === 'PUT')!;
    expect(JSON.stringify(put.body)).toContain('This conversation has ended.');
    const notes = harness.connector.requests.filter((request) => request.method === 'POST');
    expect(notes.map((request) => request.body.text)).toEqual([endedNote]);
  });

  it('keys a click on its card and button, not on the activity id: another card of the carousel is a new click', async () => {
    const click = (text: string, cardIndex: number, id: string) => {
      const activity = fixture('submit-empty-text');
      activity.id = id;
      activity.value = encodeClick({ conversationId: 'conv-1', text, cardIndex }, 'Our keyboards');
      return harness.post(activity);
    };
    await click('Pick', 0, 'click-activity-1');
    await click('Pick', 1, 'click-activity-2');
    await click('Pick', 0, 'click-activity-3'); // the same button clicked again, in a new activity
    const [first, other, again] = harness.sink.visitorEvents.map((event) => event.eventId);
    expect(first).toMatch(/^click:1575667808184:0:/);
    expect(other).not.toBe(first);
    expect(again).toBe(first);
  });

  it('does nothing more for a retried click the core already handled', async () => {
    harness.sink.visitorOutcome = { status: 'duplicate' };
    const activity = fixture('submit-empty-text');
    activity.value = encodeClick({ conversationId: 'conv-1', text: 'Yes' });
    await harness.post(activity);
    expect(harness.connector.requests).toHaveLength(0);
  });

  it('rejects a body that is not an activity with 400 and a clear message', async () => {
    const response = await fetch(`${harness.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2]' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ message: expect.stringContaining('Bot Framework activity') });
    expect(harness.sink.visitorEvents).toHaveLength(0);
  });

  it('rejects an oversized body', async () => {
    const activity = fixture('personal-message');
    activity.text = 'x'.repeat(300 * 1024);
    const response = await harness.post(activity);
    expect(response.status).toBe(413);
    expect(harness.sink.visitorEvents).toHaveLength(0);
  });
});

describe('POST /api/messages with a MicrosoftAppId', () => {
  it('answers an unsigned request with 401 and hands nothing to the core', async () => {
    const secured = await startTeamsHarness({ env: { appId: '00000000-0000-0000-0000-000000000001', appPassword: 'not-used-here', appType: 'MultiTenant' } });
    try {
      const response = await secured.post(fixture('personal-message'));
      expect(response.status).toBe(401);
      expect(secured.sink.visitorEvents).toHaveLength(0);
    } finally {
      await secured.close();
    }
  });
});
