/**
 * WidgetApiClient against an msw stand-in for Ultimate's widget API
 * (`POST /agent/converse/send-message-to-widget`, DESIGN section 2): the exact body for each
 * event type, the `Authorization` and `botid` headers, one attempt per call with each failure
 * mapped to a `DeliveryError` the outbox can act on, the whole-request deadline, and no API key
 * in any error.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setupServer } from 'msw/node';
import { delay, http, HttpResponse } from 'msw';
import { toWidgetRequest, WidgetApiClient } from '../../src/bot/ultimate/widget-api-client.js';
import type { BotMessage } from '../../src/core/bot-message.js';
import { DeliveryError } from '../../src/core/errors.js';
import { rejectionOf } from './support/rejection.js';

const apiUrl = 'https://ultimate.test';
const apiKey = 'ult-widget-secret-0123456789';
const botId = '618a30beee4e8e87d2f94015';
const pcid = '13427e90-f76a-47c2-a26d-ea0b4f1836c5';
const widgetUrl = `${apiUrl}/agent/converse/send-message-to-widget`;
const now = Date.parse('2025-06-01T12:00:00Z');

interface SeenRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

const seen: SeenRequest[] = [];
/** How the next request is answered: a status (with an optional Retry-After), a network error, or never. */
let answer: { status: number; retryAfter?: string } | 'network' | 'silent' = { status: 200 };

const server = setupServer(
  http.post(widgetUrl, async ({ request }) => {
    seen.push({ url: request.url, headers: Object.fromEntries(request.headers), body: await request.json() });
    if (answer === 'network') return HttpResponse.error();
    if (answer === 'silent') {
      await delay('infinite');
      return HttpResponse.json({});
    }
    const headers: Record<string, string> = answer.retryAfter ? { 'Retry-After': answer.retryAfter } : {};
    return HttpResponse.json(answer.status < 300 ? {} : { message: `status ${answer.status}` }, { status: answer.status, headers });
  }),
);

function client(timeoutMs?: number): WidgetApiClient {
  return new WidgetApiClient({ apiUrl, apiKey, botId, timeoutMs, now: () => now });
}

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  seen.length = 0;
  answer = { status: 200 };
});

const ann = { name: 'Ann Agent', avatarUrl: 'https://avatars.example.com/ann.png' };
const bodies: Array<[string, BotMessage, Record<string, unknown>]> = [
  [
    'an agent reply → message with agent and avatar',
    { kind: 'text', text: 'Hi, I am looking into it.', buttons: [], sender: ann },
    { platformConversationId: pcid, eventType: 'message', text: 'Hi, I am looking into it.', agent: 'Ann Agent', agentAvatar: ann.avatarUrl },
  ],
  [
    'an agent reply without avatar → message with agent only',
    { kind: 'text', text: 'One moment', buttons: [], sender: { name: 'Bo' } },
    { platformConversationId: pcid, eventType: 'message', text: 'One moment', agent: 'Bo' },
  ],
  [
    'an agent file → message with its caption and URL',
    { kind: 'media', mediaType: 'file', url: 'https://files.example.com/invoice.pdf', text: 'Your invoice', sender: { name: 'Bo' } },
    { platformConversationId: pcid, eventType: 'message', text: 'Your invoice (https://files.example.com/invoice.pdf)', agent: 'Bo' },
  ],
  [
    'the queued notice → escalationQueueUpdate with queuePosition and waitingTime in seconds',
    { kind: 'text', text: 'You are number 2 in the queue.', buttons: [], notice: { kind: 'queued', queuePosition: 2, waitingTime: 119.6 } },
    { platformConversationId: pcid, eventType: 'escalationQueueUpdate', queuePosition: 2, waitingTime: 120 },
  ],
  [
    'the joined notice → escalationSuccess with the agent',
    { kind: 'text', text: 'Ann Agent joined the conversation.', buttons: [], notice: { kind: 'joined', agent: ann } },
    { platformConversationId: pcid, eventType: 'escalationSuccess', agent: 'Ann Agent', agentAvatar: ann.avatarUrl },
  ],
  [
    'the resolved notice → agentDisconnect with the agent',
    { kind: 'text', text: 'Bo marked this conversation as resolved.', buttons: [], notice: { kind: 'resolved', agent: { name: 'Bo' } } },
    { platformConversationId: pcid, eventType: 'agentDisconnect', agent: 'Bo' },
  ],
  [
    'the failed notice → escalationFailed with its text',
    { kind: 'text', text: 'Sorry, I could not reach the team right now.', buttons: [], notice: { kind: 'failed' } },
    { platformConversationId: pcid, eventType: 'escalationFailed', text: 'Sorry, I could not reach the team right now.' },
  ],
];

