/**
 * Graceful shutdown with a Slack post in flight: the bridge stops accepting, lets the delivery
 * finish while the Slack adapter's connections are still open, and only then stops the adapters
 * and closes the store. The post completes once and nothing is left to be posted again. A presence
 * round in flight (its users.getPresence reads) ends before the store closes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../src/config/bridge-config.js';
import { loadEnv } from '../../src/config/env.js';
import { Metrics } from '../../src/core/metrics.js';
import { startBridge } from '../../src/runtime.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { destinations } from '../../src/store/store.js';
import { fixture } from '../slack/support/slack-fixtures.js';
import { postEvent } from '../slack/support/signed-requests.js';
import { startFakeServer, type RecordedRequest } from '../support/fake-http-server.js';
import { startFakeSlack } from '../support/fake-platforms.js';
import { pollFor } from '../support/poll.js';
import { capturingLogger, silentLogger } from '../support/silent-logger.js';

const secret = 'shutdown-signing-secret';
const dir = mkdtempSync(join(tmpdir(), 'bridge-shutdown-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A Slack Web API whose chat.postMessage answers after 800 ms (a slow Slack), the rest as the fake Slack does. */
async function startSlowSlack(): Promise<{ url: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const fake = await startFakeSlack();
  const slow = await startFakeServer(async (request) => {
    if (request.path === '/api/chat.postMessage') await new Promise((resolve) => setTimeout(resolve, 800));
    const forwarded = await fetch(`${fake.url}${request.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request.body) });
    return { status: forwarded.status, body: await forwarded.json() };
  });
  return { url: slow.url, requests: slow.requests, close: async () => void (await Promise.all([fake.close(), slow.close()])) };
}

/** A Slack Web API with a desk of two agents whose users.getPresence answers after `delayMs`. */
async function startSlowPresenceSlack(delayMs: number): Promise<{ url: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const fake = await startFakeSlack((request) =>
    request.path === '/api/conversations.members' ? { body: { ok: true, members: ['UAGENT1', 'UAGENT2'], response_metadata: { next_cursor: '' } } } : undefined,
  );
  const slow = await startFakeServer(async (request) => {
    if (request.path === '/api/users.getPresence') await new Promise((resolve) => setTimeout(resolve, delayMs));
    const forwarded = await fetch(`${fake.url}${request.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request.body) });
    return { status: forwarded.status, body: await forwarded.json() };
  });
  return { url: slow.url, requests: slow.requests, close: async () => void (await Promise.all([fake.close(), slow.close()])) };
}

describe('shutdown', () => {
  it('lets a presence round in flight end before it closes the store', async () => {
    const slack = await startSlowPresenceSlack(1500);
    const { logger, lines } = capturingLogger({ level: 'warn' });
    const runtime = await startBridge({
      env: loadEnv({ PORT: '0', STORE_URL: `sqlite:${join(dir, 'presence.db')}`, BOT_BACKEND: 'demo', TEAMS_ENABLED: 'false', SLACK_BOT_TOKEN: 'xoxb-shutdown', SLACK_SIGNING_SECRET: secret, SLACK_API_URL: `${slack.url}/api/` }, () => false),
      config: parseBridgeConfig({ desks: [{ id: 'it', platform: 'slack', channel: 'C0DESK1' }] }),
      logger,
      metrics: new Metrics(),
      host: '127.0.0.1',
    });
    const reads = () => slack.requests.filter((request) => request.path === '/api/users.getPresence');
    await pollFor(() => reads()[0], 'a presence read in flight');
    await runtime.shutdown();
    // Every read the round began was answered, and saved, before the store closed.
    expect(reads().length).toBeGreaterThan(0);
    expect(reads().every((read) => read.response?.status === 200)).toBe(true);
    expect(lines.filter((line) => line.includes('presence'))).toEqual([]);
    await slack.close();
  }, 30_000);

  it('drains a delivery in flight before it stops the adapters, so the post completes once', async () => {
    const slack = await startSlowSlack();
    const file = join(dir, 'bridge.db');
    const runtime = await startBridge({
      env: loadEnv({ PORT: '0', STORE_URL: `sqlite:${file}`, BOT_BACKEND: 'demo', TEAMS_ENABLED: 'false', SLACK_BOT_TOKEN: 'xoxb-shutdown', SLACK_SIGNING_SECRET: secret, SLACK_API_URL: `${slack.url}/api/` }, () => false),
      config: parseBridgeConfig({}),
      logger: silentLogger(),
      metrics: new Metrics(),
      host: '127.0.0.1',
    });
    expect((await postEvent(`${runtime.url}/slack/events`, fixture('event-message-im'), { secret })).status).toBe(200);
    const posts = () => slack.requests.filter((request) => request.path === '/api/chat.postMessage');
    await pollFor(() => posts()[0], 'a post in flight');
    await runtime.shutdown();
    expect(posts().length).toBeGreaterThan(0);
    expect(posts().every((post) => post.response?.status === 200)).toBe(true); // every post got its answer
    const store = new SqliteStore({ path: file });
    try {
      expect((await store.outboxDepths()).map((depth) => depth.depth)).toEqual(destinations.map(() => 0)); // nothing left to post again
    } finally {
      await store.close();
    }
    await slack.close();
  }, 30_000);
});
