/**
 * A Teams requester with a Slack desk, through the whole bridge (demo bot): the requester asks for
 * a human in a Teams personal chat, the ticket appears in the Slack desk channel, a Slack agent
 * claims it and replies in its thread (a `note:` stays there), the reply reaches Teams under the
 * agent's name, the agent resolves, and the requester's next message goes to the bot in a new
 * conversation. Loopback servers stand in for the Bot Framework connector and the Slack Web API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../slack/support/slack-fixtures.js';
import { postEvent, postInteraction } from '../slack/support/signed-requests.js';
import { defaultConnector, fixture as teamsFixture } from '../teams/support/teams-harness.js';
import { startBridgeUnderTest, type BridgeUnderTest } from '../support/bridge-under-test.js';
import { startFakeServer, type FakeServer } from '../support/fake-http-server.js';
import { slackCalls, startFakeSlack } from '../support/fake-platforms.js';
import { pollFor } from '../support/poll.js';
import { agentThreadReply, ticketClick } from '../support/slack-desk-payloads.js';

const secret = 'cross-platform-signing-secret';
const deskChannel = 'C0DESKX001';
const agent = 'UAGENTX01';
let connector: FakeServer;
let slack: FakeServer;
let bridge: BridgeUnderTest;
let sequence = 0;

beforeAll(async () => {
  connector = await startFakeServer(defaultConnector);
  slack = await startFakeSlack(undefined, { [agent]: 'Grace Hopper' });
  bridge = await startBridgeUnderTest(
    { BOT_BACKEND: 'demo', TEAMS_ENABLED: 'true', SLACK_BOT_TOKEN: 'xoxb-cross', SLACK_SIGNING_SECRET: secret, SLACK_API_URL: `${slack.url}/api/` },
    { defaultDesk: 'it-helpdesk', desks: [{ id: 'it-helpdesk', platform: 'slack', channel: deskChannel }] },
  );
});
afterAll(async () => {
  await bridge.stop();
  await Promise.all([connector.close(), slack.close()]);
});

async function teamsRequesterSays(text: string): Promise<void> {
  const activity = { ...teamsFixture('personal-message'), text, id: `cross-${++sequence}`, serviceUrl: `${connector.url}/` };
  const response = await fetch(`${bridge.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  expect(response.status).toBe(200);
}

/** Texts the bridge sent into the Teams personal chat (cards as JSON). */
const toTeams = () =>
  connector.requests
    .filter((request) => request.method === 'POST' && /\/v3\/conversations\/[^/]+\/activities/.test(decodeURIComponent(request.path)))
    .map((request) => JSON.stringify(request.body));
const waitForTeams = (needle: string) => pollFor(() => toTeams().find((body) => body.includes(needle)), `"${needle}" in Teams`);
const deskPosts = () => slackCalls(slack, 'chat.postMessage').filter((request) => request.body.channel === deskChannel);


async function agentReplies(text: string, threadTs: string): Promise<void> {
  const event = agentThreadReply({ eventId: `EvCross${++sequence}`, channel: deskChannel, user: agent, text, threadTs, ts: `1700003${String(sequence).padStart(3, '0')}.000100` });
  expect((await postEvent(`${bridge.url}/slack/events`, event, { secret })).status).toBe(200);
}

describe('Teams requester, Slack desk', () => {
  it('hands over, relays both ways, resolves, and goes back to the bot', async () => {
    await teamsRequesterSays('hello');
    await waitForTeams('Show products');
    const threadKey = (teamsFixture('personal-message') as unknown as { conversation: { id: string } }).conversation.id;
    const firstId = (await pollFor(() => bridge.store.findConversationByAddress('teams', threadKey), 'the Teams conversation')).value.id;

    await teamsRequesterSays('human');
    const ticket = await pollFor(() => deskPosts()[0], 'the ticket in the Slack desk');
    expect(JSON.stringify(ticket.body.blocks)).toContain('Microsoft Teams');
    await waitForTeams('handing you over');
    const ticketTs = String((ticket.response?.body as Json).ts);

    await teamsRequesterSays('My Teams calls drop');
    expect((await pollFor(() => deskPosts().find((post) => String(post.body.text).includes('My Teams calls drop')), 'relay to Slack')).body.thread_ts).toBe(ticketTs);

    await postInteraction(`${bridge.url}/slack/events`, ticketClick(ticket, { user: agent, channel: deskChannel }, 'claim'), { secret });
    await waitForTeams('Grace Hopper joined the conversation.');
    await agentReplies('note: check their headset', ticketTs);
    await agentReplies('Which headset do you use?', ticketTs);
    const reply = await waitForTeams('Which headset do you use?');
    expect(reply).toContain('Grace Hopper');
    expect(toTeams().some((body) => body.includes('check their headset'))).toBe(false);

    await postInteraction(`${bridge.url}/slack/events`, ticketClick(ticket, { user: agent, channel: deskChannel }, 'resolve'), { secret });
    await waitForTeams('marked this conversation as resolved');
    await teamsRequesterSays('products');
    await pollFor(() => toTeams().filter((body) => body.includes('carousel')).length > 0 || undefined, 'the bot answering again');
    const current = await bridge.store.findConversationByAddress('teams', threadKey);
    expect(current!.value.id).not.toBe(firstId);
    expect(deskPosts().some((post) => String(post.body.text).includes('products'))).toBe(false);
  });
});
