/**
 * The desk across platforms, through the whole bridge (demo bot, real routes, SQLite): Teams
 * requesters with a Slack desk and a Teams desk. CSAT for a Teams requester rated on a Slack
 * desk and on a Teams desk (the click never reaches the bot, a second answer changes nothing),
 * Transfer from Slack to Teams and back (same ticket id, the old post shows where it went, its
 * thread is closed and a Teams agent's reply there is answered with a note), and a round-robin
 * Teams desk with nobody known to be present falling back to Claim. A loopback server stands in
 * for the Bot Framework connector (the desk team's behind the global Teams service URL, which
 * msw forwards there) and another for the Slack Web API.
 */
import { bypass, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalTeamsServiceUrl } from '../../adapters/teams/desk/team-directory.js';
import { encodeTicketAction } from '../../adapters/teams/desk/ticket-action-codec.js';
import type { Json } from '../slack/support/slack-fixtures.js';
import { postInteraction } from '../slack/support/signed-requests.js';
import { defaultConnector, fixture as teamsFixture } from '../teams/support/teams-harness.js';
import { startBridgeUnderTest, type BridgeUnderTest } from '../support/bridge-under-test.js';
import { startFakeServer, type FakeServer, type RecordedRequest } from '../support/fake-http-server.js';
import { slackCalls, startFakeSlack } from '../support/fake-platforms.js';
import { pollFor } from '../support/poll.js';
import { ticketClick, transferChoice } from '../support/slack-desk-payloads.js';

const secret = 'desk-cross-signing-secret';
const slackDesk = 'C0DESKXP01';
const slackAgent = 'UAGENTXP1';
const teamId = '19:zFLSDFWsesfzcmKArqKJ-65aOXJz@sgf462H2wz41@thread.tacv2';
const teamsDesk = '19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2';
const tenantId = 'b28fdbfd-2b78-4f93-b0f8-8881793f0f8f';
let connector: FakeServer;
let slack: FakeServer;
let bridge: BridgeUnderTest;
let sequence = 0;
let teamsPosts = 0;

const globalServiceUrl = setupServer(
  http.all(`${globalTeamsServiceUrl}*`, async ({ request }) => {
    const path = request.url.slice(globalTeamsServiceUrl.length - 1);
    const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.text();
    return fetch(bypass(new Request(`${connector.url}${path}`, { method: request.method, headers: request.headers, body })));
  }),
);

beforeAll(async () => {
  globalServiceUrl.listen({ onUnhandledRequest: 'bypass' });
  connector = await startFakeServer((request) => {
    if (request.method === 'POST' && request.path === '/v3/conversations') {
      const messageId = String(1700000000100 + ++teamsPosts);
      return { status: 201, body: { id: `${teamsDesk};messageid=${messageId}`, activityId: messageId } };
    }
    return defaultConnector(request);
  });
  slack = await startFakeSlack(undefined, { [slackAgent]: 'Grace Hopper' });
  bridge = await startBridgeUnderTest(
    { BOT_BACKEND: 'demo', TEAMS_ENABLED: 'true', SLACK_BOT_TOKEN: 'xoxb-cross-desk', SLACK_SIGNING_SECRET: secret, SLACK_API_URL: `${slack.url}/api/` },
    {
      defaultDesk: 'slack-desk',
      desks: [
        { id: 'slack-desk', platform: 'slack', channel: slackDesk },
        { id: 'teams-desk', platform: 'teams', channel: teamsDesk, team: teamId, assign: 'round-robin' },
      ],
    },
  );
});
afterAll(async () => {
  await bridge.stop();
  await Promise.all([connector.close(), slack.close()]);
  globalServiceUrl.close();
});

/** A Teams requester in a personal chat of their own. */
interface TeamsRequester {
  conversation: string;
  name: string;
}
const requesterNo = (n: number): TeamsRequester => ({ conversation: `a:desk-cross-${n}`, name: `Requester ${n}` });

async function postActivity(activity: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${bridge.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...activity, id: `desk-cross-${++sequence}`, serviceUrl: `${connector.url}/` }),
  });
  expect(response.status).toBe(200);
}

