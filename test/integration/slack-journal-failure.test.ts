/**
 * A Slack event the bridge could not journal is not acknowledged: when the store cannot answer,
 * Slack gets a 503 (not a 200 for an event that would then be lost), and Slack's retry of the same
 * event_id, once the store answers again, reaches the bot once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/core/errors.js';
import type { Store } from '../../src/store/store.js';
import { fixture } from '../slack/support/slack-fixtures.js';
import { postEvent } from '../slack/support/signed-requests.js';
import { slackUltimateEnv } from '../support/bridge-process.js';
import { startBridgeUnderTest, type BridgeUnderTest } from '../support/bridge-under-test.js';
import type { FakeServer } from '../support/fake-http-server.js';
import { startFakeSlack, startFakeUltimate } from '../support/fake-platforms.js';
import { pollFor } from '../support/poll.js';

const secret = 'journal-failure-signing-secret';
let bridge: BridgeUnderTest;
let ultimate: FakeServer;
let slack: FakeServer;

beforeAll(async () => {
  ultimate = await startFakeUltimate();
  slack = await startFakeSlack();
  bridge = await startBridgeUnderTest(slackUltimateEnv({ botUrl: ultimate.url, slackUrl: slack.url, signingSecret: secret }));
});
afterAll(async () => {
  await bridge.stop();
  await Promise.all([ultimate.close(), slack.close()]);
});

describe('a Slack event the store cannot take', () => {
  it('answers 503 instead of acking, and the retry reaches the bot once', async () => {
    const store = bridge.store as Store;
    const enqueue = store.enqueue.bind(store);
    let failures = 1;
    store.enqueue = async (...args: Parameters<Store['enqueue']>) => {
      if (failures-- > 0) throw new StoreUnavailableError('redis store: enqueue did not complete');
      return enqueue(...args);
    };
    const event = fixture('event-message-im');
    event.event_id = 'Ev-journal-failure';
    event.event.text = 'hello through a store outage';
    expect((await postEvent(`${bridge.url}/slack/events`, event, { secret })).status).toBe(503);
    expect((await postEvent(`${bridge.url}/slack/events`, event, { secret, headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' } })).status).toBe(200);
    await pollFor(() => ultimate.requests.find((request) => request.body.text === 'hello through a store outage'), 'the retried event at the bot');
    await bridge.worker.idle();
    expect(ultimate.requests.filter((request) => request.body.text === 'hello through a store outage')).toHaveLength(1);
  });
});
