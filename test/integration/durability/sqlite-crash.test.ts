/**
 * kill -9 in the middle of a burst, on the shipped default (SQLite), and a restart on the same
 * file: every event Slack got a 200 for reaches the bot, in order per conversation, with at most
 * one duplicate per conversation (the one whose bot call was in flight when the process died).
 * Events that got no answer are sent again by "Slack" with the same event_id, as Slack does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridgeProcess, freePort, type BridgeProcess, slackUltimateEnv } from '../../support/bridge-process.js';
import { startFakeServer, type FakeServer } from '../../support/fake-http-server.js';
import { startFakeSlack } from '../../support/fake-platforms.js';
import { pollFor } from '../../support/poll.js';
import { allReceived, expectDeliveredInOrder, sendBurst } from './slack-burst.js';

const secret = 'sqlite-crash-signing-secret';
const conversations = 8;
const messages = 15;
let dir: string;
let bot: FakeServer;
let slack: FakeServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bridge-crash-'));
  // A bot that takes a few milliseconds per event, so a backlog is in the journal when the process dies.
  bot = await startFakeServer(async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { body: {} };
  });
  slack = await startFakeSlack();
});

afterAll(async () => {
  await Promise.all([bot.close(), slack.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function env(): Record<string, string> {
  return slackUltimateEnv({ storeUrl: `sqlite:${join(dir, 'bridge.db')}`, botUrl: bot.url, slackUrl: slack.url, signingSecret: secret, webhookToken: 'crash-test-webhook-token' });
}

describe('kill -9 mid-burst on SQLite', () => {
  it('loses nothing acknowledged, reorders nothing, and duplicates at most one per conversation', async () => {
    const port = await freePort();
    let bridge: BridgeProcess = await startBridgeProcess(env(), port);
    let restarted: Promise<void> | undefined;
    const total = conversations * messages;
    await sendBurst({
      conversations,
      messages,
      secret,
      target: () => bridge.url,
      onAck: (acked) => {
        if (acked === Math.floor(total * 0.4) && !restarted) {
          restarted = (async () => {
            await bridge.kill();
            bridge = await startBridgeProcess(env(), port);
          })();
        }
      },
    });
    await restarted;
    await pollFor(() => (allReceived(bot, conversations, messages) ? true : undefined), 'every message to reach the bot', 60_000);
    expectDeliveredInOrder(bot, { conversations, messages, maxDuplicates: 1 });
    expect(await bridge.stop()).toBe(0);
  }, 120_000);
});
