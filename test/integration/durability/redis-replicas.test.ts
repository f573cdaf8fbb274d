/**
 * Two bridge processes on one Redis (a private redis-server), as behind a load balancer:
 * a Slack retry that lands on the other replica at the same moment reaches the bot once; the
 * first two messages of a new DM landing on different replicas at once both reach the bot, in one
 * conversation; and when one replica is killed mid-burst, the other takes its queues over (after
 * its leases expire) and finishes every conversation, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEvent } from '../../slack/support/signed-requests.js';
import { startBridgeProcess, type BridgeProcess, slackUltimateEnv } from '../../support/bridge-process.js';
import { startFakeServer, type FakeServer } from '../../support/fake-http-server.js';
import { startFakeSlack } from '../../support/fake-platforms.js';
import { pollFor } from '../../support/poll.js';
import { startPrivateRedis, type PrivateRedis } from '../../support/private-redis.js';
import { allReceived, burstText, dmEvent, expectDeliveredInOrder, receivedByConversation, sendBurst } from './slack-burst.js';

const secret = 'replicas-signing-secret';
let redis: PrivateRedis;
let bot: FakeServer;
let slack: FakeServer;
let replicas: BridgeProcess[] = [];

beforeAll(async () => {
  redis = await startPrivateRedis();
  bot = await startFakeServer(async () => {
    await new Promise((resolve) => setTimeout(resolve, 3));
    return { body: {} };
  });
  slack = await startFakeSlack();
  replicas = await Promise.all([startReplica(), startReplica()]);
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await Promise.all([bot.close(), slack.close()]);
  await redis.stop();
});

function startReplica(): Promise<BridgeProcess> {
  return startBridgeProcess(slackUltimateEnv({ storeUrl: redis.url, botUrl: bot.url, slackUrl: slack.url, signingSecret: secret, webhookToken: 'replicas-webhook-token' }));
}

const texts = () => bot.requests.map((request) => String(request.body.text));

describe('two replicas on one Redis', () => {
  it('sends a Slack retry that reaches the other replica at the same moment to the bot once', async () => {
    const [a, b] = replicas as [BridgeProcess, BridgeProcess];
    for (let conversation = 100; conversation < 120; conversation++) {
      const event = dmEvent(conversation, 0);
      const statuses = await Promise.all([a, b].map((replica) => postEvent(`${replica.url}/slack/events`, event, { secret }).then((response) => response.status)));
      expect(statuses).toEqual([200, 200]);
    }
    await pollFor(() => (allReceived(bot, 20, 1, 100) ? true : undefined), 'the twenty events at the bot');
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (let conversation = 100; conversation < 120; conversation++) {
      expect(texts().filter((text) => text === burstText(conversation, 0))).toHaveLength(1);
    }
  }, 60_000);

  it('keeps the first two messages of a new DM, landing on different replicas at once, in one conversation', async () => {
    const [a, b] = replicas as [BridgeProcess, BridgeProcess];
    const dms = Array.from({ length: 20 }, (_unused, index) => 200 + index);
    await Promise.all(
      dms.map(async (conversation) => {
        const statuses = await Promise.all([
          postEvent(`${a.url}/slack/events`, dmEvent(conversation, 0), { secret }).then((response) => response.status),
          postEvent(`${b.url}/slack/events`, dmEvent(conversation, 1), { secret }).then((response) => response.status),
        ]);
        expect(statuses).toEqual([200, 200]);
      }),
    );
    await pollFor(() => (dms.every((conversation) => new Set(receivedByConversation(bot).get(conversation)?.texts ?? []).size === 2) ? true : undefined), 'all 40 messages at the bot', 30_000);
    for (const conversation of dms) {
      const received = receivedByConversation(bot).get(conversation)!;
      expect(received.ids.size, `DM ${conversation} is one conversation`).toBe(1);
      expect(received.texts).toHaveLength(2);
    }
  }, 60_000);

  it('finishes the conversations of a replica killed mid-burst on the other one, in order', async () => {
    const [a, b] = replicas as [BridgeProcess, BridgeProcess];
    const offset = 300;
    const conversations = 6;
    const messages = 12;
    let killed: Promise<void> | undefined;
    const burst = { conversations, messages, secret };
    await sendBurst({
      ...burst,
      // Alternate replicas per message, as a load balancer would; once A is dead, everything goes to B.
      target: (conversation, index, attempt) => (a.child.exitCode === null && a.child.signalCode === null && (conversation + index + attempt) % 2 === 0 ? a.url : b.url),
      onAck: (acked) => {
        if (acked === Math.floor(conversations * messages * 0.4) && !killed) killed = a.kill();
      },
      offset,
    });
    await killed;
    await pollFor(() => (allReceived(bot, conversations, messages, offset) ? true : undefined), 'every message at the bot, after the dead replica\'s leases expire', 60_000);
    expectDeliveredInOrder(bot, { conversations, messages, maxDuplicates: 1, offset });
    replicas = [b, await startReplica()];
  }, 120_000);
});
