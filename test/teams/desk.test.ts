/**
 * The Teams desk side against a loopback connector stand-in (the adapter's default serviceUrl
 * for desk teams) and msw for Microsoft Graph and the token endpoint:
 * ticket post, in-place update, thread relay, Claim / Resolve clicks, agent replies, presence.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LRUCache } from 'lru-cache';
import { createBotFramework } from '../../adapters/teams/bot-framework-client.js';
import { GraphPresence } from '../../adapters/teams/desk/graph-presence.js';
import { TeamDirectory } from '../../adapters/teams/desk/team-directory.js';
import { createTeamsDesk } from '../../adapters/teams/desk/teams-desk.js';
import { encodeTicketAction } from '../../adapters/teams/desk/ticket-action-codec.js';
import { ProactiveSender } from '../../adapters/teams/proactive-sender.js';
import { targetOf } from '../../adapters/teams/conversation-address.js';
import type { DeskSide, DeskTarget, TicketView } from '../../src/core/channel-adapter.js';
import type { RecordedRequest, ScriptedResponse } from '../support/fake-http-server.js';
import { defaultConnector, fixture, startTeamsHarness, type TeamsHarness } from './support/teams-harness.js';
import { deliveryContext } from '../support/delivery-context.js';

const tenantId = 'b28fdbfd-2b78-4f93-b0f8-8881793f0f8f';
const teamId = '19:zFLSDFWsesfzcmKArqKJ-65aOXJz@sgf462H2wz41@thread.tacv2';
const deskChannel = '19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2';
const thread = `${deskChannel};messageid=1700000000001`;
const desk: DeskTarget = { id: 'it-helpdesk', channel: deskChannel, team: teamId };
const appId = '0f6b3a2c-9d41-4e7a-8b25-6c1d2e3f4a5b';

const graph = {
  tokenRequests: [] as URLSearchParams[],
  presenceRequests: [] as Array<{ ids: string[]; authorization: string | null }>,
  availability: new Map<string, string>(),
  failPresence: false,
};

const msw = setupServer(
  http.post('https://login.microsoftonline.com/:tenant/oauth2/v2.0/token', async ({ request, params }) => {
    const form = new URLSearchParams(await request.text());
    graph.tokenRequests.push(form);
    if (params.tenant !== tenantId || form.get('client_secret') !== 'desk-secret') return HttpResponse.json({ error: 'invalid_client' }, { status: 401 });
    return HttpResponse.json({ token_type: 'Bearer', expires_in: 3599, access_token: 'graph-token-1' });
  }),
  http.post('https://graph.microsoft.com/v1.0/communications/getPresencesByUserId', async ({ request }) => {
    const body = (await request.json()) as { ids: string[] };
    graph.presenceRequests.push({ ids: body.ids, authorization: request.headers.get('authorization') });
    if (graph.failPresence) return HttpResponse.json({ error: { code: 'Forbidden', message: 'Missing Presence.Read.All' } }, { status: 403 });
    return HttpResponse.json({ value: body.ids.map((id) => ({ id, availability: graph.availability.get(id) ?? 'PresenceUnknown', activity: 'Available' })) });
  }),
);

/** The desk team's connector: creates channel posts and serves a two-page roster. */
function deskConnector(request: RecordedRequest): ScriptedResponse {
  if (request.method === 'POST' && request.path === '/v3/conversations') return { status: 201, body: { id: thread, activityId: '1700000000001' } };
  if (request.method === 'GET' && request.path.endsWith('/pagedmembers')) {
    const member = (id: string, name: string) => ({ id: `29:${id}`, name, aadObjectId: id, tenantId });
    return request.query.get('continuationToken')
      ? { body: { members: [member('aad-carol', 'Carol')] } }
      : { body: { continuationToken: 'page-2', members: [member('aad-alice', 'Alice'), member('aad-bob', 'Bob')] } };
  }
  return defaultConnector(request);
}

const ticket: TicketView = {
  ticketId: 'ticket-1',
  conversationId: 'conv-1',
  deskId: 'it-helpdesk',
  state: 'queued',
  requester: { id: 'aad-megan', name: 'Megan Bowen' },
  requesterChannel: 'slack',
  requesterLink: 'https://example.slack.com/archives/D1/p1',
  transcript: [
    { from: 'requester', text: 'My laptop does not boot', at: 1 },
    { from: 'bot', text: 'Let me get you a human.', at: 2 },
  ],
  openedAt: Date.parse('2026-11-23T10:00:00Z'),
  waitingSince: Date.parse('2026-11-23T10:00:00Z'),
  transferTargets: ['hr-desk'],
};
const submit = (title: string, action: string) => ({ type: 'Action.Submit', title, data: { kind: 'bridge.ticket', action, ticketId: 'ticket-1' } });