function requesterActivity(requester: TeamsRequester, extra: Record<string, unknown>): Record<string, unknown> {
  const base = teamsFixture('personal-message') as unknown as Record<string, unknown> & { from: Json; conversation: Json };
  return { ...base, from: { ...base.from, id: `29:${requester.conversation}`, name: requester.name, aadObjectId: `aad-${requester.conversation}` }, conversation: { ...base.conversation, id: requester.conversation }, ...extra };
}
const requesterSays = (requester: TeamsRequester, text: string) => postActivity(requesterActivity(requester, { text }));

/** What the bridge sent to a requester's chat (text, or the cards as JSON). */
const toRequester = (requester: TeamsRequester) =>
  connector.requests.filter((request) => request.method === 'POST' && decodeURIComponent(request.path).startsWith(`/v3/conversations/${requester.conversation}/activities`)).map((request) => request.body);
const waitForRequester = (requester: TeamsRequester, needle: string) => pollFor(() => toRequester(requester).find((body) => JSON.stringify(body).includes(needle)), `"${needle}" for ${requester.name}`);

const slackTicketPosts = () => slackCalls(slack, 'chat.postMessage').filter((request) => request.body.channel === slackDesk && !request.body.thread_ts);
const slackUpdatesOf = (post: RecordedRequest) => slackCalls(slack, 'chat.update').filter((request) => request.body.ts === String((post.response?.body as Json).ts));
const teamsCreates = () => connector.requests.filter((request) => request.method === 'POST' && request.path === '/v3/conversations');
const teamsPuts = (thread: string) => connector.requests.filter((request) => request.method === 'PUT' && decodeURIComponent(request.path).startsWith(`/v3/conversations/${thread}`));
const toTeamsThread = (thread: string) =>
  connector.requests.filter((request) => request.method === 'POST' && decodeURIComponent(request.path).startsWith(`/v3/conversations/${thread}/activities`)).map((request) => String(request.body.text ?? JSON.stringify(request.body.attachments)));

async function slackTicketFor(requester: TeamsRequester): Promise<RecordedRequest> {
  await requesterSays(requester, 'hello');
  await waitForRequester(requester, 'Show products');
  const before = slackTicketPosts().length;
  await requesterSays(requester, 'human');
  return pollFor(() => slackTicketPosts()[before], `the Slack ticket of ${requester.name}`);
}

function ticketIdOf(post: RecordedRequest): string {
  return String((post.body.blocks as Json[]).find((block) => block.type === 'actions')!.block_id).replace('bridge.ticket:', '');
}

/** The Action.Submit data of the CSAT card's button `score`. */
async function ratingData(requester: TeamsRequester, score: string): Promise<Record<string, unknown>> {
  const card = await waitForRequester(requester, 'How did we do?');
  const actions = ((card.attachments as Json[])[0]!.content as Json).actions as Json[] | undefined;
  const button = actions?.find((action) => action.title === score);
  expect(button, `the CSAT card has a button ${score}`).toHaveProperty('data');
  return button!.data as Record<string, unknown>;
}

function teamsAgent(thread: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    ...teamsFixture('channel-mention'),
    conversation: { isGroup: true, conversationType: 'channel', tenantId, id: thread },
    channelData: { channel: { id: teamsDesk }, team: { id: teamId }, tenant: { id: tenantId } },
    from: { id: '29:dana', name: 'Dana Agent', aadObjectId: 'aad-dana' },
    entities: [],
    ...extra,
  };
}

describe('CSAT for a Teams requester on a Slack desk', () => {
  it('asks with buttons 1 to 5, stores and shows the answer, thanks once, and never tells the bot', async () => {
    const requester = requesterNo(1);
    const post = await slackTicketFor(requester);
    await postInteraction(`${bridge.url}/slack/events`, ticketClick(post, { user: slackAgent, channel: slackDesk }, 'resolve'), { secret });
    await waitForRequester(requester, 'marked this conversation as resolved');
    const card = await waitForRequester(requester, 'How did we do?');
    expect((((card.attachments as Json[])[0]!.content as Json).actions as Json[]).map((action) => action.title)).toEqual(['1', '2', '3', '4', '5']);
    await postActivity(requesterActivity(requester, { text: '', value: await ratingData(requester, '4') }));
    await waitForRequester(requester, 'Thank you for your rating (4 of 5)!');
    await pollFor(() => slackUpdatesOf(post).find((update) => JSON.stringify(update.body.blocks).includes('Rated *4/5*')), 'the rating on the Slack post');
    await postActivity(requesterActivity(requester, { text: '', value: await ratingData(requester, '5') }));
    await bridge.worker.idle();
    expect(toRequester(requester).filter((body) => JSON.stringify(body).includes('Thank you for your rating'))).toHaveLength(1);
    // The demo bot answers anything it does not know with its help text; it heard no "4" or "5".
    expect(toRequester(requester).filter((body) => JSON.stringify(body).includes('I am a small demo bot'))).toEqual([]);
    expect((await (await fetch(`${bridge.url}/metrics`)).text())).toContain('bridge_csat_responses_total{desk="slack-desk",score="4"} 1');
  });
});

