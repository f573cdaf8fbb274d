/**
 * A real bridge process (`node --import tsx src/main.ts`, as `npm start` runs the built code)
 * on SQLite is killed while a bot message waits for Slack's rate limit, and started again: the
 * message is delivered after the restart and the conversation keeps its platformConversationId.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../slack/support/slack-fixtures.js';
import { postEvent } from '../slack/support/signed-requests.js';
import { startFakeServer, type FakeServer } from '../support/fake-http-server.js';
import { pollFor } from '../support/poll.js';

const signingSecret = 'restart-test-signing-secret';
const webhookToken = 'restart-test-webhook-token';
let dataDir: string;
let ultimate: FakeServer;
let slack: FakeServer;
let slackRateLimited = true;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bridge-restart-'));
  ultimate = await startFakeServer(() => ({ status: 200, body: {} }));
  slack = await startFakeServer((request) => {
    switch (request.path) {
      case '/api/auth.test':
        return { body: { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T123ABC456', user: 'bridge' } };
      case '/api/users.info':
        return { body: fixture('users-info') };
      case '/api/chat.postMessage':
        return slackRateLimited
          ? { status: 429, headers: { 'retry-after': '3600' }, body: { ok: false, error: 'ratelimited' } }
          : { body: { ok: true, channel: request.body.channel, ts: '1700000000.000200' } };
      default:
        return { body: { ok: true } };
    }
  });
});

afterAll(async () => {
  await Promise.all([ultimate.close(), slack.close()]);
  rmSync(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startBridgeProcess(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      STORE_URL: `sqlite:${join(dataDir, 'bridge.db')}`,
      BOT_BACKEND: 'ultimate',
      ULTIMATE_API_URL: ultimate.url,
      ULTIMATE_API_KEY: 'ultimate-key',
      ULTIMATE_BOT_ID: 'bot-1',
      WEBHOOK_TOKEN: webhookToken,
      SLACK_BOT_TOKEN: 'xoxb-restart-test',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: `${slack.url}/api/`,
      TEAMS_ENABLED: 'false',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await pollFor(async () => {
    const healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.ok, () => false);
    return healthy ? true : undefined;
  }, 'the bridge process to listen', 20_000);
  return child;
}

function dmEvent(eventId: string, text: string) {
  const event = fixture('event-message-im');
  event.event_id = eventId;
  event.event.text = text;
  event.event.ts = event.event.event_ts = `${Date.now() / 1000}`;
  return event;
}

describe('restart on SQLite', () => {
  it('keeps the conversation and delivers the message that was waiting', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const first = await startBridgeProcess(port);

    expect((await postEvent(`${base}/slack/events`, dmEvent('EvRestart1', 'Hello before the restart'), { secret: signingSecret })).status).toBe(200);
    const converse = await pollFor(() => ultimate.requests.find((request) => request.body.text === 'Hello before the restart'), 'the Converse request');
    const conversationId = converse.body.platformConversationId as string;
    expect(converse.body.metaData).toEqual(expect.arrayContaining([{ key: 'platform', value: 'slack' }]));

    const webhook = await fetch(`${base}/converse-webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${webhookToken}` },
      body: JSON.stringify({
        botId: 'bot-1',
        data: { eventType: 'sendMessage', platformConversationId: conversationId, type: 'text', text: 'Survives restarts', buttons: [], carouselCards: [] },
      }),
    });
    expect(webhook.status).toBe(200);
    await pollFor(() => slack.requests.find((request) => request.path === '/api/chat.postMessage'), 'a rate-limited post attempt');

    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    slackRateLimited = false;
    const postsBefore = slack.requests.filter((request) => request.path === '/api/chat.postMessage').length;

    const second = await startBridgeProcess(port);
    const delivered = await pollFor(
      () => slack.requests.filter((request) => request.path === '/api/chat.postMessage').slice(postsBefore).find((request) => request.body.text === 'Survives restarts'),
      "the waiting message to be delivered after the restart (after the dead process's lease expires)",
      40_000,
    );
    expect(delivered.body.channel).toBe('D024BE91L');

    expect((await postEvent(`${base}/slack/events`, dmEvent('EvRestart2', 'Hello after the restart'), { secret: signingSecret })).status).toBe(200);
    const again = await pollFor(() => ultimate.requests.find((request) => request.body.text === 'Hello after the restart'), 'the second Converse request');
    expect(again.body.platformConversationId).toBe(conversationId);
    expect(again.body.metaData).toBeUndefined();

    second.kill('SIGTERM');
    const exitCode = await new Promise((resolve) => second.once('exit', resolve));
    expect(exitCode).toBe(0);
  }, 90_000);
});