let harness: TeamsHarness;
let deskSide: DeskSide;

beforeAll(() => msw.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => msw.close());

beforeEach(async () => {
  graph.tokenRequests.length = 0;
  graph.presenceRequests.length = 0;
  graph.availability.clear();
  graph.failPresence = false;
  harness = await startTeamsHarness({ script: deskConnector, env: { tenantId } });
  deskSide = harness.adapter.desk!;
  // With auth off nothing is learned from traffic: the desk team is reached at the default
  // service URL, which the harness points at the connector stand-in.
  expect((await harness.post(fixture('installation-update-team'))).status).toBe(200);
});

afterEach(async () => {
  await harness.close();
});

/**
 * A desk side with Graph credentials. The adapter's inbound route would then demand signed
 * requests, so this one is assembled from the same parts, reaching the team through the
 * default service URL (a team it has not heard from) pointed at the connector stand-in.
 */
function presenceDesk(): DeskSide {
  const framework = createBotFramework({ graphApiUrl: 'https://graph.microsoft.com/v1.0' }, 5_000);
  return createTeamsDesk({
    sender: new ProactiveSender(framework.adapter, framework.botAppId, Date.now, 5_000),
    botAppId: framework.botAppId,
    directory: new TeamDirectory({ serviceUrl: `${harness.connector.url}/`, tenantId, botAppId: framework.botAppId, learnsFromTraffic: false }),
    presence: new GraphPresence({ graphApiUrl: 'https://graph.microsoft.com/v1.0', appId, appPassword: 'desk-secret', tenantId }),
    postedThreads: new LRUCache<string, true>({ max: 10 }),
  });
}

/** The desk's members and how many of them Graph reports present, as the core's presence reads them. */
async function readDesk(side: DeskSide): Promise<{ members: number; present: number }> {
  const members = await side.presence.members(desk);
  let present = 0;
  await side.presence.readPresence({ desk, userIds: members, onReading: (_userId, isPresent) => (present += isPresent ? 1 : 0) });
  return { members: members.length, present };
}

function inThread(extra: Record<string, unknown>): Record<string, unknown> {
  const activity = fixture('channel-mention');
  return {
    ...activity,
    id: `in-${Math.random()}`,
    conversation: { isGroup: true, conversationType: 'channel', tenantId, id: thread },
    channelData: { channel: { id: deskChannel }, team: { id: teamId }, tenant: { id: tenantId } },
    from: { id: '29:dana', name: 'Dana Agent', aadObjectId: 'aad-dana' },
    ...extra,
  };
}

