/** The bridge's own routes, with no chat platform enabled: health, metrics, and the bot webhooks' guard rails. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridgeUnderTest, type BridgeUnderTest } from '../support/bridge-under-test.js';

const token = 'webhook-secret-123';
let bridge: BridgeUnderTest;

beforeAll(async () => {
  bridge = await startBridgeUnderTest({
    BOT_BACKEND: 'ultimate',
    ULTIMATE_API_URL: 'http://127.0.0.1:9',
    ULTIMATE_API_KEY: 'ultimate-key',
    ULTIMATE_BOT_ID: 'bot-1',
    WEBHOOK_TOKEN: token,
  });
});
afterAll(() => bridge.stop());

const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
  fetch(`${bridge.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('operations routes', () => {
  it('answers /healthz and /readyz, and echoes a request id', async () => {
    const health = await fetch(`${bridge.url}/healthz`, { headers: { 'x-request-id': 'req-42' } });
    expect(health.status).toBe(200);
    expect(health.headers.get('x-request-id')).toBe('req-42');
    const ready = await fetch(`${bridge.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('{"ready":true}');
  });

  it('answers /readyz 503 naming the store (and nothing more) when it is unusable, and /healthz still 200', async () => {
    const broken = await startBridgeUnderTest({ BOT_BACKEND: 'demo' });
    await broken.store.close();
    const ready = await fetch(`${broken.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toBe('{"ready":false,"failing":["store"]}');
    expect((await fetch(`${broken.url}/healthz`)).status).toBe(200);
    await broken.stop();
  });

  it('exposes Prometheus metrics', async () => {
    await post('/converse-webhook', { botId: 'b', data: { eventType: 'isTeamOnline' } });
    const text = await (await fetch(`${bridge.url}/metrics`)).text();
    expect(text).toContain('bridge_events_in_total{platform="ultimate",type="isTeamOnline"} 1');
    expect(text).toContain('# TYPE bridge_delivery_latency_seconds histogram');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await fetch(`${bridge.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('bot webhooks without desks', () => {
  it('requires the webhook token', async () => {
    const response = await post('/converse-webhook', { botId: 'b', data: { eventType: 'isTeamOnline' } }, {});
    expect(response.status).toBe(401);
  });

  it('answers isTeamOnline false when no desk is configured', async () => {
    const response = await post('/converse-webhook?token=' + token, { botId: 'b', data: { eventType: 'isTeamOnline', teamId: 'it' } }, {});
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ isOnline: false });
  });

  it('answers 404 for a sendMessage to an unknown conversation, and queues nothing', async () => {
    const response = await post('/converse-webhook', {
      botId: 'b',
      data: { eventType: 'sendMessage', platformConversationId: '7d9d7a4e-0000-4000-8000-000000000000', type: 'text', text: 'hi', buttons: [], carouselCards: [] },
    });
    expect(response.status).toBe(404);
    expect(await bridge.store.queuesWithPending(10)).toEqual([]);
  });

  it('fails a widget escalation with a 4xx naming the missing desk', async () => {
    const response = await post('/converse-webhook', { botId: 'b', data: { eventType: 'widgetEscalate', platformConversationId: 'w-1', escalateTo: 'billing' } });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { message: string }).message).toContain('No desk is configured (escalateTo "billing")');
  });

  it('answers 404 with a JSON error for an unknown action', async () => {
    const response = await post('/action-webhook', { botId: 'b', platformConversationId: 'x', name: 'nope', data: [] });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: expect.any(String) });
  });
});

describe('fail closed: bot webhooks exist only with WEBHOOK_TOKEN', () => {
  const routes = ['/converse-webhook', '/action-webhook', '/csml/callback'];
  const escalate = { botId: 'b', data: { eventType: 'escalate', platformConversationId: 'p-1' } };

  it('with BOT_BACKEND=demo and no token, every bot webhook answers 404', async () => {
    const demo = await startBridgeUnderTest({ BOT_BACKEND: 'demo' });
    try {
      for (const path of routes) {
        const response = await fetch(`${demo.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(escalate) });
        expect({ path, status: response.status }).toEqual({ path, status: 404 });
      }
      const action = await fetch(`${demo.url}/action-webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ botId: 'b', platformConversationId: 'p-1', name: 'lookupRequester', data: [] }),
      });
      expect(action.status).toBe(404);
    } finally {
      await demo.stop();
    }
  });

  it('with BOT_BACKEND=demo and a token, the webhooks are mounted behind it', async () => {
    const demo = await startBridgeUnderTest({ BOT_BACKEND: 'demo', WEBHOOK_TOKEN: token });
    try {
      const refused = await fetch(`${demo.url}/converse-webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(escalate) });
      expect(refused.status).toBe(401);
      const online = await fetch(`${demo.url}/converse-webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ botId: 'b', data: { eventType: 'isTeamOnline', teamId: 'x' } }),
      });
      expect(online.status).toBe(200);
    } finally {
      await demo.stop();
    }
  });

  it('refuses to start BOT_BACKEND=ultimate without WEBHOOK_TOKEN, or with Teams auth off', async () => {
    const ultimate = { BOT_BACKEND: 'ultimate', ULTIMATE_API_URL: 'http://127.0.0.1:9', ULTIMATE_API_KEY: 'k', ULTIMATE_BOT_ID: 'b' };
    await expect(startBridgeUnderTest(ultimate)).rejects.toThrow('Invalid environment variable WEBHOOK_TOKEN');
    await expect(startBridgeUnderTest({ ...ultimate, WEBHOOK_TOKEN: token, TEAMS_ENABLED: 'true' })).rejects.toThrow('Invalid environment variable MicrosoftAppId');
  });
});
