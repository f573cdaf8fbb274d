/**
 * UltimateBackend against an msw stand-in for the Chat API: the exact headers and body of every
 * Converse request the seeds show, one attempt per send whatever the outcome (the outbox
 * retries), each failure class as `retryable`/`status`/`retryAfterMs`, clear 401/403/404 errors,
 * the deadline, and no API key in any error or log line.
 */
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupServer } from 'msw/node';
import { delay, http, HttpResponse } from 'msw';
import { UltimateBackend } from '../../src/bot/ultimate/ultimate-backend.js';
import { BotRequestError } from '../../src/core/errors.js';
import { Metrics } from '../../src/core/metrics.js';
import type { BotEvent } from '../../src/bot/bot-backend.js';
import { loadFixture } from './support/fixtures.js';
import { rejectionOf } from './support/rejection.js';
import { captureLogger, type CapturedLogger } from './support/capture-logger.js';

const apiKey = 'ult-secret-key-0123456789';
const botId = '618a30beee4e8e87d2f94015';
const apiUrl = 'https://ultimate.test';
const pcid = '13427e90-f76a-47c2-a26d-ea0b4f1836c5';

interface SeenRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

const seen: SeenRequest[] = [];
/** Statuses (or 'network' / 'silent') answered in order; 200 once they run out. */
let script: Array<number | 'network' | 'silent' | { status: number; retryAfter: string }> = [];

const server = setupServer(
  http.post(`${apiUrl}/converse/chat`, async ({ request }) => {
    seen.push({ url: request.url, headers: Object.fromEntries(request.headers), body: await request.json() });
    const step = script.shift() ?? 200;
    if (step === 'network') return HttpResponse.error();
    if (step === 'silent') {
      await delay('infinite');
      return HttpResponse.json({});
    }
    if (typeof step === 'object') return HttpResponse.json({ message: 'slow down' }, { status: step.status, headers: { 'Retry-After': step.retryAfter } });
    return HttpResponse.json(step === 200 ? {} : { message: `status ${step}` }, { status: step });
  }),
);

let metrics: Metrics;
let log: CapturedLogger;

function backend(overrides: Partial<ConstructorParameters<typeof UltimateBackend>[0]> = {}): UltimateBackend {
  return new UltimateBackend({
    apiUrl,
    apiKey,
    botId,
    metrics,
    logger: log.logger,
    now: () => Date.parse('2025-06-01T12:00:00Z'),
    ...overrides,
  });
}

async function botRequestCount(outcome: string): Promise<number> {
  const metric = await metrics.botRequests.get();
  return metric.values.filter((value) => value.labels.outcome === outcome).reduce((sum, value) => sum + value.value, 0);
}


beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  seen.length = 0;
  script = [];
  metrics = new Metrics();
  log = captureLogger();
});
afterEach(() => {
  // Whatever happened, the key never reaches a log line.
  expect(log.text()).not.toContain(apiKey);
});

describe('Converse requests: exact headers and body', () => {
  const cases: Array<[string, BotEvent]> = [
    ['000-request-start-session', { conversationId: pcid, type: 'startSession' }],
    ['000-request-message', { conversationId: pcid, type: 'message', text: 'I want to make a refund of an article' }],
    ['000-request-click', { conversationId: pcid, type: 'message', text: 'Maybe' }],
    ['000-request-carousel-click', { conversationId: pcid, type: 'message', text: 'secondCardButton', cardIndex: 1 }],
    ['000-request-end-session', { conversationId: pcid, type: 'endSession' }],
    [
      '004-request-message-metadata',
      { conversationId: '123-456-789', type: 'message', text: 'Hello! I want to make a refund, please', cardIndex: 1, metaData: [{ key: 'userId', value: '54321' }] },
    ],
  ];

  it.each(cases)('sends the body of %s with Authorization, botid and Content-Type', async (fixture, event) => {
    await backend().send(event);
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request!.url).toBe(`${apiUrl}/converse/chat`);
    expect(request!.headers.authorization).toBe(apiKey);
    expect(request!.headers.botid).toBe(botId);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toStrictEqual(loadFixture('ultimate', fixture).payload);
    expect(await botRequestCount('ok')).toBe(1);
  });

  it('never sends text with startSession, and sends its metaData as an array with sanitize', async () => {
    await backend().send({
      conversationId: pcid,
      type: 'startSession',
      text: 'hello',
      cardIndex: 2,
      metaData: [
        { key: 'email', value: 'ann@example.com', sanitize: true },
        { key: 'name', value: 'Ann' },
      ],
    });
    expect(seen[0]!.body).toStrictEqual({
      platformConversationId: pcid,
      eventType: 'startSession',
      metaData: [
        { key: 'email', value: 'ann@example.com', sanitize: true },
        { key: 'name', value: 'Ann' },
      ],
    });
  });

  it('sends a first message with the profile as a metaData array, sanitize kept as given', async () => {
    await backend().send({
      conversationId: pcid,
      type: 'message',
      text: 'Hi',
      metaData: [
        { key: 'platform', value: 'slack' },
        { key: 'email', value: 'ann@example.com', sanitize: true },
        { key: 'locale', value: 'de-DE', sanitize: false },
      ],
    });
    expect(seen[0]!.body).toStrictEqual({
      platformConversationId: pcid,
      eventType: 'message',
      text: 'Hi',
      metaData: [
        { key: 'platform', value: 'slack' },
        { key: 'email', value: 'ann@example.com', sanitize: true },
        { key: 'locale', value: 'de-DE', sanitize: false },
      ],
    });
  });

  it('sends endSession with neither text nor metaData', async () => {
    await backend().send({ conversationId: pcid, type: 'endSession', text: 'bye', metaData: [{ key: 'a', value: 'b' }] });
    expect(seen[0]!.body).toStrictEqual(loadFixture('ultimate', '000-request-end-session').payload);
  });

  it('joins the path to a base URL with a trailing slash', async () => {
    await backend({ apiUrl: `${apiUrl}/` }).send({ conversationId: pcid, type: 'startSession' });
    expect(seen[0]!.url).toBe(`${apiUrl}/converse/chat`);
  });

  it('refuses a message without text or with a negative card index before calling Ultimate', async () => {
    const noText = await rejectionOf(backend().send({ conversationId: pcid, type: 'message' }), BotRequestError);
    expect(noText.retryable).toBe(false);
    expect(noText.message).toMatch(/needs text/);
    const badIndex = await rejectionOf(backend().send({ conversationId: pcid, type: 'message', text: 'x', cardIndex: -1 }), BotRequestError);
    expect(badIndex.message).toMatch(/cardIndex/);
    expect(seen).toHaveLength(0);
  });
});