describe('Teams desk side', () => {
  it('posts a ticket card into the desk channel and returns its thread address', async () => {
    const address = await deskSide.postTicket(desk, ticket);
    expect(address).toMatchObject({ channel: 'teams', key: thread });
    expect(targetOf(address)).toMatchObject({ reference: { serviceUrl: `${harness.connector.url}/`, conversation: { id: thread } }, teamId, tenantId });
    const create = harness.connector.requests.find((request) => request.path === '/v3/conversations')!;
    expect(create.body).toMatchObject({ isGroup: true, channelData: { channel: { id: deskChannel } } });
    const card = (create.body.activity as { attachments: Array<{ content: Record<string, unknown> }> }).attachments[0]!.content;
    expect(card.actions).toEqual([submit('Claim', 'claim'), submit('Resolve', 'resolve'), submit('Back to bot', 'return'), submit('Transfer', 'transfer')]);
    expect(card.body).toContainEqual({ type: 'Input.ChoiceSet', id: 'transferTo', label: 'Transfer to', placeholder: 'Transfer', style: 'compact', choices: [{ title: 'hr-desk', value: 'hr-desk' }] });
    expect(card.body).toContainEqual({
      type: 'FactSet',
      facts: [
        { title: 'Requester', value: 'Megan Bowen (slack)' },
        { title: 'Thread', value: '[Open the conversation](https://example.slack.com/archives/D1/p1)' },
        { title: 'Desk', value: 'it-helpdesk' },
        { title: 'Status', value: 'Waiting for an agent' },
        { title: 'Opened', value: '2026-11-23 10:00 UTC' },
        { title: 'Waiting since', value: '2026-11-23 10:00 UTC' },
      ],
    });
    expect(JSON.stringify(card.body)).toContain('**Requester:** My laptop does not boot');
  });

  it('updates the ticket post in place, without buttons once resolved', async () => {
    const address = await deskSide.postTicket(desk, ticket);
    await deskSide.updateTicket(address, { ...ticket, state: 'assigned', assignee: { id: 'aad-dana', name: 'Dana Agent' } });
    await deskSide.updateTicket(address, { ...ticket, state: 'resolved', assignee: { id: 'aad-dana', name: 'Dana Agent' } });
    const puts = harness.connector.requests.filter((request) => request.method === 'PUT');
    expect(puts.map((request) => decodeURIComponent(request.path))).toEqual([`/v3/conversations/${thread}/activities/1700000000001`, `/v3/conversations/${thread}/activities/1700000000001`]);
    const cards = puts.map((request) => (request.body.attachments as Array<{ content: Record<string, unknown> }>)[0]!.content);
    expect(cards[0]!.actions).toEqual([submit('Release', 'release'), submit('Resolve', 'resolve'), submit('Back to bot', 'return'), submit('Transfer', 'transfer')]);
    expect(JSON.stringify(cards[0]!.body)).toContain('Assigned to Dana Agent');
    expect(cards[1]).not.toHaveProperty('actions');
    expect(JSON.stringify(cards[1]!.body)).not.toContain('Input.ChoiceSet');
    expect(JSON.stringify(cards[1]!.body)).toContain('Resolved');
  });

  it('posts requester messages into the ticket thread with the requester\'s name', async () => {
    const address = await deskSide.postTicket(desk, ticket);
    await deskSide.postToTicket(address, { kind: 'text', text: 'It beeps three times.', buttons: [], sender: { name: 'Megan Bowen' } }, deliveryContext());
    const post = harness.connector.requests.filter((request) => request.method === 'POST' && request.path !== '/v3/conversations').at(-1)!;
    expect(decodeURIComponent(post.path)).toMatch(new RegExp(`^/v3/conversations/${thread.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/activities`));
    expect(post.body).toMatchObject({ text: '**Megan Bowen**\n\nIt beeps three times.', conversation: { id: thread } });
  });

  it('posts a round-robin assignment note as a Teams mention of the member, named from the roster', async () => {
    const address = await deskSide.postTicket(desk, ticket);
    await deskSide.presence.members(desk);
    expect(await deskSide.memberName!(desk, 'aad-bob')).toBe('Bob');
    await deskSide.postNote!(address, { text: 'this ticket is assigned to you.', mention: { kind: 'member', id: 'aad-bob', name: 'Bob' } }, deliveryContext());
    const post = harness.connector.requests.filter((request) => request.method === 'POST' && request.path !== '/v3/conversations').at(-1)!;
    expect(post.body).toMatchObject({
      text: '<at>Bob</at> this ticket is assigned to you.',
      entities: [{ type: 'mention', text: '<at>Bob</at>', mentioned: { id: 'aad-bob', name: 'Bob' } }],
      conversation: { id: thread },
    });
  });

  it('relays a requester\'s own words (verbatim) into the ticket thread escaped, and shows their name escaped on the card', async () => {
    const address = await deskSide.postTicket(desk, { ...ticket, requester: { id: 'aad-megan', name: 'Megan <at>Dana</at>' } });
    const card = JSON.stringify(harness.connector.requests.find((request) => request.path === '/v3/conversations')!.body.activity);
    expect(card).toContain('Ticket: Megan \\\\<at\\\\>Dana\\\\</at\\\\> needs help');
    const words = '[Verify your account](https://evil.example/login) or <at>Dana Agent</at>';
    await deskSide.postToTicket(address, { kind: 'text', text: words, buttons: [], verbatim: true, sender: { name: 'Megan Bowen' } }, deliveryContext());
    const post = harness.connector.requests.filter((request) => request.method === 'POST' && request.path !== '/v3/conversations').at(-1)!;
    expect(post.body).toMatchObject({ textFormat: 'markdown', text: '**Megan Bowen**\n\n\\[Verify your account\\](https://evil.example/login) or \\<at\\>Dana Agent\\</at\\>' });
  });

  it('turns Claim and Resolve clicks into agent events, and says why when the core refuses', async () => {
    await harness.post(inThread({ text: undefined, entities: [], replyToId: '1700000000001', value: encodeTicketAction({ action: 'claim', ticketId: 'ticket-1' }) }));
    expect(harness.sink.agentEvents).toEqual([{ kind: 'claim', ticketId: 'ticket-1', agent: { id: 'aad-dana', name: 'Dana Agent' }, eventId: expect.any(String) }]);
    harness.sink.agentOutcome = { status: 'ignored', reason: 'already claimed by Dana Agent' };
    await harness.post(inThread({ text: undefined, entities: [], from: { id: '29:erin', name: 'Erin', aadObjectId: 'aad-erin' }, value: encodeTicketAction({ action: 'claim', ticketId: 'ticket-1' }) }));
    const note = harness.connector.requests.filter((request) => request.method === 'POST').at(-1)!;
    expect(note.body.text).toBe('Erin: already claimed by Dana Agent.');
    expect(harness.sink.visitorEvents).toHaveLength(0);
  });

  it('relays agent replies in a ticket thread (mention removed, files as links), and nothing from other threads', async () => {
    await deskSide.postTicket(desk, ticket);
    const mention = { type: 'mention', mentioned: { id: '28:c9e8c047-2a74-40a2-b28a-b162d5f5327c', name: 'Teams TestBot' }, text: '<at>Teams TestBot</at>' };
    await harness.post(
      inThread({
        text: '<at>Teams TestBot</at> Please hold the power button for 10 s.',
        entities: [mention],
        attachments: [{ contentType: 'application/vnd.microsoft.teams.file.download.info', name: 'steps.pdf', content: { downloadUrl: 'https://contoso.sharepoint.com/steps.pdf', uniqueId: 'u1', fileType: 'pdf' } }],
      }),
    );
    expect(harness.sink.agentEvents).toEqual([
      {
        kind: 'reply',
        ticketThread: expect.objectContaining({ channel: 'teams', key: thread }),
        agent: { id: 'aad-dana', name: 'Dana Agent' },
        text: 'Please hold the power button for 10 s.',
        fileUrls: ['https://contoso.sharepoint.com/steps.pdf'],
        eventId: expect.any(String),
      },
    ]);
    await harness.post(inThread({ text: 'chatter elsewhere', entities: [], conversation: { isGroup: true, conversationType: 'channel', tenantId, id: `${deskChannel};messageid=999` } }));
    expect(harness.sink.agentEvents).toHaveLength(1);
    expect(harness.sink.visitorEvents).toHaveLength(0);
  });

  it('relays replies in a thread the core knows as a ticket even if another replica posted it (RSC, no mention)', async () => {
    harness.sink.ticketThreads.add(thread);
    await harness.post(inThread({ text: 'note: checking the warranty', entities: [] }));
    expect(harness.sink.agentEvents).toMatchObject([{ kind: 'reply', text: 'note: checking the warranty', fileUrls: [] }]);
  });

  it('counts present desk members from the paged roster and Graph presence, with a cached token', async () => {
    const deskSide = presenceDesk();
    graph.availability.set('aad-alice', 'Available').set('aad-bob', 'Away').set('aad-carol', 'BusyIdle');
    expect(await readDesk(deskSide)).toEqual({ members: 3, present: 2 });
    graph.availability.set('aad-bob', 'DoNotDisturb').set('aad-carol', 'Offline');
    expect(await readDesk(deskSide)).toEqual({ members: 3, present: 1 });
    expect(graph.tokenRequests).toHaveLength(1);
    expect(Object.fromEntries(graph.tokenRequests[0]!)).toMatchObject({ grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default', client_secret: 'desk-secret' });
    expect(graph.presenceRequests.map((request) => [request.ids, request.authorization])).toEqual([
      [['aad-alice', 'aad-bob', 'aad-carol'], 'Bearer graph-token-1'],
      [['aad-alice', 'aad-bob', 'aad-carol'], 'Bearer graph-token-1'],
    ]);
    const rosterCalls = harness.connector.requests.filter((request) => request.path.endsWith('/pagedmembers'));
    expect(rosterCalls.map((request) => decodeURIComponent(request.path))).toEqual(Array(4).fill(`/v3/conversations/${teamId}/pagedmembers`));
  });

  it('links a ticket to a requester\'s channel thread, and to nothing for a private chat', async () => {
    await harness.post(fixture('channel-mention'));
    await harness.post(fixture('personal-message'));
    const [channelThread, personal] = harness.sink.visitorEvents.map((event) => event.address);
    expect(await deskSide.linkTo!(channelThread!)).toBe(
      'https://teams.microsoft.com/l/message/19%3Aaebd0ad4d6ab42c8b9ed19c251c2fc37%40thread.tacv2/1481567603816?tenantId=72f988bf-86f1-41af-91ab-2d7cd011db47',
    );
    expect(await deskSide.linkTo!(personal!)).toBeUndefined();
  });

  it('fails presence with a clear error when Graph refuses, without leaking the secret', async () => {
    const deskSide = presenceDesk();
    graph.failPresence = true;
    const error = await readDesk(deskSide).then(() => undefined, (caught: unknown) => caught as Error);
    expect(error?.message).toBe('Graph getPresencesByUserId answered HTTP 403 (Forbidden)');
    expect(JSON.stringify(error)).not.toContain('desk-secret');
  });
});

describe('Teams desk side without credentials', () => {
  it('says what presence needs', async () => {
    const bare = await startTeamsHarness({ script: deskConnector });
    try {
      await bare.post(fixture('installation-update-team'));
      await expect(readDesk(bare.adapter.desk!)).rejects.toThrow(/needs MicrosoftAppId, MicrosoftAppPassword/);
    } finally {
      await bare.close();
    }
  });
});
