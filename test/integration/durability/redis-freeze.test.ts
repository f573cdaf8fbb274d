/**
 * Redis frozen (SIGSTOP) for 10 s under a stream of sendMessage webhooks: a webhook is answered
 * 200 only once its messages are in Redis, anything the bridge could not write is answered 503 (so
 * the sender retries), and after the thaw every message reaches Slack in the bot's order, once
 * (a retried webhook carrying the same messageId is deduped even when its first try did run).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEvent } from '../../slack/support/signed-requests.js';
import { startBridgeProcess, type BridgeProcess, slackUltimateEnv } from '../../support/bridge-process.js';
import { startFakeServer, type FakeServer } from '../../support/fake-http-server.js';
import { slackCalls, startFakeSlack } from '../../support/fake-platforms.js';
import { pollFor } from '../../support/poll.js';
import { startPrivateRedis, type PrivateRedis } from '../../support/private-redis.js';
import { dmEvent } from './slack-burst.js';

const secret = 'freeze-signing-secret';
const webhookToken = 'freeze-webhook-token';
const conversations = 4;
const messagesEach = 30;
let redis: PrivateRedis;
let bot: FakeServer;
let slack: FakeServer;
let bridge: BridgeProcess;

beforeAll(async () => {
  redis = await startPrivateRedis();
  bot = await startFakeServer(() => ({ body: {} }));
  slack = await startFakeSlack();
  bridge = await startBridgeProcess(slackUltimateEnv({ storeUrl: redis.url, botUrl: bot.url, slackUrl: slack.url, signingSecret: secret, webhookToken }));
}, 60_000);

afterAll(async () => {
  redis.thaw();
  await bridge?.stop();
  await Promise.all([bot.close(), slack.close()]);
  await redis.stop();
});

/** The platformConversationId of DM `conversation`, from its first message to the bot. */
async function openConversation(conversation: number): Promise<string> {
  expect((await postEvent(`${bridge.url}/slack/events`, dmEvent(conversation, 0), { secret })).status).toBe(200);
  const converse = await pollFor(() => bot.requests.find((request) => request.body.text === `c${conversation}-m0`), 'the first message at the bot');
  return String(converse.body.platformConversationId);
}

/** Send the bot's messages to a conversation like Ultimate: in order, each retried until answered 200. */
async function botStream(conversationId: string, conversation: number, statuses: number[]): Promise<void> {
  for (let index = 0; index < messagesEach; index++) {
    const body = JSON.stringify({
      botId: 'bot-1',
      data: { eventType: 'sendMessage', platformConversationId: conversationId, messageId: `m-${conversation}-${index}`, type: 'text', text: `bot-${conversation}-${index}`, buttons: [], carouselCards: [] },
    });
    for (;;) {
      const status = await fetch(`${bridge.url}/converse-webhook`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${webhookToken}` }, body }).then(
        (response) => response.status,
        () => 0,
      );
      statuses.push(status);
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

describe('Redis frozen for 10 s', () => {
  it('acknowledges nothing it did not store, answers 503 meanwhile, and delivers everything once, in order, after', async () => {
    const ids = await Promise.all(Array.from({ length: conversations }, (_unused, conversation) => openConversation(500 + conversation)));
    const statuses: number[] = [];
    const streams = Promise.all(ids.map((id, index) => botStream(id, index, statuses)));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    redis.freeze();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    redis.thaw();
    await streams;
    expect(statuses.filter((status) => status === 503).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    const posted = () => slackCalls(slack, 'chat.postMessage').map((request) => String(request.body.text));
    await pollFor(() => (posted().filter((text) => text.startsWith('bot-')).length >= conversations * messagesEach ? true : undefined), 'every bot message at Slack', 60_000);
    for (let conversation = 0; conversation < conversations; conversation++) {
      const mine = posted().filter((text) => text.startsWith(`bot-${conversation}-`));
      expect(mine, `conversation ${conversation}: every message once, in order`).toEqual(Array.from({ length: messagesEach }, (_unused, index) => `bot-${conversation}-${index}`));
    }
  }, 120_000);
});
