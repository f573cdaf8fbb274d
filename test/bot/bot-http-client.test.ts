/**
 * BotHttpClient against a real loopback server: exactly one request per call, every failure
 * class mapped to the right `retryable`, `status` and `retryAfterMs`, a whole-request deadline
 * that holds against a server that never answers (or stalls mid-answer), the metric labelled by
 * outcome only, and the API key in no error, cause or log line.
 */
import { inspect } from 'node:util';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BotHttpClient } from '../../src/bot/bot-http-client.js';
import { BotRequestError } from '../../src/core/errors.js';
import { Metrics } from '../../src/core/metrics.js';
import { json, startLoopbackServer, type LoopbackServer } from '../actions/loopback-server.js';
import { captureLogger, type CapturedLogger } from './support/capture-logger.js';
import { rejectionOf } from './support/rejection.js';

const apiKey = 'bot-secret-key-0123456789';
const now = Date.parse('2025-06-01T12:00:00Z');
const hints = { 401: 'hint 401', 403: 'hint 403', 404: 'hint 404' };

let server: LoopbackServer;
let metrics: Metrics;
let log: CapturedLogger;

function client(timeoutMs = 2_000): BotHttpClient {
  return new BotHttpClient({ apiName: 'TestBot', headers: { Authorization: apiKey }, timeoutMs, hints, metrics, logger: log.logger, now: () => now });
}

function post(target = `${server.baseUrl}/chat`, timeoutMs?: number): Promise<unknown> {
  return client(timeoutMs).post('message', { conversationId: 'conv-1', url: target, data: { text: 'Hi' } }, (response) => response.data);
}

async function outcomes(): Promise<Array<Record<string, string | number>>> {
  return (await metrics.botRequests.get()).values.map((value) => ({ ...value.labels, value: value.value }));
}

function expectNoKey(error: BotRequestError): void {
  expect(error.message).not.toContain(apiKey);
  expect(inspect(error, { depth: 10 })).not.toContain(apiKey);
  expect(JSON.stringify(error)).not.toContain(apiKey);
}

beforeAll(async () => {
  server = await startLoopbackServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.respond((_request, response) => json(response, 200, { ok: true }));
  metrics = new Metrics();
  log = captureLogger();
});
afterEach(() => {
  expect(log.text()).not.toContain(apiKey);
});

describe('one attempt', () => {
  it('resolves with what `read` makes of a 2xx answer, sends the client headers, counts outcome ok', async () => {
    await expect(post()).resolves.toEqual({ ok: true });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers.authorization).toBe(apiKey);
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ text: 'Hi' });
    expect(await outcomes()).toEqual([{ outcome: 'ok', value: 1 }]);
  });

  const statuses: Array<[number, string, boolean]> = [
    [500, 'bot_request_failed', true],
    [502, 'bot_request_failed', true],
    [503, 'bot_request_failed', true],
    [504, 'bot_request_failed', true],
    [429, 'bot_request_failed', true],
    [400, 'bot_request_failed', false],
    [408, 'bot_request_failed', false],
    [409, 'bot_request_failed', false],
    [422, 'bot_request_failed', false],
    [401, 'bot_auth_failed', false],
    [403, 'bot_forbidden', false],
    [404, 'bot_not_found', false],
  ];
  it.each(statuses)('%i is one request → %s, retryable %s, with the status', async (status, code, retryable) => {
    server.respond((_request, response) => json(response, status, { error: `status ${status}` }));
    const error = await rejectionOf(post(), BotRequestError);
    expect(server.requests).toHaveLength(1);
    expect({ code: error.code, retryable: error.retryable, status: error.status, retryAfterMs: error.retryAfterMs }).toEqual({ code, retryable, status, retryAfterMs: undefined });
    expectNoKey(error);
    expect(await outcomes()).toEqual([{ outcome: code, value: 1 }]);
  });

  it('names the hint for 401/403/404 and the status otherwise', async () => {
    server.respond((_request, response) => json(response, 401, {}));
    expect((await rejectionOf(post(), BotRequestError)).message).toBe('hint 401');
    server.respond((_request, response) => json(response, 400, {}));
    expect((await rejectionOf(post(), BotRequestError)).message).toBe('TestBot refused the message event with 400');
    server.respond((_request, response) => json(response, 503, {}));
    expect((await rejectionOf(post(), BotRequestError)).message).toBe('TestBot answered 503 to the message event');
    expect(log.entries().filter((entry) => entry.msg === 'TestBot request failed').at(-1)).toMatchObject({ conversationId: 'conv-1', status: 503 });
  });
});