describe('Transfer across platforms', () => {
  it('moves a ticket from the Slack desk to the Teams desk and back, same id, old posts showing where it went', async () => {
    const requester = requesterNo(2);
    const post = await slackTicketFor(requester);
    const ticketId = ticketIdOf(post);
    const creates = teamsCreates().length;
    await postInteraction(`${bridge.url}/slack/events`, transferChoice(post, { user: slackAgent, channel: slackDesk }, 'teams-desk'), { secret });
    const create = await pollFor(() => teamsCreates()[creates], 'the Teams ticket card');
    const card = JSON.stringify(create.body.activity);
    expect(card).toContain(`"ticketId":"${ticketId}"`);
    expect(card).toContain('(teams)');
    // Round-robin with nobody known to be present (no Graph credentials): queued for Claim.
    expect(card).toContain('"title":"Claim"');
    expect(card).toContain('"type":"Input.ChoiceSet"');
    await waitForRequester(requester, "I've passed your request on to another team");
    const old = await pollFor(() => slackUpdatesOf(post).find((update) => JSON.stringify(update.body.blocks).includes('Transferred to teams-desk')), 'the old Slack post');
    expect(JSON.stringify(old.body.blocks)).not.toContain('bridge.ticket.');

    const thread = `${teamsDesk};messageid=${1700000000100 + teamsPosts}`;
    await postActivity(teamsAgent(thread, { text: undefined, value: encodeTicketAction({ action: 'claim', ticketId }) }));
    await waitForRequester(requester, 'Dana Agent joined the conversation.');
    await postActivity(teamsAgent(thread, { text: undefined, value: { ...encodeTicketAction({ action: 'transfer', ticketId }), transferTo: 'slack-desk' } }));
    const back = await pollFor(() => slackTicketPosts().find((candidate) => candidate !== post && JSON.stringify(candidate.body.blocks).includes(ticketId)), 'the ticket back in Slack');
    expect(ticketIdOf(back)).toBe(ticketId);
    await pollFor(() => teamsPuts(thread).find((put) => JSON.stringify(put.body).includes('Transferred to slack-desk')), 'the old Teams card');
    expect(JSON.stringify(teamsPuts(thread).at(-1)!.body)).not.toContain('Action.Submit');

    await postActivity(teamsAgent(thread, { text: 'Are you still there?' }));
    await pollFor(() => toTeamsThread(thread).find((text) => text === 'Dana Agent: not sent to the requester, this ticket was transferred to slack-desk.'), 'the closed-thread reply');
    expect(toRequester(requester).some((body) => JSON.stringify(body).includes('Are you still there?'))).toBe(false);
  });
});

describe('CSAT on a Teams desk', () => {
  it('a Teams agent resolves; the Teams requester rates; the Teams card shows the rating', async () => {
    const requester = requesterNo(3);
    const post = await slackTicketFor(requester);
    const ticketId = ticketIdOf(post);
    const creates = teamsCreates().length;
    await postInteraction(`${bridge.url}/slack/events`, transferChoice(post, { user: slackAgent, channel: slackDesk }, 'teams-desk'), { secret });
    await pollFor(() => teamsCreates()[creates], 'the Teams ticket card');
    const thread = `${teamsDesk};messageid=${1700000000100 + teamsPosts}`;
    await postActivity(teamsAgent(thread, { text: undefined, value: encodeTicketAction({ action: 'resolve', ticketId }) }));
    await waitForRequester(requester, 'marked this conversation as resolved');
    await postActivity(requesterActivity(requester, { text: '', value: await ratingData(requester, '5') }));
    await waitForRequester(requester, 'Thank you for your rating (5 of 5)!');
    await pollFor(() => teamsPuts(thread).find((put) => JSON.stringify(put.body).includes('"title":"Rating","value":"5/5"')), 'the rating on the Teams card');
  });
});
