/**
 * /converse-webhook and /action-webhook on a real express app on loopback, with recording fakes
 * of the core: every seed example is handled, every bad input gets its JSON error, and nothing
 * reaches the core when the input is bad or unauthenticated.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ultimateWebhookRoutes } from '../../src/bot/ultimate/webhook-routes.js';
import { ActionFailedError, DeliveryError, DeskNotFoundError } from '../../src/core/errors.js';
import { Metrics } from '../../src/core/metrics.js';
import type { BotMessage } from '../../src/core/bot-message.js';
import { loadFixture, loadFixtures } from './support/fixtures.js';
import { RecordingTargets, type RecordedCall } from './support/recording-targets.js';
import { postJson, startTestServer, type TestServer } from './support/test-server.js';
import { captureLogger, type CapturedLogger } from './support/capture-logger.js';

const token = 'hook-token-4f1c9a7e2b';
const pcid = '13427e90-f76a-47c2-a26d-ea0b4f1836c5';
const bearer = { authorization: `Bearer ${token}` };

const targets = new RecordingTargets([pcid, 'session1', '00000001', 'string']);
const metrics = new Metrics();
const log: CapturedLogger = captureLogger();
let server: TestServer;
let smallServer: TestServer;

const replies = (...labels: string[]) => labels.map((text) => ({ kind: 'reply' as const, text }));
const card = (title: string, description: string, ...labels: string[]) => ({ title, description, buttons: replies(...labels) });
const twoCards = [card('card 1', 'card 1 description', 'button 1', 'button 2'), card('card 2', 'card 2 description', 'button 1', 'button 2')];

/** The recorded call for messages handed to the core. */
const messagesCall = (conversationId: string, ...messages: BotMessage[]): RecordedCall => ({ target: 'output', method: 'messages', conversationId, messages });
const textCall = (conversationId: string, text: string, ...labels: string[]) => messagesCall(conversationId, { kind: 'text', text, buttons: replies(...labels) });
const answered = (calls: RecordedCall[], answer: unknown = {}) => ({ calls, answer });

/** What each seed example must become at the core's boundary, and the answer Ultimate gets. */
const expectations: Record<string, { calls: RecordedCall[]; answer: unknown }> = {
  '002-send-message-text': answered([textCall(pcid, 'Hello, this is a bot text message')]),
  '002-send-message-buttons': answered([textCall(pcid, 'its a bot text message with 2 buttons', 'YES', 'NO')]),
  '002-send-message-carousel': answered([messagesCall(pcid, { kind: 'carousel', cards: twoCards })]),
  '002-escalate': answered([{ target: 'output', method: 'escalate', conversationId: pcid, escalateTo: 'string' }]),
  '002-is-team-online': answered([{ target: 'output', method: 'isTeamOnline', teamId: 'string' }], { isOnline: true }),
  '002-widget-escalate': answered([{ target: 'widget', method: 'escalate', conversationId: pcid, escalateTo: 'string' }]),
  '002-widget-message': answered([{ target: 'widget', method: 'message', conversationId: pcid, text: 'Hello, this is a customer message in an escalated conversation' }]),
  '002-widget-end-session': answered([{ target: 'widget', method: 'end', conversationId: pcid }]),
  '002-action': answered(
    [
      {
        target: 'actions',
        method: 'run',
        request: {
          name: 'updateCustomerBalance',
          platformConversationId: pcid,
          data: [
            { key: 'userId', value: ['123345'], saveAs: 'customerId' },
            { key: 'balance', value: ['100'] },
          ],
        },
      },
    ],
    loadFixture('ultimate', '002-action-response').payload,
  ),
  '004-send-message-text': answered([textCall('session1', 'Hello, this is a bot text message')]),
  '004-send-message-buttons': answered([textCall('session1', 'its a bot text message with 2 buttons', 'YES', 'NO')]),
  '004-send-message-carousel': answered([messagesCall('session1', { kind: 'carousel', cards: twoCards })]),
  '004-escalate': answered([{ target: 'output', method: 'escalate', conversationId: 'string', escalateTo: 'string' }]),
  '004-is-team-online': answered([{ target: 'output', method: 'isTeamOnline', teamId: 'string' }], { isOnline: true }),
  '004-action': answered(
    [{ target: 'actions', method: 'run', request: { name: 'string', platformConversationId: 'string', data: [{ key: 'string', value: ['any'], saveAs: 'string' }] } }],
    { results: [{ key: 'string', value: 'ok' }] },
  ),
  '004-send-message-buttons-to-click': answered([textCall('00000001', 'This is a virtual agent message text', 'YES', 'NO', 'Maybe')]),
  '004-send-message-carousel-to-click': answered([
    messagesCall('00000001', {
      kind: 'carousel',
      cards: [card('title 1', 'description of first card', 'firstCardButton'), card('title 2', 'description of second card', 'secondCardButton')],
    }),
  ]),
  '000-send-message-buttons': answered([textCall('00000001', 'This is a text message sent with the buttons', 'Yes', 'No', 'Maybe')]),
  '000-send-message-carousel': answered([
    messagesCall('00000001', {
      kind: 'carousel',
      cards: [card('title Card 1', 'description of first card', 'firstCardButton'), card('title Card 2', 'description of second card', 'secondCardButton')],
    }),
  ]),
};

