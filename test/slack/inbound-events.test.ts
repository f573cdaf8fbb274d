/**
 * Inbound Slack events through the real route: Slack's documented payloads, signed with the
 * signing secret, POSTed to POST /slack/events on a loopback express server; Web API calls
 * (auth.test, users.info) answered by msw; a recording sink stands in for the core.
 */
import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/core/errors.js';
import { FakeSlackApi, fakeBot, rateLimited, type Responder } from './support/fake-slack-api.js';
import { postEvent } from './support/signed-requests.js';
import { fixture } from './support/slack-fixtures.js';
import { counterValue, signingSecret, useSlackHarness, type SlackHarness } from './support/slack-harness.js';
import { waitUntil } from './support/wait-until.js';

const api = new FakeSlackApi();
let harness: SlackHarness;
const sign = { secret: signingSecret };

useSlackHarness(api, (started) => (harness = started));

async function ignoredCount(): Promise<number> {
  return counterValue(harness.metrics, 'bridge_events_in_total', { platform: 'slack', type: 'ignored' });
}

async function expectIgnored(payload: unknown, before: number): Promise<void> {
  const response = await postEvent(harness.eventsUrl, payload, sign);
  expect(response.status).toBe(200);
  await waitUntil(async () => ((await ignoredCount()) > before ? true : undefined), 'the event to be ignored');
}

