/**
 * Teams activities through the whole bridge (demo bot, auth off as with the Playground): activity
 * ids are millisecond timestamps, unique only within a conversation, so two users in different
 * chats writing in the same millisecond are two events, not a retry; a real retry (same id, same
 * chat) reaches the bot once. Each message sent to Teams is counted once in bridge_events_out_total.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConnector, fixture as teamsFixture } from '../teams/support/teams-harness.js';
import { startBridgeUnderTest, type BridgeUnderTest } from '../support/bridge-under-test.js';
import { startFakeServer, type FakeServer } from '../support/fake-http-server.js';
import { pollFor } from '../support/poll.js';

let connector: FakeServer;
let bridge: BridgeUnderTest;

beforeAll(async () => {
  connector = await startFakeServer(defaultConnector);
  bridge = await startBridgeUnderTest({ BOT_BACKEND: 'demo', TEAMS_ENABLED: 'true' });
});
afterAll(async () => {
  await bridge.stop();
  await connector.close();
});

/** A documented personal-chat message (fixture personal-message) in chat `chat` from user `user`. */
function message(chat: string, user: string, id: string, text: string) {
  const activity = teamsFixture('personal-message') as unknown as Record<string, unknown> & { conversation: object; from: object };
  return { ...activity, id, text, serviceUrl: `${connector.url}/`, conversation: { ...activity.conversation, id: chat }, from: { ...activity.from, id: user, aadObjectId: undefined } };
}

const post = (activity: unknown) => fetch(`${bridge.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
const sentTo = (chat: string) => connector.requests.filter((request) => request.method === 'POST' && decodeURIComponent(request.path).startsWith(`/v3/conversations/${chat}/activities`));

describe('Teams inbound dedupe', () => {
  it('keeps two chats apart when their activities share an id, and drops a real retry', async () => {
    const [first, second] = ['a:1chat-first', 'a:1chat-second'];
    const id = '1764633600123';
    expect((await post(message(first, '29:1user-first', id, 'hello'))).status).toBe(200);
    expect((await post(message(second, '29:1user-second', id, 'hello'))).status).toBe(200);
    expect((await post(message(first, '29:1user-first', id, 'hello'))).status).toBe(200); // Bot Framework's retry
    await pollFor(() => (sentTo(first).length > 0 && sentTo(second).length > 0 ? true : undefined), 'the demo bot answering both chats');
    await bridge.worker.idle();
    const answers = (chat: string) => sentTo(chat).length;
    expect(answers(first)).toBe(answers(second)); // the same welcome-and-answer in both chats, the retry adding nothing

    const counted = (await bridge.metrics.eventsOut.get()).values.filter((value) => value.labels.platform === 'teams').reduce((sum, value) => sum + value.value, 0);
    expect(counted).toBe(answers(first) + answers(second));
  });
});
