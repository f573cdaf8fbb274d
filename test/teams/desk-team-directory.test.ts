/**
 * Fail closed (DESIGN 5.5): where the Teams desk side posts tickets and reads the roster is the
 * desk's team from bridge.yaml, reached at a service URL that only an authenticated activity
 * from that team may teach. Activities go through the real route; the desk team's connector, a
 * regional one and an attacker's are three loopback servers; msw stands in for Microsoft's
 * identity side (signing keys, the tenant's token endpoint).
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeskTarget, TicketView } from '../../src/core/channel-adapter.js';
import { startFakeServer, type FakeServer, type RecordedRequest, type ScriptedResponse } from '../support/fake-http-server.js';
import { botFrameworkIdentity } from './support/bot-framework-auth.js';
import { defaultConnector, fixture, startTeamsHarness, type TeamsHarness } from './support/teams-harness.js';

const tenantId = 'b28fdbfd-2b78-4f93-b0f8-8881793f0f8f';
const deskTeam = '19:zFLSDFWsesfzcmKArqKJ-65aOXJz@sgf462H2wz41@thread.tacv2';
const deskChannel = '19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2';
const otherTeam = '19:attacker0team0000000000000000000@thread.tacv2';
const desk: DeskTarget = { id: 'it-helpdesk', channel: deskChannel, team: deskTeam };
const appId = '0f6b3a2c-9d41-4e7a-8b25-6c1d2e3f4a5b';
const identity = botFrameworkIdentity();
const msw = setupServer(
  ...identity.handlers,
  http.post('https://graph.microsoft.com/v1.0/communications/getPresencesByUserId', () => HttpResponse.json({ value: [] })),
);

const ticket: TicketView = {
  ticketId: 'ticket-1',
  conversationId: 'conv-1',
  deskId: 'it-helpdesk',
  state: 'queued',
  requester: { id: 'aad-megan', name: 'Megan Bowen' },
  requesterChannel: 'teams',
  transcript: [],
  openedAt: Date.parse('2026-11-23T10:00:00Z'),
};

/** A connector that creates channel posts and serves a one-member roster. */
function teamConnector(request: RecordedRequest): ScriptedResponse {
  if (request.method === 'POST' && request.path === '/v3/conversations') return { status: 201, body: { id: `${deskChannel};messageid=1700000000001`, activityId: '1700000000001' } };
  if (request.method === 'GET' && request.path.endsWith('/pagedmembers')) return { body: { members: [{ id: '29:alice', name: 'Alice', aadObjectId: 'aad-alice', tenantId }] } };
  return defaultConnector(request);
}

let harness: TeamsHarness;
let regional: FakeServer;
let attacker: FakeServer;

beforeAll(() => msw.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => msw.close());

afterEach(async () => {
  await harness.close();
  await regional.close();
  await attacker.close();
});

async function start(env: NonNullable<Parameters<typeof startTeamsHarness>[0]>['env']): Promise<void> {
  harness = await startTeamsHarness({ script: teamConnector, env });
  regional = await startFakeServer(teamConnector);
  attacker = await startFakeServer(teamConnector);
}

/** An activity from a channel whose channelData says `team`, sent through `serviceUrl`. */
function channelActivity(team: string, serviceUrl: string, tenant = tenantId): Record<string, unknown> {
  return {
    ...fixture('installation-update-team'),
    serviceUrl,
    channelData: { team: { id: team }, channel: { id: deskChannel }, tenant: { id: tenant } },
    conversation: { isGroup: true, conversationType: 'channel', tenantId: tenant, id: deskChannel },
  };
}

async function send(activity: Record<string, unknown>, authorization?: string): Promise<number> {
  const response = await harness.postRaw(JSON.stringify(activity), authorization ? { authorization } : {});
  await response.arrayBuffer();
  return response.status;
}

/** Post a ticket and read the roster; which servers were asked. */
async function deskTraffic(): Promise<{ deskDefault: number; regional: number; attacker: number }> {
  await harness.adapter.desk!.postTicket(desk, ticket);
  await harness.adapter.desk!.presence.members(desk).catch(() => undefined);
  return { deskDefault: harness.connector.requests.length, regional: regional.requests.length, attacker: attacker.requests.length };
}

describe('the desk team directory with auth off', () => {
  it('learns nothing from traffic: a forged activity claiming the desk team does not re-point its posts or roster', async () => {
    await start({});
    expect(await send(channelActivity(deskTeam, `${attacker.url}/`))).toBe(200);
    expect(await send(channelActivity(otherTeam, `${attacker.url}/`))).toBe(200);
    const traffic = await deskTraffic();
    expect(traffic.attacker).toBe(0);
    expect(traffic.deskDefault).toBeGreaterThanOrEqual(2);
    expect(harness.connector.requests.map((request) => request.path)).toContain(`/v3/conversations/${encodeURIComponent(deskTeam)}/pagedmembers`);
  });
});

describe('the desk team directory with auth on (SingleTenant)', () => {
  const env = { appId, appPassword: 'desk-app-secret', appType: 'SingleTenant' as const, tenantId };

  it('learns the desk team\'s service URL from an authenticated activity of that team', async () => {
    await start(env);
    expect(await send(channelActivity(deskTeam, `${regional.url}/`), identity.channelAuthorization(appId, `${regional.url}/`))).toBe(200);
    const traffic = await deskTraffic();
    expect(traffic).toMatchObject({ deskDefault: 0, attacker: 0 });
    expect(traffic.regional).toBeGreaterThanOrEqual(2);
    // The connector calls carry a token from the configured tenant's endpoint, not botframework.com's.
    expect(regional.requests.every((request) => request.headers.authorization === `Bearer ${identity.connectorToken}`)).toBe(true);
    const connectorTokenRequests = identity.tokenRequests.filter((request) => request.form.get('scope')?.startsWith('https://api.botframework.com'));
    expect(connectorTokenRequests.length).toBeGreaterThan(0);
    expect(connectorTokenRequests.map((request) => request.path)).toEqual(connectorTokenRequests.map(() => `/${tenantId}/oauth2/v2.0/token`));
  });

  it('ignores what authenticated activities of other teams or tenants and unsigned ones claim about the desk', async () => {
    await start(env);
    expect(await send(channelActivity(deskTeam, `${regional.url}/`), identity.channelAuthorization(appId, `${regional.url}/`))).toBe(200);
    // Another team whose channelData names the desk's channel: the desk's team comes from bridge.yaml.
    expect(await send(channelActivity(otherTeam, `${attacker.url}/`), identity.channelAuthorization(appId, `${attacker.url}/`))).toBe(200);
    // Another tenant claiming the desk's team.
    expect(await send(channelActivity(deskTeam, `${attacker.url}/`, '11111111-2222-3333-4444-555555555555'), identity.channelAuthorization(appId, `${attacker.url}/`))).toBe(200);
    // Unsigned, or signed for another service URL than the one it names.
    expect(await send(channelActivity(deskTeam, `${attacker.url}/`))).toBe(401);
    expect(await send(channelActivity(deskTeam, `${attacker.url}/`), identity.channelAuthorization(appId, `${regional.url}/`))).toBe(401);
    const traffic = await deskTraffic();
    expect(traffic).toMatchObject({ deskDefault: 0, attacker: 0 });
    expect(traffic.regional).toBeGreaterThanOrEqual(2);
  });
});
