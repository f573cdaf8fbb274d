/**
 * CsmlBackend against an msw stand-in for CSML's Chat API: exact unsigned and signed headers,
 * request bodies as seed 001 shows them, what session events become, replies handed to the core
 * in order, conversation_end, error mapping with one attempt per send (the outbox retries), and
 * no key or secret in errors or logs.
 */
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { CsmlBackend, type CsmlBackendOptions } from '../../src/bot/csml/csml-backend.js';
import { BotRequestError, ConversationNotFoundError } from '../../src/core/errors.js';
import { Metrics } from '../../src/core/metrics.js';
import { loadFixture } from './support/fixtures.js';
import { rejectionOf } from './support/rejection.js';
import { RecordingTargets } from './support/recording-targets.js';
import { captureLogger, type CapturedLogger } from './support/capture-logger.js';

const apiUrl = 'https://csml.test/v1/api';
const apiKey = 'csml-key-123';
const apiSecret = 'csml-secret-abcdef';
const userId = 'some-user-id';

interface SeenRequest {
  headers: Record<string, string>;
  body: unknown;
}

const seen: SeenRequest[] = [];
/** Answers in order: a status, or a reply body (200). Once they run out: the seed's reply. */
let script: Array<number | object> = [];

const server = setupServer(
  http.post(`${apiUrl}/chat`, async ({ request }) => {
    seen.push({ headers: Object.fromEntries(request.headers), body: await request.json() });
    const step = script.shift() ?? (loadFixture('csml', '001-chat-response').payload as object);
    return typeof step === 'number' ? HttpResponse.json({ error: `status ${step}` }, { status: step }) : HttpResponse.json(step as Record<string, unknown>);
  }),
);

let targets: RecordingTargets;
let log: CapturedLogger;
let clock: number;
let metrics: Metrics;

function backend(overrides: Partial<CsmlBackendOptions> = {}): CsmlBackend {
  return new CsmlBackend({
    apiUrl,
    apiKey,
    output: targets.output,
    metrics,
    logger: log.logger,
    now: () => clock,
    newRequestId: () => 'random-id',
    ...overrides,
  });
}

function reply(payloads: unknown[], extra: Record<string, unknown> = {}): object {
  return { messages: payloads.map((payload) => ({ payload })), client: { bot_id: 'b', channel_id: 'c', user_id: userId }, is_authorized: true, ...extra };
}


beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  seen.length = 0;
  script = [];
  targets = new RecordingTargets([userId]);
  log = captureLogger();
  clock = 1_700_000_000_123;
  metrics = new Metrics();
});

async function outcomes(): Promise<Record<string, number>> {
  return Object.fromEntries((await metrics.botRequests.get()).values.map((value) => [String(value.labels.outcome), value.value]));
}
afterEach(() => {
  expect(log.text()).not.toContain(apiSecret);
  expect(log.text()).not.toContain(apiKey);
});

describe('requests', () => {
  it('sends a text message with X-Api-Key only, body exactly as seed 001', async () => {
    await backend().send({ conversationId: userId, type: 'message', text: 'Hello', metaData: [{ key: 'firstname', value: 'John' }, { key: 'lastname', value: 'Doe' }] });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers['x-api-key']).toBe(apiKey);
    expect(seen[0]!.headers['x-api-signature']).toBeUndefined();
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen[0]!.body).toStrictEqual(loadFixture('csml', '001-chat-request').payload);
  });

  it('signs with KEY|unix-seconds and the hex HMAC-SHA256 of it when a secret is set', async () => {
    await backend({ apiSecret }).send({ conversationId: userId, type: 'message', text: 'Hello' });
    expect(seen[0]!.headers['x-api-key']).toBe('csml-key-123|1700000000');
    // Computed independently (Python hmac) for key "csml-key-123|1700000000" and the secret above.
    expect(seen[0]!.headers['x-api-signature']).toBe('sha256=bf8527ee096a8f2b33ae54d139bd1a370927b3a7341ecf63f605419aeaae2a6a');
  });

  it('signs each send afresh, so a retry of a refused send by the outbox carries a new timestamp', async () => {
    script = [503];
    const csml = backend({ apiSecret });
    await rejectionOf(csml.send({ conversationId: userId, type: 'message', text: 'Hello' }), BotRequestError);
    clock += 5_000;
    await csml.send({ conversationId: userId, type: 'message', text: 'Hello' });
    expect(seen.map((request) => request.headers['x-api-key'])).toEqual(['csml-key-123|1700000000', 'csml-key-123|1700000005']);
    expect(seen[1]!.headers['x-api-signature']).toBe('sha256=be94247dcbe0ed6e908151e831f27d8522f03a6f1e8a90de399dfe4997c736e9');
  });

  it('sends a click on a button with a payload as a payload message', async () => {
    await backend().send({ conversationId: userId, type: 'message', text: 'What?', payload: 'btn1' });
    expect(seen[0]!.body).toStrictEqual({ client: { user_id: userId }, metadata: {}, request_id: 'random-id', payload: { content_type: 'payload', content: { payload: 'btn1' } } });
  });

  it('sends startSession as the configured welcome flow trigger, as seed 001 shows it', async () => {
    await backend({ welcomeFlowId: 'some-flow-id' }).send({ conversationId: userId, type: 'startSession', metaData: [{ key: 'key', value: 'value' }, { key: 'otherkey', value: 'othervalue' }] });
    expect(seen[0]!.body).toStrictEqual(loadFixture('csml', '001-chat-request-flow-trigger').payload);
  });

  it('sends nothing for startSession without a welcome flow, nor for endSession', async () => {
    await backend().send({ conversationId: userId, type: 'startSession' });
    await backend({ welcomeFlowId: 'welcome' }).send({ conversationId: userId, type: 'endSession' });
    expect(seen).toHaveLength(0);
    expect(targets.calls).toEqual([]);
    expect(await outcomes()).toEqual({});
  });

  it('refuses a message with neither text nor payload', async () => {
    const error = await rejectionOf(backend().send({ conversationId: userId, type: 'message' }), BotRequestError);
    expect(error.message).toBe('A message event for CSML needs text or a button payload');
    expect(seen).toHaveLength(0);
  });
});