const webhookFixtures = loadFixtures('ultimate', /^\d{3}-(?!request-).*\.json$/).filter((fixture) => fixture.name !== '002-action-response');
const routeOf = (name: string) => (name.includes('-action') ? '/action-webhook' : '/converse-webhook');

function sendMessage(data: Record<string, unknown>): unknown {
  return { botId: 'BOT_ID', data: { eventType: 'sendMessage', platformConversationId: pcid, type: 'text', ...data } };
}

async function eventsIn(type: string): Promise<number> {
  const metric = await metrics.eventsIn.get();
  return metric.values.find((value) => value.labels.platform === 'ultimate' && value.labels.type === type)?.value ?? 0;
}

beforeAll(async () => {
  targets.actionResults.set('updateCustomerBalance', (loadFixture('ultimate', '002-action-response').payload as { results: never[] }).results);
  targets.actionResults.set('string', [{ key: 'string', value: 'ok' }]);
  const deps = { webhookToken: token, output: targets.output, widget: targets.widget, actions: targets.actions, logger: log.logger, metrics };
  server = await startTestServer(ultimateWebhookRoutes(deps));
  smallServer = await startTestServer(ultimateWebhookRoutes({ ...deps, bodyLimit: '1kb' }));
});
afterAll(async () => {
  await Promise.all([server.close(), smallServer.close()]);
  // The token travelled in headers and in ?token= URLs: no log line may hold it.
  expect(log.text()).not.toContain(token);
});
beforeEach(() => {
  targets.calls.length = 0;
  targets.failNext = undefined;
  targets.teamOnline = true;
});
afterEach(() => {
  targets.failNext = undefined;
});

describe('every seed example is parsed and handed over', () => {
  it('covers every webhook fixture', () => {
    expect(webhookFixtures.map((fixture) => fixture.name).sort()).toEqual(Object.keys(expectations).sort());
  });

  it.each(webhookFixtures.map((fixture) => [fixture.name, fixture] as const))('%s', async (name, fixture) => {
    const answer = await postJson(`${server.baseUrl}${routeOf(name)}`, fixture.payload, bearer);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(expectations[name]!.answer);
    expect(targets.calls).toEqual(expectations[name]!.calls);
  });

  it('answers isTeamOnline false when the desk is away', async () => {
    targets.teamOnline = false;
    const answer = await postJson(`${server.baseUrl}/converse-webhook`, loadFixture('ultimate', '002-is-team-online').payload, bearer);
    expect(answer.body).toStrictEqual({ isOnline: false });
  });

  it('counts valid events by eventType', async () => {
    const before = await eventsIn('escalate');
    await postJson(`${server.baseUrl}/converse-webhook`, loadFixture('ultimate', '002-escalate').payload, bearer);
    await postJson(`${server.baseUrl}/converse-webhook`, { botId: 'B', data: { eventType: 'escalate' } }, bearer);
    expect(await eventsIn('escalate')).toBe(before + 1);
  });

  it('keeps unknown extra fields and reads any content type as JSON', async () => {
    const body = sendMessage({ text: 'Hi', futureField: { a: 1 } });
    const answer = await postJson(`${server.baseUrl}/converse-webhook`, JSON.stringify({ ...(body as object), extraTopLevel: true }), { ...bearer, 'content-type': 'text/plain' });
    expect(answer.status).toBe(200);
    expect(targets.calls).toHaveLength(1);
  });

  it('maps link buttons and posts nothing for an empty sendMessage', async () => {
    await postJson(`${server.baseUrl}/converse-webhook`, sendMessage({ text: 'Docs', buttons: [{ type: 'link', text: 'Open', url: 'https://example.com/a' }] }), bearer);
    expect(targets.calls).toEqual([
      { target: 'output', method: 'messages', conversationId: pcid, messages: [{ kind: 'text', text: 'Docs', buttons: [{ kind: 'link', text: 'Open', url: 'https://example.com/a' }] }] },
    ]);
    targets.calls.length = 0;
    const empty = await postJson(`${server.baseUrl}/converse-webhook`, sendMessage({ text: '', buttons: [], carouselCards: [] }), bearer);
    expect(empty.status).toBe(200);
    expect(empty.body).toStrictEqual({});
    expect(targets.calls).toEqual([]);
  });
});

