/**
 * The lean Events API path (request-guard.ts): a signed `message` or `app_mention` event is
 * handled before Bolt's middleware chain, with Bolt's answers kept: 200 once journalled, 503 when
 * the identity or the store could not answer; everything else still goes through Bolt. In HTTP
 * mode Bolt has no listener for messages and mentions (inbound-handlers.ts), so an event that
 * reaches the sink came through the hot path.
 * Real route on loopback, Slack's documented payloads, msw for the Web API.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSlackAdapter } from '../../adapters/slack/index.js';
import { StoreUnavailableError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import { Metrics } from '../../src/core/metrics.js';
import { createApp } from '../../src/http/create-app.js';
import { capturingLogger } from '../support/silent-logger.js';
import { RecordingSink } from './support/recording-sink.js';
import { FakeSlackApi, fakeBot } from './support/fake-slack-api.js';
import { postEvent } from './support/signed-requests.js';
import { fixture } from './support/slack-fixtures.js';
import { counterValue, signingSecret, testSlackEnv, useSlackHarness, type SlackHarness } from './support/slack-harness.js';

const api = new FakeSlackApi();
let harness: SlackHarness;
const sign = { secret: signingSecret };

useSlackHarness(api, (started) => (harness = started));
afterEach(() => vi.restoreAllMocks());

describe('the hot Events API path', () => {
  it('journals DMs and mentions on the hot path; the Messages tab still goes to Bolt', async () => {
    expect((await postEvent(harness.eventsUrl, fixture('event-app-home-opened'), sign)).status).toBe(200);
    expect((await postEvent(harness.eventsUrl, fixture('event-message-im'), sign)).status).toBe(200);
    expect((await postEvent(harness.eventsUrl, fixture('event-app-mention'), sign)).status).toBe(200);
    expect(harness.sink.visitorEvents.map((event) => [event.eventId, event.action.kind])).toEqual([
      [fixture('event-app-home-opened').event_id, 'startSession'],
      ['Ev0PV52K21', 'message'],
      ['Ev123ABC456', 'message'],
    ]);
  });

  it('answers 200 only after the event is journalled', async () => {
    let journal!: () => void;
    const journalled = new Promise<void>((resolve) => (journal = resolve));
    const original = harness.sink.visitorEvent.bind(harness.sink);
    vi.spyOn(harness.sink, 'visitorEvent').mockImplementation(async (event) => {
      await journalled;
      return original(event);
    });
    let answered = false;
    const response = postEvent(harness.eventsUrl, fixture('event-message-im'), sign).then((result) => {
      answered = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    journal();
    expect((await response).status).toBe(200);
    expect(harness.sink.visitorEvents).toHaveLength(1);
  });

  it('answers 503 when the store cannot journal the event, so that Slack retries', async () => {
    vi.spyOn(harness.sink, 'visitorEvent').mockRejectedValueOnce(new StoreUnavailableError('the store did not answer', { cause: new Error('connection refused') }));
    expect((await postEvent(harness.eventsUrl, fixture('event-message-im'), sign)).status).toBe(503);
    expect(harness.sink.visitorEvents).toHaveLength(0);
    expect((await postEvent(harness.eventsUrl, fixture('event-message-im'), sign)).status).toBe(200);
    expect(harness.sink.visitorEvents).toHaveLength(1);
  });

  it('answers 503 while auth.test fails (as Bolt does for a failed authorize), and takes the retry once it answers', async () => {
    api.on('auth.test', () => new Response('upstream down', { status: 500 }));
    expect((await postEvent(harness.eventsUrl, fixture('event-message-im'), sign)).status).toBe(503);
    expect(harness.sink.visitorEvents).toHaveLength(0);
    api.reset();
    expect((await postEvent(harness.eventsUrl, fixture('event-message-im'), sign)).status).toBe(200);
    expect(harness.sink.visitorEvents).toHaveLength(1);
  });

  it('still refuses a message event with a bad signature (401) and an unparseable one (400)', async () => {
    expect((await postEvent(harness.eventsUrl, fixture('event-message-im'), { secret: 'not-the-secret' })).status).toBe(401);
    const broken = fixture('event-message-im');
    broken.event.channel = 42;
    expect((await postEvent(harness.eventsUrl, broken, sign)).status).toBe(400);
    expect(harness.sink.visitorEvents).toHaveLength(0);
  });

  it("drops the bot's own messages unseen, as Bolt's ignoreSelf does (no ignored-event count)", async () => {
    const own = fixture('event-message-im');
    own.event.user = fakeBot.userId;
    own.event.bot_id = fakeBot.botId;
    const before = await counterValue(harness.metrics, 'bridge_events_in_total', { platform: 'slack', type: 'ignored' });
    expect((await postEvent(harness.eventsUrl, own, sign)).status).toBe(200);
    expect(await counterValue(harness.metrics, 'bridge_events_in_total', { platform: 'slack', type: 'ignored' })).toBe(before);
    expect(harness.sink.visitorEvents).toHaveLength(0);
  });

  it('answers a body past the limit 413 without reading on', async () => {
    const huge = fixture('event-message-im');
    huge.event.text = 'x'.repeat(1024 * 1024 + 10);
    expect((await postEvent(harness.eventsUrl, huge, sign)).status).toBe(413);
    expect(harness.sink.visitorEvents).toHaveLength(0);
  });

  it('logs a failed journal with the request id and the event id', async () => {
    const { logger, lines } = capturingLogger();
    const sink = new RecordingSink();
    vi.spyOn(sink, 'visitorEvent').mockRejectedValue(new StoreUnavailableError('the store did not answer'));
    await withBridge(sink, logger, async (url) => {
      const response = await postEvent(url, fixture('event-message-im'), { ...sign, headers: { 'x-request-id': 'req-hot-1' } });
      expect(response.status).toBe(503);
      const failure = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'Slack event handling failed');
      expect(failure).toMatchObject({ requestId: 'req-hot-1', eventId: 'Ev0PV52K21', status: 503 });
    });
  });
  it("names the event on Bolt's failure line (an event off the hot path: the Messages tab)", async () => {
    const { logger, lines } = capturingLogger();
    const sink = new RecordingSink();
    vi.spyOn(sink, 'visitorEvent').mockRejectedValue(new Error('the core broke'));
    await withBridge(sink, logger, async (url) => {
      const response = await postEvent(url, fixture('event-app-home-opened'), sign);
      expect(response.status).toBeGreaterThanOrEqual(500);
      const failure = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'Slack event handling failed');
      expect(failure).toMatchObject({ requestId: 'Ev123ABC460' });
    });
  });
});

/** The bridge's server with the Slack adapter over `sink` and `logger`, for `work` on its events URL. */
async function withBridge(sink: RecordingSink, logger: Logger, work: (eventsUrl: string) => Promise<void>): Promise<void> {
  const metrics = new Metrics();
  const adapter = createSlackAdapter({ env: testSlackEnv, sink, logger, metrics });
  const app = createApp({ adapters: [adapter], botRoutes: [], readiness: [], metrics, logger, isShuttingDown: () => false });
  const server = await new Promise<Server>((resolve) => {
    const listening = createServer(app).listen(0, '127.0.0.1', () => resolve(listening));
  });
  try {
    await work(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
