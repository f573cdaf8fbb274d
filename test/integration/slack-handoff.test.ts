/**
 * The hand-off on Slack through the real routes: a Slack requester, a Slack desk channel, the
 * Ultimate bot and Ultimate's widget API as loopback servers. Covers the ticket post, two agents
 * claiming at once, relay both ways with a `note:`, `/resolve`, the next message starting a new
 * bot session, isTeamOnline from presence and working hours, reminders and time-outs on a fixed
 * clock, and the widget escalation with the exact widget API requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, type Json } from '../slack/support/slack-fixtures.js';
import { postCommand, postEvent, postInteraction } from '../slack/support/signed-requests.js';
import { startBridgeUnderTest, type BridgeUnderTest } from '../support/bridge-under-test.js';
import type { FakeServer, RecordedRequest } from '../support/fake-http-server.js';
import { slackCalls, startFakeSlack, startFakeUltimate } from '../support/fake-platforms.js';
import { pollFor } from '../support/poll.js';
import { agentThreadReply, ticketClick } from '../support/slack-desk-payloads.js';

const secret = 'handoff-signing-secret';
const token = 'handoff-webhook-token';
const deskChannel = 'C0DESK0001';
const requesterDm = 'D024BE91L';
const agents = { ada: 'UADA00001', bob: 'UBOB00001', carol: 'UCAROL001' };
let ultimate: FakeServer;
let slack: FakeServer;
let bridge: BridgeUnderTest;
let events = 0;

beforeAll(async () => {
  ultimate = await startFakeUltimate();
  slack = await startFakeSlack(
    (request) => {
      if (request.path === '/api/conversations.members') {
        if (request.body.channel === 'C0FLAKY01') return { status: 500, body: { ok: false, error: 'internal_error' } };
        const members = request.body.channel === 'C0AWAY001' ? [agents.bob, agents.carol] : Object.values(agents);
        return { body: { ok: true, members, response_metadata: { next_cursor: '' } } };
      }
      if (request.path === '/api/users.getPresence') return { body: { ok: true, presence: request.body.user === agents.ada ? 'active' : 'away' } };
      return undefined;
    },
    { [agents.ada]: 'Ada Lovelace', [agents.bob]: 'Bob Bobson', [agents.carol]: 'Carol Night', U2147483697: 'Egon Spengler' },
  );
  bridge = await startBridgeUnderTest(
    {
      BOT_BACKEND: 'ultimate',
      ULTIMATE_API_URL: ultimate.url,
      ULTIMATE_API_KEY: 'ultimate-key',
      ULTIMATE_BOT_ID: 'bot-1',
      WEBHOOK_TOKEN: token,
      SLACK_BOT_TOKEN: 'xoxb-handoff',
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: `${slack.url}/api/`,
    },
    {
      defaultDesk: 'it-helpdesk',
      desks: [
        { id: 'it-helpdesk', platform: 'slack', channel: deskChannel, transcriptTurns: 5, remindAfterMinutes: 5, timeoutMinutes: 30 },
        { id: 'night-desk', platform: 'slack', channel: 'C0NIGHT01', hours: { timezone: 'Europe/Berlin', days: ['mon'], from: '22:00', to: '23:00' } },
        { id: 'flaky-desk', platform: 'slack', channel: 'C0FLAKY01' },
        { id: 'away-desk', platform: 'slack', channel: 'C0AWAY001' },
      ],
    },
  );
});
afterAll(async () => {
  await bridge.stop();
  await Promise.all([ultimate.close(), slack.close()]);
});

const webhook = (data: Record<string, unknown>) =>
  fetch(`${bridge.url}/converse-webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ botId: 'bot-1', data }),
  });

/** The requester writes in the DM; resolves with the Converse request it caused. */
async function requesterSays(text: string): Promise<RecordedRequest> {
  await requesterWrites(text);
  return pollFor(() => ultimate.requests.find((request) => request.body.text === text), `Converse "${text}"`);
}

