/**
 * A 20 s bot outage: every Slack event sent meanwhile is acknowledged at once, stays in the
 * journal while the bot answers 503, and reaches the bot in order after it recovers; nobody is
 * told "not reachable", since the outage is shorter than BOT_RETRY_MINUTES. A bot refusal (4xx)
 * is not retried: the requester is told once and the event is a dead letter.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unavailableNotice } from '../../../src/core/bot-delivery.js';
import { startBridgeProcess, type BridgeProcess, slackUltimateEnv } from '../../support/bridge-process.js';
import { startFakeServer, type FakeServer } from '../../support/fake-http-server.js';
import { slackCalls, startFakeSlack } from '../../support/fake-platforms.js';
import { pollFor } from '../../support/poll.js';
import { allReceived, burstText, dmEvent, expectDeliveredInOrder, sendBurst } from './slack-burst.js';
import { postEvent } from '../../slack/support/signed-requests.js';

const secret = 'bot-outage-signing-secret';
let dir: string;
let bot: FakeServer;
let slack: FakeServer;
let botAnswer = 503;
let bridge: BridgeProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bridge-outage-'));
  bot = await startFakeServer(() => ({ status: botAnswer, body: botAnswer === 200 ? {} : { error: 'unavailable' } }));
  slack = await startFakeSlack();
  bridge = await startBridgeProcess(slackUltimateEnv({ storeUrl: `sqlite:${join(dir, 'bridge.db')}`, botUrl: bot.url, slackUrl: slack.url, signingSecret: secret, webhookToken: 'outage-test-webhook-token' }));
});

afterAll(async () => {
  await bridge?.stop();
  await Promise.all([bot.close(), slack.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const accepted = () => bot.requests.filter((request) => request.response?.status === 200);

describe('bot outage', () => {
  it('acknowledges every event during a 20 s outage and delivers all of them, in order, after it', async () => {
    const started = Date.now();
    const acked: number[] = [];
    await sendBurst({ conversations: 5, messages: 2, secret, target: () => bridge.url, onAck: () => void acked.push(Date.now() - started) });
    expect(acked).toHaveLength(10);
    expect(Math.max(...acked)).toBeLessThan(3_000); // acknowledged while the bot is down, well within Slack's 3 s
    await pollFor(() => (bot.requests.length >= 10 ? true : undefined), 'attempts to reach the bot');
    await new Promise((resolve) => setTimeout(resolve, 20_000 - (Date.now() - started)));
    expect(accepted()).toHaveLength(0);
    botAnswer = 200;
    await pollFor(() => (allReceived({ ...bot, requests: accepted() }, 5, 2) ? true : undefined), 'every message to reach the recovered bot', 45_000);
    expectDeliveredInOrder({ ...bot, requests: accepted() }, { conversations: 5, messages: 2, maxDuplicates: 0 });
    expect(slackCalls(slack, 'chat.postMessage').filter((request) => request.body.text === unavailableNotice)).toHaveLength(0);
  }, 90_000);

  it('does not retry a bot refusal: the requester is told once and the event is dead-lettered', async () => {
    botAnswer = 400;
    const before = bot.requests.length;
    expect((await postEvent(`${bridge.url}/slack/events`, dmEvent(40, 0), { secret })).status).toBe(200);
    await pollFor(() => slackCalls(slack, 'chat.postMessage').find((request) => request.body.text === unavailableNotice && request.body.channel === dmEvent(40, 0).event.channel), 'the notice');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(bot.requests.slice(before).filter((request) => request.body.text === burstText(40, 0))).toHaveLength(1);
    botAnswer = 200;
  }, 30_000);
});