describe('requests', () => {
  it.each(bodies)('%s', async (_name, message, body) => {
    await client().send(pcid, message);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.body).toStrictEqual(body);
    expect(toWidgetRequest(pcid, message)).toStrictEqual(body);
  });

  it('posts to the widget path with Authorization, botid and a JSON content type', async () => {
    await new WidgetApiClient({ apiUrl: `${apiUrl}/`, apiKey, botId }).send(pcid, bodies[0]![1]);
    expect(seen[0]!.url).toBe(widgetUrl);
    expect(seen[0]!.headers).toMatchObject({ authorization: apiKey, botid: botId, 'content-type': 'application/json' });
  });
});

describe('failures: one attempt, classified for the outbox', () => {
  const message = bodies[0]![1];
  const statuses: Array<[number, boolean]> = [
    [500, true],
    [502, true],
    [503, true],
    [429, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [422, false],
  ];
  it.each(statuses)('%i → retryable %s, platformCode the status', async (status, retryable) => {
    answer = { status };
    const error = await rejectionOf(client().send(pcid, message), DeliveryError);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ code: 'delivery_failed', retryable, platformCode: String(status), retryAfterMs: undefined });
    expect(error.message).toBe(`Ultimate widget API answered ${status}`);
    expect(inspect(error, { depth: 10 })).not.toContain(apiKey);
  });

  it('a 429 with Retry-After: 7 waits 7000 ms', async () => {
    answer = { status: 429, retryAfter: '7' };
    expect(await rejectionOf(client().send(pcid, message), DeliveryError)).toMatchObject({ retryable: true, retryAfterMs: 7_000, platformCode: '429' });
  });

  it('a 503 with an HTTP-date Retry-After is read against the clock; a final 4xx ignores it', async () => {
    answer = { status: 503, retryAfter: 'Sun, 01 Jun 2025 12:00:45 GMT' };
    expect(await rejectionOf(client().send(pcid, message), DeliveryError)).toMatchObject({ retryable: true, retryAfterMs: 45_000 });
    answer = { status: 400, retryAfter: '7' };
    expect(await rejectionOf(client().send(pcid, message), DeliveryError)).toMatchObject({ retryable: false, retryAfterMs: undefined });
  });

  it('a network error is retryable', async () => {
    answer = 'network';
    const error = await rejectionOf(client().send(pcid, message), DeliveryError);
    expect(seen).toHaveLength(1);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^Ultimate widget API unreachable \(/);
    expect(inspect(error, { depth: 10 })).not.toContain(apiKey);
  });

  it('a widget API that never answers is a retryable timeout within the deadline', async () => {
    answer = 'silent';
    const started = performance.now();
    const error = await rejectionOf(client(150).send(pcid, message), DeliveryError);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1_000);
    expect(error).toMatchObject({ retryable: true, platformCode: 'ETIMEDOUT', message: 'Ultimate widget API did not answer within 150 ms' });
    expect(seen).toHaveLength(1);
  });

  it('the deadline defaults to 10 s', async () => {
    answer = 'silent';
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const outcome = client().send(pcid, message).then(() => 'answered', (error: unknown) => error);
      await vi.advanceTimersByTimeAsync(9_990);
      expect(await Promise.race([outcome, Promise.resolve('pending')])).toBe('pending');
      await vi.advanceTimersByTimeAsync(20);
      expect(await outcome).toMatchObject({ retryable: true, message: 'Ultimate widget API did not answer within 10000 ms' });
    } finally {
      vi.useRealTimers();
    }
  });
});