/** The requester writes in the DM (while escalated nothing reaches the bot). */
async function requesterWrites(text: string): Promise<void> {
  const event = fixture('event-message-im');
  event.event_id = `EvHandoff${++events}`;
  event.event.text = text;
  event.event.ts = event.event.event_ts = `1700001${String(events).padStart(3, '0')}.000100`;
  expect((await postEvent(`${bridge.url}/slack/events`, event, { secret })).status).toBe(200);
}

async function agentReplies(user: string, text: string, threadTs: string): Promise<void> {
  const event = agentThreadReply({ eventId: `EvAgent${++events}`, channel: deskChannel, user, text, threadTs, ts: `1700002${String(events).padStart(3, '0')}.000100` });
  expect((await postEvent(`${bridge.url}/slack/events`, event, { secret })).status).toBe(200);
}


const postsTo = (channel: string) => slackCalls(slack, 'chat.postMessage').filter((request) => request.body.channel === channel);
const textsTo = (channel: string) => postsTo(channel).map((request) => String(request.body.text));
const waitForText = (channel: string, needle: string) => pollFor(() => postsTo(channel).find((request) => String(request.body.text).includes(needle)), `"${needle}" in ${channel}`);
const widgetCalls = () => ultimate.requests.filter((request) => request.path === '/agent/converse/send-message-to-widget');

describe('isTeamOnline on Slack', () => {
  it('is online when a desk member is active within the desk hours', async () => {
    const answer = await webhook({ eventType: 'isTeamOnline', teamId: 'it-helpdesk' });
    expect(await answer.json()).toEqual({ isOnline: true });
    // A second answer comes from the cache.
    const text = await (await fetch(`${bridge.url}/metrics`)).text();
    expect(text).toMatch(/bridge_presence_cache_total\{result="(hit|miss)"\}/);
  });

  it('is offline outside the desk hours although a member is active', async () => {
    expect(await (await webhook({ eventType: 'isTeamOnline', teamId: 'night-desk' })).json()).toEqual({ isOnline: false });
  });

  it('is offline when nobody is present', async () => {
    expect(await (await webhook({ eventType: 'isTeamOnline', teamId: 'away-desk' })).json()).toEqual({ isOnline: false });
  });

  it('is offline when the presence API fails', async () => {
    expect(await (await webhook({ eventType: 'isTeamOnline', teamId: 'flaky-desk' })).json()).toEqual({ isOnline: false });
  });
});

