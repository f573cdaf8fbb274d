/**
 * The Actions webhook through the real route, with actions configured in bridge.yaml: the
 * requester's stored Slack profile, an http action against a loopback CRM (mapping, sanitize),
 * and a CRM that does not answer in time (502, a clear message, nothing stored).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../slack/support/slack-fixtures.js';
import { postEvent } from '../slack/support/signed-requests.js';
import { startBridgeUnderTest, type BridgeUnderTest } from '../support/bridge-under-test.js';
import { startFakeServer, type FakeServer } from '../support/fake-http-server.js';
import { startFakeSlack, startFakeUltimate } from '../support/fake-platforms.js';
import { pollFor } from '../support/poll.js';

const secret = 'actions-signing-secret';
const token = 'actions-webhook-token';
let ultimate: FakeServer;
let slack: FakeServer;
let crm: FakeServer;
let bridge: BridgeUnderTest;
let conversationId: string;

beforeAll(async () => {
  ultimate = await startFakeUltimate();
  slack = await startFakeSlack();
  crm = await startFakeServer(async (request) => {
    if (request.path === '/slow') await new Promise((resolve) => setTimeout(resolve, 1500));
    return { body: { newBalance: 210, currency: 'EUR' } };
  });
  bridge = await startBridgeUnderTest(
    {
      BOT_BACKEND: 'ultimate',
      ULTIMATE_API_URL: ultimate.url,
      ULTIMATE_API_KEY: 'ultimate-key',
      ULTIMATE_BOT_ID: 'bot-1',
      WEBHOOK_TOKEN: token,
      SLACK_BOT_TOKEN: 'xoxb-actions',
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: `${slack.url}/api/`,
    },
    {
      actions: [
        { name: 'lookupRequester', type: 'requester-profile' },
        { name: 'updateCustomerBalance', type: 'http', url: `${crm.url}/balance`, timeoutMs: 2000, sanitize: ['newBalance'], headers: { 'X-Api-Key': 'crm-key' } },
        { name: 'slowCrm', type: 'http', url: `${crm.url}/slow`, timeoutMs: 200 },
      ],
    },
  );
  const event = fixture('event-message-im');
  event.event_id = 'EvActions1';
  event.event.text = 'what is my balance?';
  await postEvent(`${bridge.url}/slack/events`, event, { secret });
  conversationId = String((await pollFor(() => ultimate.requests[0], 'the Converse request')).body.platformConversationId);
});
afterAll(async () => {
  await bridge.stop();
  await Promise.all([ultimate.close(), slack.close(), crm.close()]);
});

const action = (name: string, data: unknown[] = []) =>
  fetch(`${bridge.url}/action-webhook?token=${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ botId: 'bot-1', conversationId: 'ULTIMATE-ID', platformConversationId: conversationId, name, data }),
  });

describe('actions through /action-webhook', () => {
  it("answers the requester's stored Slack profile, the email marked sanitize", async () => {
    const response = await action('lookupRequester');
    expect(response.status).toBe(200);
    const { results } = (await response.json()) as { results: Array<{ key: string; value: string; sanitize?: boolean }> };
    expect(results).toEqual(
      expect.arrayContaining([
        { key: 'platform', value: 'slack' },
        { key: 'name', value: 'Egon Spengler' },
        { key: 'email', value: 'spengler@ghostbusters.example.com', sanitize: true },
      ]),
    );
  });

  it('calls the configured CRM and maps its answer to results', async () => {
    const response = await action('updateCustomerBalance', [{ key: 'balance', value: ['100'], saveAs: 'oldBalance' }]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ results: [{ key: 'newBalance', value: 210, sanitize: true }, { key: 'currency', value: 'EUR' }] });
    const call = crm.requests.find((request) => request.path === '/balance')!;
    expect(call.headers['x-api-key']).toBe('crm-key');
    expect(call.body).toMatchObject({ name: 'updateCustomerBalance', platformConversationId: conversationId, data: { balance: '100' } });
  });

  it('answers 502 with a clear message when the CRM does not answer in time', async () => {
    const response = await action('slowCrm');
    expect(response.status).toBe(502);
    expect(((await response.json()) as { message: string }).message).toMatch(/slowCrm.*(timed out|200 ms)/);
  });
});