describe('bad input gets a JSON error and reaches nothing', () => {
  afterEach(() => expect(targets.calls).toEqual([]));

  it('bad JSON → 400 invalid_json', async () => {
    const answer = await postJson(`${server.baseUrl}/converse-webhook`, '{"botId": "B", "data": {', bearer);
    expect(answer.status).toBe(400);
    expect(answer.body).toStrictEqual({ error: 'invalid_json', message: 'request body is not valid JSON' });
  });

  const invalid: Array<[string, string, unknown, string, RegExp]> = [
    ['a button without text', '/converse-webhook', sendMessage({ text: 'x', buttons: [{ type: 'button' }] }), 'data.buttons.0.text', /expected string/],
    ['a link button without url', '/converse-webhook', sendMessage({ text: 'x', buttons: [{ type: 'link', text: 'Go' }] }), 'data.buttons.0.url', /a link button needs a url/],
    ['an unknown button type', '/converse-webhook', sendMessage({ buttons: [{ type: 'postback', text: 'Go' }] }), 'data.buttons.0.type', /unknown button type "postback"/],
    ['a card without title', '/converse-webhook', sendMessage({ type: 'carousel', carouselCards: [{ buttons: [] }] }), 'data.carouselCards.0.title', /expected string/],
    ['an unknown message type', '/converse-webhook', sendMessage({ type: 'video' }), 'data.type', /expected one of "text"\|"carousel"/],
    ['a missing botId', '/converse-webhook', { data: { eventType: 'isTeamOnline' } }, 'botId', /expected string/],
    ['an escalate without platformConversationId', '/converse-webhook', { botId: 'B', data: { eventType: 'escalate' } }, 'data.platformConversationId', /expected string/],
    ['a widgetMessage without text', '/converse-webhook', { botId: 'B', data: { eventType: 'widgetMessage', platformConversationId: pcid } }, 'data.text', /expected string/],
    ['a body that is an array', '/converse-webhook', [], '', /^body: .*expected object/],
    ['an action without name', '/action-webhook', { botId: 'B', platformConversationId: pcid, data: [] }, 'name', /expected string/],
    ['an action parameter without value', '/action-webhook', { botId: 'B', platformConversationId: pcid, name: 'a', data: [{ key: 'k' }] }, 'data.0.value', /invalid input/i],
    ['a 100 kB platformConversationId on escalate', '/converse-webhook', { botId: 'B', data: { eventType: 'escalate', platformConversationId: 'p'.repeat(100_000) } }, 'data.platformConversationId', /too big|at most/i],
    ['a 100 kB escalateTo', '/converse-webhook', { botId: 'B', data: { eventType: 'escalate', platformConversationId: pcid, escalateTo: 'd'.repeat(100_000) } }, 'data.escalateTo', /too big|at most/i],
    ['a 10 kB botId', '/converse-webhook', { botId: 'b'.repeat(10_000), data: { eventType: 'isTeamOnline' } }, 'botId', /too big|at most/i],
    ['a 10 kB teamId', '/converse-webhook', { botId: 'B', data: { eventType: 'isTeamOnline', teamId: 't'.repeat(10_000) } }, 'data.teamId', /too big|at most/i],
    ['a 10 kB button text', '/converse-webhook', sendMessage({ text: 'x', buttons: [{ type: 'button', text: 'b'.repeat(10_000) }] }), 'data.buttons.0.text', /too big|at most/i],
    ['a 10 kB card title', '/converse-webhook', sendMessage({ type: 'carousel', carouselCards: [{ title: 't'.repeat(10_000), buttons: [] }] }), 'data.carouselCards.0.title', /too big|at most/i],
    ['a 10 kB action name', '/action-webhook', { botId: 'B', platformConversationId: pcid, name: 'n'.repeat(10_000), data: [] }, 'name', /too big|at most/i],
    ['a 10 kB action parameter key', '/action-webhook', { botId: 'B', platformConversationId: pcid, name: 'a', data: [{ key: 'k'.repeat(10_000), value: ['v'] }] }, 'data.0.key', /too big|at most/i],
    ['a 100 kB action platformConversationId', '/action-webhook', { botId: 'B', platformConversationId: 'p'.repeat(100_000), name: 'a', data: [] }, 'platformConversationId', /too big|at most/i],
  ];

  it.each(invalid)('%s → 400 with the path', async (_what, route, body, path, message) => {
    const answer = await postJson(`${server.baseUrl}${route}`, body, bearer);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_request');
    expect(answer.body.path).toBe(path);
    expect(answer.body.message).toMatch(message);
    if (path !== '') expect(answer.body.message.startsWith(`${path}: `)).toBe(true);
  });

  it('an unknown eventType → 400 naming it and the expected ones', async () => {
    const answer = await postJson(`${server.baseUrl}/converse-webhook`, { botId: 'B', data: { eventType: 'typingIndicator', platformConversationId: pcid } }, bearer);
    expect(answer.status).toBe(400);
    expect(answer.body).toStrictEqual({
      error: 'invalid_request',
      path: 'data.eventType',
      message: 'data.eventType: unknown eventType "typingIndicator"; expected one of sendMessage, escalate, isTeamOnline, widgetMessage, widgetEscalate, widgetEndSession',
    });
  });

  it.each([['gzip'], ['deflate'], ['br']])('Content-Encoding %s on a plain body → 400 invalid_encoding', async (encoding) => {
    const answer = await postJson(`${server.baseUrl}/converse-webhook`, { botId: 'B', data: { eventType: 'isTeamOnline' } }, { ...bearer, 'content-encoding': encoding });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_encoding');
  });

  it('an unknown Content-Encoding → 415', async () => {
    const answer = await postJson(`${server.baseUrl}/action-webhook`, { botId: 'B' }, { ...bearer, 'content-encoding': 'compress' });
    expect(answer.status).toBe(415);
  });

  it('a body over the limit → 413', async () => {
    const answer = await postJson(`${smallServer.baseUrl}/converse-webhook`, sendMessage({ text: 'x'.repeat(2_000) }), bearer);
    expect(answer.status).toBe(413);
    expect(answer.body.error).toBe('payload_too_large');
  });

  const unknownConversation: Array<[string, string, unknown]> = [
    ['sendMessage', '/converse-webhook', { botId: 'B', data: { eventType: 'sendMessage', platformConversationId: 'nope', type: 'text', text: 'Hi' } }],
    ['escalate', '/converse-webhook', { botId: 'B', data: { eventType: 'escalate', platformConversationId: 'nope' } }],
    ['widgetMessage', '/converse-webhook', { botId: 'B', data: { eventType: 'widgetMessage', platformConversationId: 'nope', text: 'Hi' } }],
    ['widgetEndSession', '/converse-webhook', { botId: 'B', data: { eventType: 'widgetEndSession', platformConversationId: 'nope' } }],
  ];

  it.each(unknownConversation)('%s for an unknown platformConversationId → 404', async (_event, route, body) => {
    const answer = await postJson(`${server.baseUrl}${route}`, body, bearer);
    expect(answer.status).toBe(404);
    expect(answer.body).toStrictEqual({ error: 'conversation_not_found', message: 'Unknown platformConversationId nope' });
  });
});