describe('hand-off with a Slack requester and a Slack desk', () => {
  let conversationId: string;
  let ticketPost: RecordedRequest;
  let ticketTs: string;

  it('opens a ticket in the desk channel and tells the requester', async () => {
    conversationId = String((await requesterSays('My VPN is down')).body.platformConversationId);
    const reply = await webhook({ eventType: 'sendMessage', platformConversationId: conversationId, type: 'text', text: 'Let me get a human.', buttons: [], carouselCards: [] });
    expect(reply.status).toBe(200);
    const escalation = await webhook({ eventType: 'escalate', platformConversationId: conversationId, escalateTo: 'it-helpdesk' });
    expect(escalation.status).toBe(200);
    ticketPost = await pollFor(() => postsTo(deskChannel)[0], 'the ticket post');
    ticketTs = String((ticketPost.response?.body as Json).ts);
    const rendered = JSON.stringify(ticketPost.body.blocks);
    expect(rendered).toContain('Egon Spengler');
    expect(rendered).toContain('My VPN is down');
    expect(rendered).toContain('Let me get a human.');
    expect(rendered).toContain('bridge.ticket.claim');
    expect(rendered).toContain('bridge.ticket.resolve');
    await waitForText(requesterDm, 'handing you over');
  });

  it('relays the requester into the ticket thread; the bot hears nothing', async () => {
    const sentToBot = ultimate.requests.length;
    await requesterWrites('It says error 809');
    const relayed = await waitForText(deskChannel, 'It says error 809');
    expect(relayed.body.thread_ts).toBe(ticketTs);
    expect(ultimate.requests.length).toBe(sentToBot);
  });

  it('gives one owner when two agents click Claim at once', async () => {
    const [first, second] = await Promise.all([
      postInteraction(`${bridge.url}/slack/events`, ticketClick(ticketPost, { user: agents.ada, channel: deskChannel }, 'claim'), { secret }),
      postInteraction(`${bridge.url}/slack/events`, ticketClick(ticketPost, { user: agents.bob, channel: deskChannel }, 'claim'), { secret }),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    const joined = await waitForText(requesterDm, 'joined the conversation');
    const refusal = await pollFor(() => slackCalls(slack, 'chat.postEphemeral').find((request) => String(request.body.text).includes('already claimed by')), 'the refusal note');
    expect([agents.ada, agents.bob]).toContain(refusal.body.user);
    expect(textsTo(requesterDm).filter((text) => text.includes('joined the conversation'))).toHaveLength(1);
    const owner = String(joined.body.text).startsWith('Ada') ? agents.ada : agents.bob;
    expect(refusal.body.user).not.toBe(owner);
    const update = await pollFor(() => slackCalls(slack, 'chat.update').find((request) => request.body.ts === ticketTs), 'the ticket update');
    expect(JSON.stringify(update.body.blocks)).toMatch(/Ada Lovelace|Bob Bobson/);
  });

  it('relays agent replies as the agent and keeps notes internal', async () => {
    await agentReplies(agents.ada, 'note: looks like the old client', ticketTs);
    await agentReplies(agents.ada, 'Please update the VPN client to 5.2', ticketTs);
    const relayed = await waitForText(requesterDm, 'Please update the VPN client');
    expect(relayed.body).toMatchObject({ username: 'Ada Lovelace', icon_url: expect.stringMatching(/^https:/) });
    expect(textsTo(requesterDm).some((text) => text.includes('old client'))).toBe(false);
  });

  it('resolves with /resolve, ends the bot session, and the next message starts a new one', async () => {
    const ticketId = String((ticketPost.body.blocks as Json[]).flatMap((block) => (block.elements ?? []) as Json[]).find((element) => element.action_id === 'bridge.ticket.resolve')!.value);
    const command = await postCommand(
      `${bridge.url}/slack/events`,
      { command: '/resolve', text: ticketId, user_id: agents.ada, user_name: 'ada', channel_id: deskChannel, team_id: 'T123ABC456', trigger_id: 'trigger-1', response_url: `${slack.url}/respond` },
      { secret },
    );
    expect(command.status).toBe(200);
    await waitForText(requesterDm, 'marked this conversation as resolved');
    await pollFor(() => ultimate.requests.find((request) => request.body.eventType === 'endSession' && request.body.platformConversationId === conversationId), 'endSession');
    const finalUpdate = await pollFor(
      () => slackCalls(slack, 'chat.update').filter((request) => request.body.ts === ticketTs).find((request) => !JSON.stringify(request.body.blocks).includes('bridge.ticket.')),
      'the resolved ticket without buttons',
    );
    expect(JSON.stringify(finalUpdate.body.blocks).toLowerCase()).toContain('resolved');

    const next = await requesterSays('Thanks, one more question');
    expect(next.body.platformConversationId).not.toBe(conversationId);
    expect(next.body.metaData).toBeDefined();
  });

  it('reminds the desk about an unclaimed ticket and times it out on the clock', async () => {
    const id = String((await requesterSays('Printer on fire')).body.platformConversationId);
    expect((await webhook({ eventType: 'escalate', platformConversationId: id })).status).toBe(200);
    const post = await pollFor(() => postsTo(deskChannel).find((request) => JSON.stringify(request.body.blocks).includes('Printer on fire') && !request.body.thread_ts), 'the second ticket');
    const ts = String((post.response?.body as Json).ts);
    bridge.clock.now += 6 * 60_000;
    await bridge.timers.check();
    const reminder = await waitForText(deskChannel, 'Reminder: this ticket has been waiting for 6 minutes');
    expect(reminder.body.thread_ts).toBe(ts);
    bridge.clock.now += 30 * 60_000;
    await bridge.timers.check();
    await waitForText(requesterDm, 'nobody from the team could pick this up in time');
    await pollFor(() => ultimate.requests.find((request) => request.body.eventType === 'endSession' && request.body.platformConversationId === id), 'endSession after the time-out');
  });
});

describe("hand-off from Ultimate's chat widget to a Slack desk", () => {
  it('sends queue, claim, replies and disconnect through the widget API', async () => {
    const widgetConversation = '5b3c8f4e-9a7d-4a51-9f0e-3c1e2b7a9d10';
    expect((await webhook({ eventType: 'widgetEscalate', platformConversationId: widgetConversation, escalateTo: 'it-helpdesk' })).status).toBe(200);
    const post = await pollFor(() => postsTo(deskChannel).find((request) => JSON.stringify(request.body.blocks).includes(widgetConversation.slice(0, 8)) || JSON.stringify(request.body.blocks).includes('widget')), 'the widget ticket');
    const ts = String((post.response?.body as Json).ts);
    await pollFor(() => widgetCalls()[0], 'the queue update');
    expect(widgetCalls()[0]!.headers).toMatchObject({ authorization: 'ultimate-key', botid: 'bot-1' });
    // The desk's one claim so far took 0 s on the fixed clock: that is the median the wait is estimated from.
    expect(widgetCalls()[0]!.body).toEqual({ platformConversationId: widgetConversation, eventType: 'escalationQueueUpdate', queuePosition: 1, waitingTime: 0 });

    expect((await webhook({ eventType: 'widgetMessage', platformConversationId: widgetConversation, type: 'text', text: 'Hello from the widget', buttons: [], carouselCards: [] })).status).toBe(200);
    expect((await waitForText(deskChannel, 'Hello from the widget')).body.thread_ts).toBe(ts);

    await postInteraction(`${bridge.url}/slack/events`, ticketClick(post, { user: agents.carol, channel: deskChannel }, 'claim'), { secret });
    await agentReplies(agents.carol, 'Hi, Carol here', ts);
    expect((await webhook({ eventType: 'widgetEndSession', platformConversationId: widgetConversation })).status).toBe(200);
    await pollFor(() => (widgetCalls().length >= 3 ? true : undefined), 'three widget calls');
    expect(widgetCalls().map((call) => call.body)).toEqual([
      { platformConversationId: widgetConversation, eventType: 'escalationQueueUpdate', queuePosition: 1, waitingTime: 0 },
      { platformConversationId: widgetConversation, eventType: 'escalationSuccess', agent: 'Carol Night', agentAvatar: expect.stringMatching(/^https:/) },
      { platformConversationId: widgetConversation, eventType: 'message', text: 'Hi, Carol here', agent: 'Carol Night', agentAvatar: expect.stringMatching(/^https:/) },
    ]);
    await waitForText(deskChannel, 'The requester ended the conversation');
  });

  it('resolving a widget ticket disconnects the agent; a time-out fails the escalation', async () => {
    const resolvedOne = 'a1b2c3d4-0000-4000-8000-000000000001';
    const ticketPosts = () => postsTo(deskChannel).filter((request) => !request.body.thread_ts);
    const before = ticketPosts().length;
    await webhook({ eventType: 'widgetEscalate', platformConversationId: resolvedOne });
    // The ticket is posted through the outbox, after the webhook's answer: wait for the new post.
    const post = await pollFor(() => ticketPosts()[before], 'ticket');
    await pollFor(() => widgetCalls().find((call) => call.body.platformConversationId === resolvedOne), 'queued');
    await postInteraction(`${bridge.url}/slack/events`, ticketClick(post, { user: agents.ada, channel: deskChannel }, 'resolve'), { secret });
    await pollFor(() => widgetCalls().find((call) => call.body.platformConversationId === resolvedOne && call.body.eventType === 'agentDisconnect'), 'agentDisconnect');

    const timedOut = 'a1b2c3d4-0000-4000-8000-000000000002';
    await webhook({ eventType: 'widgetEscalate', platformConversationId: timedOut });
    await pollFor(() => widgetCalls().find((call) => call.body.platformConversationId === timedOut), 'queued');
    bridge.clock.now += 31 * 60_000;
    await bridge.timers.check();
    const failed = await pollFor(() => widgetCalls().find((call) => call.body.platformConversationId === timedOut && call.body.eventType === 'escalationFailed'), 'escalationFailed');
    expect(failed.body.text).toContain('nobody from the team could pick this up in time');
  });
});