describe('POST /slack/events', () => {
  it('answers url_verification with the challenge', async () => {
    const response = await postEvent(harness.eventsUrl, fixture('url-verification'), sign);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('turns a DM into a message in the DM running conversation; users.info only when the core asks for the profile', async () => {
    const response = await postEvent(harness.eventsUrl, fixture('event-message-im'), sign);
    expect(response.status).toBe(200);
    const event = await harness.sink.nthVisitorEvent(1);
    expect(event.address).toEqual({ channel: 'slack', key: 'T123ABC456:D024BE91L', reference: {} });
    expect(event.requester).toEqual({ id: 'U2147483697', extra: { slackTeamId: 'T123ABC456' } });
    expect(event.action).toEqual({ kind: 'message', text: 'Hello hello can you hear me?' });
    expect(event.eventId).toBe('Ev0PV52K21');
    expect(api.callsOf('users.info')).toHaveLength(0);
    expect(await harness.adapter.requesterProfile!(event.address, event.requester)).toEqual({
      id: 'U2147483697',
      name: 'Egon Spengler',
      email: 'spengler@ghostbusters.example.com',
      timezone: 'America/Los_Angeles',
      locale: 'en-US',
      extra: { slackTeamId: 'T012AB3C4' },
    });
    expect(api.callsOf('users.info')[0]!.args).toMatchObject({ user: 'U2147483697', include_locale: 'true' });
    await harness.adapter.requesterProfile!(event.address, event.requester);
    expect(api.callsOf('users.info')).toHaveLength(1); // cached
  });

  it("fails a profile lookup Slack refuses with Slack's error name, not cached, without the token", async () => {
    await postEvent(harness.eventsUrl, fixture('event-message-im'), sign);
    const event = await harness.sink.nthVisitorEvent(1);
    const lookup = () => harness.adapter.requesterProfile!(event.address, event.requester);
    const failure = async (answer: Responder): Promise<DeliveryError> => {
      api.on('users.info', answer);
      const error: unknown = await lookup().then(() => undefined, (reason: unknown) => reason);
      expect(error).toBeInstanceOf(DeliveryError);
      expect(`${(error as Error).message} ${String((error as Error).cause)}`).not.toMatch(/xox|@/);
      return error as DeliveryError;
    };
    expect(await failure(() => ({ ok: false, error: 'user_not_found' }))).toMatchObject({ platformCode: 'user_not_found', retryable: false });
    expect(await failure(() => rateLimited(30))).toMatchObject({ platformCode: 'ratelimited', retryable: true, retryAfterMs: 30_000 });
    expect(await failure(() => new Response('<html>Bad Gateway</html>', { status: 502 }))).toMatchObject({ platformCode: 'http_502', retryable: true });
    expect(await failure(() => ({ user: { id: 'U2147483697', real_name: 'x'.repeat(1024 * 1024) } }))).toMatchObject({ platformCode: 'answer_too_large', retryable: false });
    api.on('users.info', (args) => ({ user: { ...fixture('users-info').user, id: args.user } }));
    expect(await lookup()).toMatchObject({ id: 'U2147483697', name: 'Egon Spengler' });
    expect(api.callsOf('users.info')).toHaveLength(5);
  });

  it('leaves out of the requester profile what users.info gives empty or null, and names the user by the first name it has', async () => {
    api.on('users.info', (args) => {
      const info = fixture('users-info');
      info.user.id = args.user;
      Object.assign(info.user, { real_name: '', tz: null, locale: '' });
      info.user.profile = { ...info.user.profile, real_name: ' ', display_name: 'egon', email: '' };
      return info;
    });
    await postEvent(harness.eventsUrl, fixture('event-message-im'), sign);
    const event = await harness.sink.nthVisitorEvent(1);
    expect(await harness.adapter.requesterProfile!(event.address, event.requester)).toEqual({ id: 'U2147483697', name: 'egon', extra: { slackTeamId: 'T012AB3C4' } });
  });

  it('turns an app_mention into a message in the thread of the mention, without the mention', async () => {
    await postEvent(harness.eventsUrl, fixture('event-app-mention'), sign);
    const event = await harness.sink.nthVisitorEvent(1);
    expect(event.address).toEqual({
      channel: 'slack',
      key: 'T123ABC456:C123ABC456:1515449522.000016',
      reference: {},
    });
    expect(event.action).toEqual({ kind: 'message', text: 'is it everything a river should be?' });
    expect(event.eventId).toBe('Ev123ABC456');
  });

  it('opens a conversation (startSession) on a bare mention', async () => {
    const mention = fixture('event-app-mention');
    mention.event.text = '<@U0LAN0Z89>';
    await postEvent(harness.eventsUrl, mention, sign);
    expect((await harness.sink.nthVisitorEvent(1)).action).toEqual({ kind: 'startSession' });
  });

  it('follows replies in a thread it was mentioned in, and ignores threads it is not in', async () => {
    const stranger = fixture('event-thread-reply');
    await expectIgnored(stranger, await ignoredCount());
    expect(harness.sink.visitorEvents).toHaveLength(0);

    await postEvent(harness.eventsUrl, fixture('event-app-mention'), sign);
    await harness.sink.nthVisitorEvent(1);
    const reply = fixture('event-thread-reply');
    reply.event.thread_ts = '1515449522.000016';
    await postEvent(harness.eventsUrl, reply, sign);
    const event = await harness.sink.nthVisitorEvent(2);
    expect(event.address.key).toBe('T123ABC456:C123ABC456:1515449522.000016');
    expect(event.action).toEqual({ kind: 'message', text: reply.event.text });
    expect(event.requester.id).toBe('U2222222');
  });

  it('asks the core about a thread it has not seen (knowsAddress) and follows it when known', async () => {
    harness.sink.liveKeys.add('T123ABC456:C123ABC456:1482960137.003543');
    await postEvent(harness.eventsUrl, fixture('event-thread-reply'), sign);
    expect((await harness.sink.nthVisitorEvent(1)).address.key).toBe('T123ABC456:C123ABC456:1482960137.003543');
  });

  it('ignores bot messages, edits, its own messages and channel messages that mention it', async () => {
    let before = await ignoredCount();
    await expectIgnored(fixture('event-bot-message'), before);
    before = await ignoredCount();
    await expectIgnored(fixture('event-message-changed'), before);

    const ownReply = fixture('event-thread-reply');
    ownReply.event.user = fakeBot.userId;
    ownReply.event_id = 'Ev-own';
    harness.sink.liveKeys.add('T123ABC456:C123ABC456:1482960137.003543');
    const mentionAsMessage = fixture('event-thread-reply');
    mentionAsMessage.event.text = `<@${fakeBot.userId}> hello`;
    mentionAsMessage.event_id = 'Ev-mention-as-message';
    before = await ignoredCount();
    await expectIgnored(mentionAsMessage, before);
    expect((await postEvent(harness.eventsUrl, ownReply, sign)).status).toBe(200);

    // A marker event proves the earlier ones were fully processed, not merely slow.
    await postEvent(harness.eventsUrl, fixture('event-message-im'), sign);
    await harness.sink.nthVisitorEvent(1);
    expect(harness.sink.visitorEvents.map((event) => event.eventId)).toEqual(['Ev0PV52K21']);
  });

  it('passes a file share as its text and the file link', async () => {
    await postEvent(harness.eventsUrl, fixture('event-file-share'), sign);
    const event = await harness.sink.nthVisitorEvent(1);
    expect(event.action).toEqual({
      kind: 'message',
      text: 'message message message\nhttps://jadeapptesting.slack.com/files/U043H11ES4V/F04EEHX1EES/namenamename.txt',
    });
    expect(event.address.key).toBe('T123ABC456:D0442US94JD');
  });

  it('sends startSession when the Messages tab opens the first time only', async () => {
    await postEvent(harness.eventsUrl, fixture('event-app-home-opened'), sign);
    const event = await harness.sink.nthVisitorEvent(1);
    expect(event.action).toEqual({ kind: 'startSession' });
    expect(event.address.key).toBe('T123ABC456:D123ABC456');
    const again = fixture('event-app-home-opened');
    again.event_id = 'Ev-home-again';
    await expectIgnored(again, await ignoredCount());
    expect(harness.sink.visitorEvents).toHaveLength(1);
  });

  it("asks the core, not a memory of its own, whether a DM's Messages tab opens on a known conversation (after a message and an answer there)", async () => {
    await postEvent(harness.eventsUrl, fixture('event-message-im'), sign);
    const { address } = await harness.sink.nthVisitorEvent(1);
    await harness.adapter.deliver(address, { kind: 'text', text: 'Hi, how can I help?', buttons: [] }, { conversationId: 'conv-1', saveProgress: async () => undefined });
    const home = fixture('event-app-home-opened');
    home.event.channel = 'D024BE91L'; // the DM the message came from
    await postEvent(harness.eventsUrl, home, sign);
    expect((await harness.sink.nthVisitorEvent(2)).action).toEqual({ kind: 'startSession' }); // the core knew no conversation there
    const other = fixture('event-app-home-opened');
    other.event_id = 'Ev-home-other';
    harness.sink.liveKeys.add('T123ABC456:D123ABC456');
    await expectIgnored(other, await ignoredCount());
    expect(harness.sink.visitorEvents).toHaveLength(2);
  });

  it('hands retries to the core with the same event_id instead of dropping them', async () => {
    const headers = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };
    expect((await postEvent(harness.eventsUrl, fixture('event-message-im'), { ...sign, headers })).status).toBe(200);
    expect((await harness.sink.nthVisitorEvent(1)).eventId).toBe('Ev0PV52K21');
  });

  it('rejects a bad signature with 401 and nothing reaches the core', async () => {
    const forged = await postEvent(harness.eventsUrl, fixture('event-message-im'), { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    const marker = fixture('event-app-mention');
    await postEvent(harness.eventsUrl, marker, sign);
    await harness.sink.nthVisitorEvent(1);
    expect(harness.sink.visitorEvents.map((event) => event.eventId)).toEqual(['Ev123ABC456']);
  });

  it('rejects a request signed more than five minutes ago', async () => {
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const response = await postEvent(harness.eventsUrl, fixture('event-message-im'), { ...sign, timestampSeconds: stale });
    expect(response.status).toBe(401);
    await postEvent(harness.eventsUrl, fixture('event-app-mention'), sign);
    await harness.sink.nthVisitorEvent(1);
    expect(harness.sink.visitorEvents).toHaveLength(1);
  });
});