describe('replies', () => {
  it('hands the seed reply to the core before send resolves, counted once as ok', async () => {
    await backend().send({ conversationId: userId, type: 'message', text: 'Hello' });
    expect(await outcomes()).toEqual({ ok: 1 });
    expect(targets.calls).toEqual([{ target: 'output', method: 'messages', conversationId: userId, messages: [{ kind: 'text', text: 'Some message', buttons: [] }] }]);
  });

  it('keeps the order of several messages, skips typing, then ends the conversation', async () => {
    script = [
      reply(
        ['payload-text', 'payload-typing', 'payload-question-with-payloads', 'payload-image'].map((name) => loadFixture('csml', name).payload),
        { conversation_end: true },
      ),
    ];
    await backend().send({ conversationId: userId, type: 'message', text: 'Hello' });
    expect(targets.calls).toEqual([
      {
        target: 'output',
        method: 'messages',
        conversationId: userId,
        messages: [
          { kind: 'text', text: 'message', buttons: [] },
          { kind: 'text', text: 'Hi! My name is:', buttons: [{ kind: 'reply', text: 'What?', payload: 'btn1' }, { kind: 'reply', text: 'Who?', payload: 'btn2' }] },
          { kind: 'media', mediaType: 'image', url: 'https://example.com/image.jpg' },
        ],
      },
      { target: 'output', method: 'conversationEnded', conversationId: userId },
    ]);
  });

  it('ends the conversation even when the last reply shows nothing', async () => {
    script = [reply([loadFixture('csml', 'payload-wait').payload], { conversation_end: true })];
    await backend().send({ conversationId: userId, type: 'message', text: 'bye' });
    expect(targets.calls).toEqual([{ target: 'output', method: 'conversationEnded', conversationId: userId }]);
  });

  it('does not deliver the synchronous reply when replies come by callback', async () => {
    await backend({ repliesByCallback: true }).send({ conversationId: userId, type: 'message', text: 'Hello' });
    expect(seen).toHaveLength(1);
    expect(targets.calls).toEqual([]);
  });

  it('fails clearly on a reply that does not match the format, delivering nothing', async () => {
    script = [reply([{ content_type: 'image', content: {} }])];
    const error = await rejectionOf(backend().send({ conversationId: userId, type: 'message', text: 'Hello' }), BotRequestError);
    expect(error.code).toBe('bot_request_failed');
    expect(error.message).toBe('CSML answered with an unexpected reply at messages.0.payload.content.url: Invalid input: expected string, received undefined');
    expect(error.retryable).toBe(false);
    expect(targets.calls).toEqual([]);
    expect(await outcomes()).toEqual({ bot_request_failed: 1 });
  });

  it('treats is_authorized=false as forbidden', async () => {
    script = [reply([], { is_authorized: false })];
    const error = await rejectionOf(backend().send({ conversationId: userId, type: 'message', text: 'Hello' }), BotRequestError);
    expect(error.code).toBe('bot_forbidden');
    expect(await outcomes()).toEqual({ bot_forbidden: 1 });
  });

  it('lets the core refuse an unknown conversation', async () => {
    await rejectionOf(backend().send({ conversationId: 'unknown-user', type: 'message', text: 'Hello' }), ConversationNotFoundError);
  });
});

describe('errors: one attempt per send', () => {
  it('a 502 is one request, retryable, and delivers nothing', async () => {
    script = [502];
    const error = await rejectionOf(backend().send({ conversationId: userId, type: 'message', text: 'Hello' }), BotRequestError);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ code: 'bot_request_failed', retryable: true, status: 502 });
    expect(targets.calls).toEqual([]);
    expect(await outcomes()).toEqual({ bot_request_failed: 1 });
  });

  it('a 400 is final', async () => {
    script = [400];
    const error = await rejectionOf(backend().send({ conversationId: userId, type: 'message', text: 'Hello' }), BotRequestError);
    expect(seen).toHaveLength(1);
    expect(error.retryable).toBe(false);
  });

  const cases: Array<[number, string, RegExp]> = [
    [401, 'bot_auth_failed', /check CSML_API_KEY \(and CSML_API_SECRET and the clock/],
    [403, 'bot_forbidden', /API channel in CSML Studio/],
    [404, 'bot_not_found', /check CSML_API_URL \(the request goes to https:\/\/csml\.test\/v1\/api\/chat\)/],
  ];
  it.each(cases)('%i → %s, no retry, no key or secret in the error', async (status, code, message) => {
    script = [status];
    const error = await rejectionOf(backend({ apiSecret }).send({ conversationId: userId, type: 'message', text: 'Hello' }), BotRequestError);
    expect(seen).toHaveLength(1);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    const dump = inspect(error, { depth: 10 });
    expect(dump).not.toContain(apiKey);
    expect(dump).not.toContain(apiSecret);
  });
});
