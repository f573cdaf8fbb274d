/**
 * The operator's tool (`src/admin/main.ts`, what `npm run admin` runs) against a running bridge
 * process, on SQLite and on Redis: a message Slack refuses becomes a dead letter that `dead-letters
 * list` shows; once Slack takes it, `dead-letters replay --all` puts it back and the running
 * bridge delivers it; `tickets list`, `conversation show`, `--json`, and exit 2 on a bad command.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEvent } from '../slack/support/signed-requests.js';
import { startBridgeProcess, type BridgeProcess, slackUltimateEnv } from '../support/bridge-process.js';
import { startFakeServer, type FakeServer } from '../support/fake-http-server.js';
import { slackCalls, startFakeSlack } from '../support/fake-platforms.js';
import { pollFor } from '../support/poll.js';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';
import { dmEvent } from './durability/slack-burst.js';

const run = promisify(execFile);
const secret = 'admin-signing-secret';
const webhookToken = 'admin-webhook-token';
let dir: string;
let redis: PrivateRedis;
let bot: FakeServer;
let slack: FakeServer;
let slackRefuses = true;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bridge-admin-'));
  redis = await startPrivateRedis();
  bot = await startFakeServer(() => ({ body: {} }));
  slack = await startFakeSlack((request) => (request.path === '/api/chat.postMessage' && slackRefuses && String(request.body.text).startsWith('refused') ? { body: { ok: false, error: 'channel_not_found' } } : undefined));
}, 30_000);

afterAll(async () => {
  await Promise.all([bot.close(), slack.close()]);
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Run the admin tool with STORE_URL; resolves with its exit code and output. */
async function admin(storeUrl: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/admin/main.ts', ...args], { env: { PATH: process.env.PATH, STORE_URL: storeUrl } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe.each([
  ['SQLite', () => `sqlite:${join(dir, 'bridge.db')}`],
  ['Redis', () => redis.url],
])('the admin tool on %s, while the bridge runs', (_kind, storeUrl) => {
  let bridge: BridgeProcess;

  beforeAll(async () => {
    slackRefuses = true;
    bridge = await startBridgeProcess(slackUltimateEnv({ storeUrl: storeUrl(), botUrl: bot.url, slackUrl: slack.url, signingSecret: secret, webhookToken }));
  }, 30_000);

  afterAll(async () => {
    await bridge.stop();
  });

  it('lists a dead letter, replays it into the running bridge, and shows the conversation', async () => {
    const conversation = _kind === 'SQLite' ? 700 : 800;
    expect((await postEvent(`${bridge.url}/slack/events`, dmEvent(conversation, 0), { secret })).status).toBe(200);
    const converse = await pollFor(() => bot.requests.find((request) => request.body.text === `c${conversation}-m0`), 'the message at the bot');
    const conversationId = String(converse.body.platformConversationId);
    const text = `refused-${conversation}`;
    const webhook = await fetch(`${bridge.url}/converse-webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${webhookToken}` },
      body: JSON.stringify({ botId: 'bot-1', data: { eventType: 'sendMessage', platformConversationId: conversationId, type: 'text', text, buttons: [], carouselCards: [] } }),
    });
    expect(webhook.status).toBe(200);

    const letters = await pollFor(async () => {
      const listed = JSON.parse((await admin(storeUrl(), 'dead-letters', 'list', '--json')).stdout) as Array<Record<string, unknown>>;
      return listed.length > 0 ? listed : undefined;
    }, 'the dead letter');
    expect(letters).toEqual([{ id: expect.any(String), destination: 'conversation', key: conversationId, reason: expect.stringContaining('channel_not_found'), failedAt: expect.any(Number) }]);
    const shown = JSON.parse((await admin(storeUrl(), 'dead-letters', 'show', String(letters[0]!.id), '--json')).stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ id: letters[0]!.id, payload: { message: { kind: 'text', text } } });

    slackRefuses = false;
    expect((await admin(storeUrl(), 'dead-letters', 'replay', '--all')).code).toBe(0);
    await pollFor(() => slackCalls(slack, 'chat.postMessage').find((request) => request.body.text === text && (request.response?.body as { ok?: boolean } | undefined)?.ok === true), 'the replayed message at Slack', 20_000);
    expect(JSON.parse((await admin(storeUrl(), 'dead-letters', 'list', '--json')).stdout)).toEqual([]);

    const shownConversation = JSON.parse((await admin(storeUrl(), 'conversation', 'show', conversationId, '--json')).stdout) as Record<string, unknown>;
    expect(shownConversation).toMatchObject({ id: conversationId, session: 'active', address: { channel: 'slack' } });
    expect(JSON.stringify(shownConversation)).not.toContain('@');
    expect(JSON.parse((await admin(storeUrl(), 'tickets', 'list', '--state', 'queued', '--json')).stdout)).toEqual([]);
  }, 60_000);

  it('prints the usage line and exits 2 on a bad command', async () => {
    const result = await admin(storeUrl(), 'dead-letters', 'resurrect');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: npm run admin --');
    expect((await admin(storeUrl(), 'conversation', 'show', 'no-such-id', '--json')).code).toBe(1);
  });
});