describe('errors of the core become JSON answers', () => {
  const escalate = () => postJson(`${server.baseUrl}/converse-webhook`, loadFixture('ultimate', '002-escalate').payload, bearer);

  it('a missing desk → 422 naming it', async () => {
    targets.failNext = new DeskNotFoundError('No desk "string" in bridge.yaml and no defaultDesk');
    const answer = await escalate();
    expect(answer.status).toBe(422);
    expect(answer.body).toStrictEqual({ error: 'desk_not_found', message: 'No desk "string" in bridge.yaml and no defaultDesk' });
  });

  it('a platform failure while opening the ticket → 502 with the reason', async () => {
    targets.failNext = new DeliveryError('Slack refused the ticket post: channel_not_found', { retryable: false });
    const answer = await escalate();
    expect(answer.status).toBe(502);
    expect(answer.body).toStrictEqual({ error: 'delivery_failed', message: 'Slack refused the ticket post: channel_not_found' });
  });

  it('an unexpected error → 500 without internals, logged', async () => {
    targets.failNext = new TypeError('cannot read properties of undefined (reading "desk")');
    const answer = await escalate();
    expect(answer.status).toBe(500);
    expect(answer.body).toStrictEqual({ error: 'internal_error', message: 'the bridge failed to handle this request; see its logs' });
    expect(log.text()).toContain('cannot read properties of undefined');
  });

  it('a widget escalation without desk → 422', async () => {
    targets.failNext = new DeskNotFoundError('No desk "string"');
    const answer = await postJson(`${server.baseUrl}/converse-webhook`, loadFixture('ultimate', '002-widget-escalate').payload, bearer);
    expect(answer.status).toBe(422);
  });

  it('an unknown action → 404', async () => {
    const answer = await postJson(`${server.baseUrl}/action-webhook`, { botId: 'B', platformConversationId: pcid, name: 'noSuchAction', data: [] }, bearer);
    expect(answer.status).toBe(404);
    expect(answer.body).toStrictEqual({ error: 'action_not_found', message: 'Unknown action "noSuchAction": add it under actions in bridge.yaml' });
  });

  it('a failing action → 502 with its message', async () => {
    targets.failNext = new ActionFailedError('Action updateCustomerBalance timed out after 5000 ms');
    const answer = await postJson(`${server.baseUrl}/action-webhook`, loadFixture('ultimate', '002-action').payload, bearer);
    expect(answer.status).toBe(502);
    expect(answer.body).toStrictEqual({ error: 'action_failed', message: 'Action updateCustomerBalance timed out after 5000 ms' });
  });
});

