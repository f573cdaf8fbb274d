/**
 * Multi-workspace Slack end to end: a bridge with SLACK_CLIENT_ID (no SLACK_BOT_TOKEN) on SQLite,
 * the Slack Web API (oauth.v2.access, auth.test, chat.postMessage, users.info) served by msw, the
 * Chat API on loopback. Workspaces are installed through the real /slack/install and
 * /slack/oauth_redirect with Bolt's state parameter and cookie; signed events from each are
 * answered with that workspace's own token; an org-wide install serves two of its workspaces;
 * uninstalled and revoked workspaces are ignored and their deliveries dead-lettered; the tokens
 * are not readable in the store's files; another SECRETS_KEY stops the next start with one line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackBotScopes } from '../../adapters/slack/oauth-scopes.js';
import { startBridgeUnderTest, type BridgeUnderTest } from '../support/bridge-under-test.js';
import type { FakeServer } from '../support/fake-http-server.js';
import { startFakeUltimate } from '../support/fake-platforms.js';
import { pollFor } from '../support/poll.js';
import { FakeSlackApi, fakeSlackApiUrl } from './support/fake-slack-api.js';
import { postEvent } from './support/signed-requests.js';
import { fixture, type Json } from './support/slack-fixtures.js';

const secret = 'multi-workspace-signing-secret';
const webhookToken = 'multi-workspace-webhook-token';
const secretsKey = 'a'.repeat(64);
const publicUrl = 'https://bridge.example.com';

/** The workspaces of the test: each installed with its own code and token. */
const workspaces = {
  a: { team: 'T0AAAAAAA', token: 'xoxb-team-a-000000000001', code: 'code-a', user: 'U0AAAAUSR', channel: 'D0AAAAAAA' },
  b: { team: 'T0BBBBBBB', token: 'xoxb-team-b-000000000002', code: 'code-b', user: 'U0BBBBUSR', channel: 'D0BBBBBBB' },
  c: { team: 'T0CCCCCCC', token: 'xoxb-team-c-000000000003', code: 'code-c', user: 'U0CCCCUSR', channel: 'D0CCCCCCC' },
};
const org = { enterprise: 'E0ORG0001', token: 'xoxb-org-000000000004', code: 'code-org' };
const orgWorkspaces = {
  one: { team: 'T0ORGW001', user: 'U0ORG1USR', channel: 'D0ORG1AAA' },
  two: { team: 'T0ORGW002', user: 'U0ORG2USR', channel: 'D0ORG2AAA' },
};
const deskChannel = 'C0DESKAAA';

const slackApi = new FakeSlackApi();
let ultimate: FakeServer;
let bridge: BridgeUnderTest;
let dir: string;
let storeUrl: string;

function oauthAnswer(code: unknown): Json {
  const workspace = Object.values(workspaces).find((candidate) => candidate.code === code);
  if (workspace) {
    const answer = fixture('oauth-v2-access');
    answer.access_token = workspace.token;
    answer.team = { id: workspace.team, name: `Workspace ${workspace.team}` };
    return answer;
  }
  if (code === org.code) {
    const answer = fixture('oauth-v2-access-org');
    answer.access_token = org.token;
    answer.enterprise = { id: org.enterprise, name: 'Org' };
    return answer;
  }
  return { ok: false, error: 'invalid_code' };
}