describe('Retry-After', () => {
  it('a 429 with Retry-After: 7 gives retryAfterMs 7000', async () => {
    server.respond((_request, response) => response.writeHead(429, { 'retry-after': '7' }).end());
    const error = await rejectionOf(post(), BotRequestError);
    expect(error).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7_000 });
    expect(error.message).toBe('TestBot answered 429 to the message event and asked to wait 7 s');
    expect(server.requests).toHaveLength(1);
  });

  it('reads an HTTP date against the clock on a 503', async () => {
    server.respond((_request, response) => response.writeHead(503, { 'retry-after': 'Sun, 01 Jun 2025 12:01:00 GMT' }).end());
    expect(await rejectionOf(post(), BotRequestError)).toMatchObject({ retryable: true, status: 503, retryAfterMs: 60_000 });
  });

  it('is ignored on a final 4xx and when unreadable', async () => {
    server.respond((_request, response) => response.writeHead(400, { 'retry-after': '7' }).end());
    expect((await rejectionOf(post(), BotRequestError)).retryAfterMs).toBeUndefined();
    server.respond((_request, response) => response.writeHead(429, { 'retry-after': 'later' }).end());
    expect(await rejectionOf(post(), BotRequestError)).toMatchObject({ retryable: true, retryAfterMs: undefined });
  });
});

describe('transport failures', () => {
  it('a connection refused is retryable, with no status', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await rejectionOf(post(`http://127.0.0.1:${port}/chat`), BotRequestError);
    expect(error).toMatchObject({ code: 'bot_request_failed', retryable: true, status: undefined });
    expect(error.message).toBe('TestBot could not be reached for the message event (ECONNREFUSED)');
    expectNoKey(error);
  });

  it('a server that never answers is a retryable timeout within the deadline', async () => {
    server.respond(() => undefined);
    const started = performance.now();
    const error = await rejectionOf(post(undefined, 200), BotRequestError);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1_000);
    expect(error).toMatchObject({ code: 'bot_request_failed', retryable: true, status: undefined });
    expect(error.message).toBe('TestBot did not answer the message event within 200 ms');
    expect(server.requests).toHaveLength(1);
    expectNoKey(error);
  });

  it('the deadline covers the whole answer: headers sent, body stalled, still a timeout', async () => {
    server.respond((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"messages":');
    });
    const started = performance.now();
    const error = await rejectionOf(post(undefined, 200), BotRequestError);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error).toMatchObject({ retryable: true, message: 'TestBot did not answer the message event within 200 ms' });
  });

  it('an invalid URL and an oversized answer are final', async () => {
    expect(await rejectionOf(post('ftp://bot.example/chat'), BotRequestError)).toMatchObject({ retryable: false, message: 'The TestBot API URL is not a valid http(s) URL' });
    server.respond((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(`"${'x'.repeat(5 * 1024 * 1024)}"`));
    expect(await rejectionOf(post(), BotRequestError)).toMatchObject({ retryable: false, message: 'TestBot answered the message event with a body over the size limit' });
  });

  it('a header Node refuses is final and its value appears nowhere', async () => {
    const bad = new BotHttpClient({ apiName: 'TestBot', headers: { Authorization: `${apiKey}\n` }, hints, metrics, logger: log.logger });
    const error = await rejectionOf(bad.post('message', { conversationId: 'conv-1', url: `${server.baseUrl}/chat`, data: {} }, () => undefined), BotRequestError);
    expect(error).toMatchObject({ retryable: false, message: 'The request to TestBot for the message event could not be built' });
    expect(server.requests).toHaveLength(0);
    expectNoKey(error);
  });
});

describe('read', () => {
  it('a BotRequestError thrown by read is counted under its code, not as ok', async () => {
    const refused = new BotRequestError('bot_forbidden', 'not allowed', { retryable: false });
    const error = await rejectionOf(
      client().post('message', { conversationId: 'conv-1', url: `${server.baseUrl}/chat`, data: {} }, () => {
        throw refused;
      }),
      BotRequestError,
    );
    expect(error).toBe(refused);
    expect(await outcomes()).toEqual([{ outcome: 'bot_forbidden', value: 1 }]);
  });

  it('the metric has exactly the label outcome', async () => {
    await post();
    const metric = await metrics.botRequests.get();
    expect(metric.name).toBe('bridge_bot_requests_total');
    expect(metric.values.map((value) => Object.keys(value.labels))).toEqual([['outcome']]);
  });
});
