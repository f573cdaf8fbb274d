/**
 * The lean Events API path (request-guard.ts): a signed `message` or `app_mention` event is
 * handled before Bolt's middleware chain, with Bolt's answers kept: 200 once journalled, 503 when
 * the identity or the store could not answer; everything else still goes through Bolt. In HTTP
 * mode Bolt has no listener for messages and mentions (inbound-handlers.ts), so an event that
 * reaches the sink came through the hot path.
 * Real route on loopback, Slack's documented payloads, msw for the Web API.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreUnavailableError } from '../../src/core/errors.js';
import { FakeSlackApi } from './support/fake-slack-api.js';
import { postEvent } from './support/signed-requests.js';
import { fixture } from './support/slack-fixtures.js';
import { signingSecret, useSlackHarness, type SlackHarness } from './support/slack-harness.js';

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
});