beforeAll(async () => {
  slackApi.listen();
  slackApi.on('oauth.v2.access', (args) => oauthAnswer(args.code));
  slackApi.on('auth.test', () => ({ user_id: 'U0KRQLJ9H', bot_id: 'B0KRQLJ9H', team_id: 'T9TK3CUKW', url: 'https://org.enterprise.slack.com/' }));
  slackApi.on('conversations.members', () => ({ members: [] }));
  ultimate = await startFakeUltimate();
  dir = mkdtempSync(join(tmpdir(), 'multi-workspace-'));
  storeUrl = `sqlite:${join(dir, 'bridge.db')}`;
  bridge = await startBridgeUnderTest(
    {
      STORE_URL: storeUrl,
      BOT_BACKEND: 'ultimate',
      ULTIMATE_API_URL: ultimate.url,
      ULTIMATE_API_KEY: 'ultimate-key',
      ULTIMATE_BOT_ID: 'bot-1',
      WEBHOOK_TOKEN: webhookToken,
      SLACK_SIGNING_SECRET: secret,
      SLACK_CLIENT_ID: '2141029472.691202649728',
      SLACK_CLIENT_SECRET: 'client-secret-e1b9e11dfcd19c1982d5de',
      SLACK_STATE_SECRET: 'state-secret-for-the-test',
      SECRETS_KEY: secretsKey,
      PUBLIC_URL: publicUrl,
      SLACK_API_URL: fakeSlackApiUrl,
    },
    { defaultDesk: 'helpdesk', desks: [{ id: 'helpdesk', platform: 'slack', channel: deskChannel, team: workspaces.a.team }] },
  );
});
afterAll(async () => {
  await bridge?.stop();
  slackApi.close();
  await ultimate?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The browser's part of Bolt's OAuth flow: /slack/install, Slack's consent (skipped), /slack/oauth_redirect with the state cookie. */
async function install(code: string): Promise<Response> {
  const start = await fetch(`${bridge.url}/slack/install`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const consent = new URL(start.headers.get('location')!);
  const state = consent.searchParams.get('state')!;
  const cookie = start.headers.get('set-cookie')!.split(';')[0]!;
  expect(cookie).toBe(`slack-app-oauth-state=${state}`);
  return fetch(`${bridge.url}/slack/oauth_redirect?code=${code}&state=${encodeURIComponent(state)}`, { headers: { cookie } });
}

/** A signed DM event from a workspace; `enterprise` makes it an event of an org-wide install. */
function dm(where: { team: string; user: string; channel: string }, text: string, eventId: string, enterprise?: string): Promise<Response> {
  const event = fixture('event-message-im');
  event.team_id = where.team;
  event.event_id = eventId;
  event.event.user = where.user;
  event.event.channel = where.channel;
  event.event.text = text;
  event.event.ts = event.event.event_ts = `1700000${eventId.length}${Math.floor(Math.random() * 1000)}.000100`;
  event.authorizations = [{ team_id: enterprise ? null : where.team, enterprise_id: enterprise ?? null, user_id: 'U0KRQLJ9H', is_bot: true, is_enterprise_install: Boolean(enterprise) }];
  if (enterprise) {
    event.enterprise_id = enterprise;
    event.is_enterprise_install = true;
  }
  return postEvent(`${bridge.url}/slack/events`, event, { secret });
}

const converseWith = (text: string) => pollFor(() => ultimate.requests.find((request) => request.body.text === text), `Converse "${text}"`);

function webhook(data: Record<string, unknown>): Promise<Response> {
  return fetch(`${bridge.url}/converse-webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${webhookToken}` },
    body: JSON.stringify({ botId: 'bot-1', data }),
  });
}

/** The bot answers a conversation; resolves with the chat.postMessage carrying the text. */
async function botSays(conversationId: string, text: string) {
  expect((await webhook({ eventType: 'sendMessage', platformConversationId: conversationId, type: 'text', text, buttons: [], carouselCards: [] })).status).toBe(200);
  return pollFor(() => slackApi.callsOf('chat.postMessage').find((call) => call.args.text === text), `chat.postMessage "${text}"`);
}

/** A DM that reaches the bot; resolves with its conversation id. */
async function conversationIn(where: { team: string; user: string; channel: string }, text: string, enterprise?: string): Promise<string> {
  expect((await dm(where, text, `Ev${text.replace(/\W/g, '')}`, enterprise)).status).toBe(200);
  return String((await converseWith(text)).body.platformConversationId);
}

function storeFilesText(): string {
  return readdirSync(dir)
    .filter((name) => name.startsWith('bridge.db'))
    .map((name) => readFileSync(join(dir, name)).toString('latin1'))
    .join('\n');
}

describe('multi-workspace Slack', () => {
  const conversations: Record<string, string> = {};

  it('sends the admin to Slack with the scopes, the redirect URI and a state that the cookie repeats', async () => {
    const start = await fetch(`${bridge.url}/slack/install`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const consent = new URL(start.headers.get('location')!);
    expect(`${consent.origin}${consent.pathname}`).toBe('https://slack.com/oauth/v2/authorize');
    expect(consent.searchParams.get('client_id')).toBe('2141029472.691202649728');
    expect(consent.searchParams.get('scope')).toBe(slackBotScopes.join(','));
    expect(consent.searchParams.get('redirect_uri')).toBe(`${publicUrl}/slack/oauth_redirect`);
    expect(start.headers.get('set-cookie')).toContain(`slack-app-oauth-state=${consent.searchParams.get('state')}`);
  });

  it('refuses a redirect whose state is not this browser session\'s, exchanging no code', async () => {
    const start = await fetch(`${bridge.url}/slack/install`, { redirect: 'manual' });
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const back = await fetch(`${bridge.url}/slack/oauth_redirect?code=${workspaces.a.code}&state=${encodeURIComponent(state)}`);
    expect(back.status).not.toBe(200);
    expect(slackApi.callsOf('oauth.v2.access')).toHaveLength(0);
    expect(await bridge.store.getRecord(`slack:installation:team:${workspaces.a.team}`)).toBeUndefined();
  });

  it('installs two workspaces through the redirect, exchanging each code with the client credentials', async () => {
    for (const workspace of [workspaces.a, workspaces.b]) {
      const back = await install(workspace.code);
      expect(back.status).toBe(200);
      const exchange = slackApi.callsOf('oauth.v2.access').at(-1)!;
      expect(exchange.args).toMatchObject({ code: workspace.code, redirect_uri: `${publicUrl}/slack/oauth_redirect` });
      expect(await bridge.store.getRecord(`slack:installation:team:${workspace.team}`)).toMatchObject({ value: { state: 'installed', teamId: workspace.team, isEnterpriseInstall: false } });
    }
  });

  it('answers each workspace\'s conversation with that workspace\'s token, on every Web API call', async () => {
    conversations.a = await conversationIn(workspaces.a, 'Hello from A');
    conversations.b = await conversationIn(workspaces.b, 'Hello from B');
    const [toA, toB] = await Promise.all([botSays(conversations.a, 'Hi A'), botSays(conversations.b, 'Hi B')]);
    expect(toA.args.channel).toBe(workspaces.a.channel);
    expect(toA.authorization).toBe(`Bearer ${workspaces.a.token}`);
    expect(toB.args.channel).toBe(workspaces.b.channel);
    expect(toB.authorization).toBe(`Bearer ${workspaces.b.token}`);
    // The requester profiles were read in each requester's own workspace.
    const profileCalls = slackApi.callsOf('users.info');
    expect(profileCalls.find((call) => call.args.user === workspaces.a.user)?.authorization).toBe(`Bearer ${workspaces.a.token}`);
    expect(profileCalls.find((call) => call.args.user === workspaces.b.user)?.authorization).toBe(`Bearer ${workspaces.b.token}`);
  });

  it('posts a ticket into the desk\'s workspace with that workspace\'s token, whichever workspace the requester is in', async () => {
    expect((await webhook({ eventType: 'escalate', platformConversationId: conversations.b, escalateTo: 'helpdesk' })).status).toBe(200);
    const ticket = await pollFor(() => slackApi.callsOf('chat.postMessage').find((call) => call.args.channel === deskChannel), 'the ticket post');
    expect(ticket.authorization).toBe(`Bearer ${workspaces.a.token}`);
    const notice = await pollFor(() => slackApi.callsOf('chat.postMessage').find((call) => call.args.channel === workspaces.b.channel && call.args.text !== 'Hi B'), 'the queue notice');
    expect(notice.authorization).toBe(`Bearer ${workspaces.b.token}`);
  });

  it('keeps the tokens unreadable at rest: the records and the SQLite files hold no xoxb- token', async () => {
    const record = await bridge.store.getRecord<Json>(`slack:installation:team:${workspaces.a.team}`);
    expect(JSON.stringify(record)).not.toContain('xoxb-');
    expect(record!.value.sealed).toMatch(/^v1\./);
    const files = storeFilesText();
    expect(files).toContain(workspaces.a.team); // the search does reach the records
    expect(files).not.toContain('xoxb-');
  });

  it('serves events from two workspaces of an org with the org-wide installation\'s token', async () => {
    expect((await install(org.code)).status).toBe(200);
    expect(await bridge.store.getRecord(`slack:installation:enterprise:${org.enterprise}`)).toMatchObject({ value: { state: 'installed', enterpriseId: org.enterprise, isEnterpriseInstall: true } });
    const one = await conversationIn(orgWorkspaces.one, 'Hello from org one', org.enterprise);
    const two = await conversationIn(orgWorkspaces.two, 'Hello from org two', org.enterprise);
    const [toOne, toTwo] = await Promise.all([botSays(one, 'Hi org one'), botSays(two, 'Hi org two')]);
    expect([toOne.args.channel, toTwo.args.channel]).toEqual([orgWorkspaces.one.channel, orgWorkspaces.two.channel]);
    expect([toOne.authorization, toTwo.authorization]).toEqual([`Bearer ${org.token}`, `Bearer ${org.token}`]);
    const stored = await bridge.store.getConversation(one);
    expect(stored?.value.address).toMatchObject({ key: `${orgWorkspaces.one.team}:${orgWorkspaces.one.channel}`, reference: { enterprise: org.enterprise } });
  });

  it('after app_uninstalled ignores the workspace\'s events and dead-letters its deliveries', async () => {
    const uninstalled = fixture('event-app-uninstalled');
    uninstalled.team_id = workspaces.b.team;
    uninstalled.event_id = 'EvUninstallB';
    expect((await postEvent(`${bridge.url}/slack/events`, uninstalled, { secret })).status).toBe(200);
    await pollFor(async () => ((await bridge.store.getRecord<Json>(`slack:installation:team:${workspaces.b.team}`))?.value.state === 'removed' ? true : undefined), 'B removed');

    expect((await dm(workspaces.b, 'Still there, B?', 'EvAfterUninstallB')).status).toBe(200);
    await conversationIn(workspaces.a, 'A after B left');
    expect(ultimate.requests.some((request) => request.body.text === 'Still there, B?')).toBe(false);

    const postsToB = slackApi.callsOf('chat.postMessage').filter((call) => call.args.channel === workspaces.b.channel).length;
    expect((await webhook({ eventType: 'sendMessage', platformConversationId: conversations.b, type: 'text', text: 'Anyone in B?', buttons: [], carouselCards: [] })).status).toBe(200);
    const dead = await pollFor(async () => (await bridge.store.deadLetters(50)).find((letter) => letter.key === conversations.b), 'the dead letter');
    expect(dead.reason).toContain('not installed');
    expect(slackApi.callsOf('chat.postMessage').filter((call) => call.args.channel === workspaces.b.channel)).toHaveLength(postsToB);
  });

  it('tokens_revoked for user tokens only keeps the installation; for the bot token it removes it', async () => {
    expect((await install(workspaces.c.code)).status).toBe(200);
    await conversationIn(workspaces.c, 'Hello from C');
    const revoked = fixture('event-tokens-revoked');
    revoked.team_id = workspaces.c.team;
    revoked.event_id = 'EvRevokeUserC';
    revoked.event.tokens = { oauth: ['U1234'] };
    expect((await postEvent(`${bridge.url}/slack/events`, revoked, { secret })).status).toBe(200);
    await conversationIn(workspaces.c, 'C still works');

    revoked.event_id = 'EvRevokeBotC';
    revoked.event.tokens = { oauth: ['U1234'], bot: ['U0KRQLJ9H'] };
    expect((await postEvent(`${bridge.url}/slack/events`, revoked, { secret })).status).toBe(200);
    await pollFor(async () => ((await bridge.store.getRecord<Json>(`slack:installation:team:${workspaces.c.team}`))?.value.state === 'removed' ? true : undefined), 'C removed');
    expect((await dm(workspaces.c, 'Still there, C?', 'EvAfterRevokeC')).status).toBe(200);
    await conversationIn(workspaces.a, 'A after C left');
    expect(ultimate.requests.some((request) => request.body.text === 'Still there, C?')).toBe(false);
  });

  it('stops the next start with one line naming SECRETS_KEY when the key is not the one the installations were sealed with', async () => {
    await bridge.stop();
    bridge = undefined as unknown as BridgeUnderTest;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        TEAMS_ENABLED: 'false',
        LOG_LEVEL: 'silent',
        STORE_URL: storeUrl,
        SLACK_SIGNING_SECRET: secret,
        SLACK_CLIENT_ID: '2141029472.691202649728',
        SLACK_CLIENT_SECRET: 'client-secret-e1b9e11dfcd19c1982d5de',
        SLACK_STATE_SECRET: 'state-secret-for-the-test',
        SECRETS_KEY: 'b'.repeat(64),
        PUBLIC_URL: publicUrl,
        SLACK_API_URL: fakeSlackApiUrl,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^channel-bridge: failed to start: Invalid environment variable SECRETS_KEY: it does not decrypt /)]);
  }, 30_000);
});