describe('one attempt per send: the outbox retries', () => {
  const message: BotEvent = { conversationId: pcid, type: 'message', text: 'Hi' };

  it.each([500, 502, 503, 504])('%i is one request and a retryable error with the status', async (status) => {
    script = [status];
    const error = await rejectionOf(backend().send(message), BotRequestError);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ code: 'bot_request_failed', retryable: true, status, retryAfterMs: undefined });
    expect(error.message).toBe(`Ultimate answered ${status} to the message event`);
    expect(await botRequestCount('bot_request_failed')).toBe(1);
  });

  it('a 429 with Retry-After: 7 is one request and retryable after 7000 ms', async () => {
    script = [{ status: 429, retryAfter: '7' }];
    const error = await rejectionOf(backend().send(message), BotRequestError);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ code: 'bot_request_failed', retryable: true, status: 429, retryAfterMs: 7_000 });
  });

  it('a Retry-After HTTP date is read against the clock', async () => {
    script = [{ status: 503, retryAfter: 'Sun, 01 Jun 2025 12:00:30 GMT' }];
    expect(await rejectionOf(backend().send(message), BotRequestError)).toMatchObject({ retryable: true, retryAfterMs: 30_000 });
  });

  it('a network error is one request and retryable, with no status', async () => {
    script = ['network'];
    const error = await rejectionOf(backend().send({ conversationId: pcid, type: 'startSession' }), BotRequestError);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ code: 'bot_request_failed', retryable: true, status: undefined });
  });

  it('a 400 is final', async () => {
    script = [400];
    const error = await rejectionOf(backend().send(message), BotRequestError);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ code: 'bot_request_failed', retryable: false, status: 400 });
    expect(error.message).toBe('Ultimate refused the message event with 400');
  });

  it('a Chat API that never answers is a retryable timeout within the deadline', async () => {
    script = ['silent'];
    const started = performance.now();
    const error = await rejectionOf(backend({ timeoutMs: 100 }).send({ conversationId: pcid, type: 'startSession' }), BotRequestError);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ retryable: true, status: undefined });
    expect(error.message).toBe('Ultimate did not answer the startSession event within 100 ms');
    expect(inspect(error, { depth: 10 })).not.toContain(apiKey);
  });

  it('a retry is a new send with the same body', async () => {
    script = [503];
    await rejectionOf(backend().send(message), BotRequestError);
    await backend().send(message);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.body).toStrictEqual(seen[0]!.body);
    expect(await botRequestCount('ok')).toBe(1);
  });
});

describe('401, 403 and 404 name the likely cause', () => {
  const cases: Array<[number, string, RegExp]> = [
    [401, 'bot_auth_failed', /ULTIMATE_API_KEY and ULTIMATE_BOT_ID/],
    [403, 'bot_forbidden', /not using the Custom CRM integration/],
    [404, 'bot_not_found', /check ULTIMATE_BOT_ID and ULTIMATE_API_URL \(the request goes to https:\/\/ultimate\.test\/converse\/chat\)/],
  ];

  it.each(cases)('%i → %s without retry and without the key', async (status, code, message) => {
    script = [status];
    const error = await rejectionOf(backend().send({ conversationId: pcid, type: 'message', text: 'Hi' }), BotRequestError);
    expect(seen).toHaveLength(1);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(message);
    expect(inspect(error, { depth: 10 })).not.toContain(apiKey);
    expect(JSON.stringify(error)).not.toContain(apiKey);
    expect(await botRequestCount(code)).toBe(1);
  });
});
