/**
 * A full hand-off on Teams through the whole bridge (demo bot, real routes, SQLite store): a
 * requester in a personal chat asks for a human, the ticket card appears in the Teams desk
 * channel, an agent claims it, both sides talk in the ticket thread (a `note:` stays internal),
 * the agent resolves it, and the requester's next message is answered by the bot again.
 * A loopback server stands in for the Bot Framework connector of both conversations: the
 * requester's at the activities' serviceUrl, the desk team's behind the global Teams service
 * URL (msw forwards it there), since with auth off the bridge learns no service URL from traffic.
 */
import { bypass, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalTeamsServiceUrl } from '../../adapters/teams/desk/team-directory.js';
import { encodeTicketAction } from '../../adapters/teams/desk/ticket-action-codec.js';
import { startBridgeUnderTest, type BridgeUnderTest } from '../support/bridge-under-test.js';
import { startFakeServer, type FakeServer, type RecordedRequest } from '../support/fake-http-server.js';
import { pollFor } from '../support/poll.js';
import { defaultConnector, fixture } from './support/teams-harness.js';

const teamId = '19:zFLSDFWsesfzcmKArqKJ-65aOXJz@sgf462H2wz41@thread.tacv2';
const deskChannel = '19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2';
const ticketThread = `${deskChannel};messageid=1700000000001`;
const tenantId = 'b28fdbfd-2b78-4f93-b0f8-8881793f0f8f';

let connector: FakeServer;
let bridge: BridgeUnderTest;
let sequence = 0;

/** Forwards what the bridge sends to the global Teams service URL to the connector stand-in. */
const globalServiceUrl = setupServer(
  http.all(`${globalTeamsServiceUrl}*`, async ({ request }) => {
    const path = request.url.slice(globalTeamsServiceUrl.length - 1);
    const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.text();
    return fetch(bypass(new Request(`${connector.url}${path}`, { method: request.method, headers: request.headers, body })));
  }),
);

beforeAll(async () => {
  globalServiceUrl.listen({ onUnhandledRequest: 'bypass' });
  connector = await startFakeServer((request) =>
    request.method === 'POST' && request.path === '/v3/conversations' ? { status: 201, body: { id: ticketThread, activityId: '1700000000001' } } : defaultConnector(request),
  );
  bridge = await startBridgeUnderTest(
    { BOT_BACKEND: 'demo', TEAMS_ENABLED: 'true' },
    { defaultDesk: 'it-helpdesk', desks: [{ id: 'it-helpdesk', platform: 'teams', channel: deskChannel, team: teamId, transcriptTurns: 10 }] },
  );
});

afterAll(async () => {
  await bridge.stop();
  await connector.close();
  globalServiceUrl.close();
});

async function post(activity: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${bridge.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...activity, id: `activity-${++sequence}`, serviceUrl: `${connector.url}/` }),
  });
  expect(response.status).toBe(200);
}

const requesterSays = (text: string) => post({ ...fixture('personal-message'), text });

function agentActivity(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    ...fixture('channel-mention'),
    conversation: { isGroup: true, conversationType: 'channel', tenantId, id: ticketThread },
    channelData: { channel: { id: deskChannel }, team: { id: teamId }, tenant: { id: tenantId } },
    from: { id: '29:dana', name: 'Dana Agent', aadObjectId: 'aad-dana' },
    entities: [],
    ...extra,
  };
}

/** Messages the bridge sent into a conversation, as text (cards as their JSON). */
function sentTo(conversationPrefix: string): string[] {
  return connector.requests
    .filter((request) => request.method === 'POST' && decodeURIComponent(request.path).startsWith(`/v3/conversations/${conversationPrefix}`))
    .map((request) => String(request.body.text ?? JSON.stringify(request.body.attachments)));
}

const toRequester = () => sentTo('a:17I0kl9E');
const toThread = () => sentTo(ticketThread);
const waitFor = (probe: () => string[], needle: string) => pollFor(() => (probe().some((text) => text.includes(needle)) ? true : undefined), `"${needle}"`);
const ticketPuts = (): RecordedRequest[] => connector.requests.filter((request) => request.method === 'PUT' && decodeURIComponent(request.path).startsWith(`/v3/conversations/${ticketThread}`));

describe('hand-off on Teams', () => {
  it('escalates, relays both ways, keeps notes internal, resolves, and returns to the bot', async () => {
    // The app installed in the desk team: with auth off this teaches nothing (no signed serviceUrl).
    await post(fixture('installation-update-team'));

    await requesterSays('[Verify your account](https://evil.example/login) please');
    await waitFor(toRequester, 'demo bot');
    await requesterSays('I want to talk to a human');
    const create = await pollFor(() => connector.requests.find((request) => request.path === '/v3/conversations'), 'the ticket post');
    expect(create.body).toMatchObject({ isGroup: true, channelData: { channel: { id: deskChannel } } });
    const card = JSON.stringify(create.body.activity);
    expect(card).toContain('Megan Bowen (teams)');
    expect(card).toContain('I want to talk to a human');
    // The requester's Markdown link reaches the agents' card as text, not as a live link.
    expect(card).toContain('**Requester:** \\\\[Verify your account\\\\](https://evil.example/login) please');
    const ticketId = /"ticketId":"([^"]+)"/.exec(card)![1]!;
    await waitFor(toRequester, 'handing you over');

    await requesterSays('My laptop does not boot');
    await waitFor(toThread, '**Megan Bowen**\n\nMy laptop does not boot');

    await post(agentActivity({ text: undefined, replyToId: '1700000000001', value: encodeTicketAction({ action: 'claim', ticketId }) }));
    await waitFor(toRequester, 'Dana Agent joined the conversation.');
    await pollFor(() => (ticketPuts().some((request) => JSON.stringify(request.body).includes('Assigned to Dana Agent')) ? true : undefined), 'the card to show the owner');

    await post(agentActivity({ text: 'note: probably the battery' }));
    await post(agentActivity({ text: 'Please hold the power button for 10 seconds.' }));
    await waitFor(toRequester, '**Dana Agent**\n\nPlease hold the power button for 10 seconds.');
    expect(toRequester().some((text) => text.includes('probably the battery'))).toBe(false);

    await post(agentActivity({ text: undefined, replyToId: '1700000000001', value: encodeTicketAction({ action: 'resolve', ticketId }) }));
    await waitFor(toRequester, 'marked this conversation as resolved');
    const resolvedCard = await pollFor(() => ticketPuts().find((request) => JSON.stringify(request.body).includes('Resolved')), 'the resolved card');
    expect(JSON.stringify(resolvedCard.body)).not.toContain('Action.Submit');

    const before = toRequester().length;
    await requesterSays('hello');
    await pollFor(() => (toRequester().slice(before).some((text) => text.includes('demo bot')) ? true : undefined), 'the bot to answer again');
    expect(toThread().some((text) => text.includes('hello'))).toBe(false);
  });
});