describe('WEBHOOK_TOKEN', () => {
  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
  const routes = [
    ['/converse-webhook', loadFixture('ultimate', '002-escalate').payload],
    ['/action-webhook', loadFixture('ultimate', '002-action').payload],
  ] as const;

  const refused: Array<[string, string, Record<string, string>]> = [
    ['no token', '', {}],
    ['a wrong bearer token', '', { authorization: 'Bearer wrong-token' }],
    ['a bearer token that is a prefix', '', { authorization: `Bearer ${token.slice(0, -1)}` }],
    ['a wrong Basic password', '', basic('ultimate', 'wrong')],
    ['the token as Basic user name', '', basic(token, '')],
    ['a wrong ?token=', '?token=wrong', {}],
    ['an unknown scheme', '', { authorization: `Token ${token}` }],
  ];

  for (const [route, body] of routes) {
    it.each(refused)(`${route}: %s → 401 and nothing handed over`, async (_what, query, headers) => {
      const answer = await postJson(`${server.baseUrl}${route}${query}`, body, headers);
      expect(answer.status).toBe(401);
      expect(answer.body.error).toBe('unauthorized');
      expect(answer.body.message).toMatch(/Bearer/);
      expect(targets.calls).toEqual([]);
    });

    const accepted: Array<[string, string, Record<string, string>]> = [
      ['Bearer', '', bearer],
      ['Basic with any user', '', basic('ultimate-bot', token)],
      ['?token=', `?token=${encodeURIComponent(token)}`, {}],
      ['?token= among other parameters', `?source=ultimate&token=${encodeURIComponent(token)}`, {}],
    ];
    it.each(accepted)(`${route}: %s → accepted`, async (_what, query, headers) => {
      const answer = await postJson(`${server.baseUrl}${route}${query}`, body, headers);
      expect(answer.status).toBe(200);
      expect(targets.calls).toHaveLength(1);
    });
  }

  it("logs what follows the body with the request's id and the conversation's", async () => {
    const body = sendMessage({ text: 'logged' });
    const answer = await postJson(`${server.baseUrl}/converse-webhook`, body, { ...bearer, 'x-request-id': 'req-webhook-7' });
    expect(answer.status).toBe(200);
    expect(log.entries().find((entry) => entry.msg === 'converse webhook received' && entry.requestId === 'req-webhook-7')).toMatchObject({ conversationId: pcid });
  });

  it("logs a refused webhook with the request's id and the conversation's", async () => {
    const answer = await postJson(`${server.baseUrl}/converse-webhook`, sendMessage({ platformConversationId: 'nope', text: 'lost' }), { ...bearer, 'x-request-id': 'req-webhook-8' });
    expect(answer.status).toBe(404);
    expect(log.entries().find((entry) => entry.msg === 'webhook request refused' && entry.requestId === 'req-webhook-8')).toMatchObject({ conversationId: 'nope', status: 404 });
  });

  it('checks the token before reading the body', async () => {
    const answer = await postJson(`${server.baseUrl}/converse-webhook`, '{not json', {});
    expect(answer.status).toBe(401);
  });
});
