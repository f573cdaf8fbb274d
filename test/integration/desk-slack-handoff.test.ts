/**
 * The desk as a helpdesk on Slack, through the real routes (signed Slack events and clicks, the
 * Ultimate webhook, Ultimate's widget API and a CRM for `onResolve` as loopback servers, SQLite,
 * a fixed clock): queue position and expected wait told on queueing and on change (the widget's
 * exact escalationQueueUpdate bodies), Release back to the front, out-of-hours openings, Back to
 * bot, Transfer between desks, the SLA breach notice and histograms, CSAT, the onResolve action's
 * exact requests, agents' replies in closed threads, two agents pressing different buttons at once,
 * and round-robin fairness over 20 tickets with members going absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, type Json } from '../slack/support/slack-fixtures.js';
import { postEvent, postInteraction } from '../slack/support/signed-requests.js';
import { startBridgeUnderTest, type BridgeUnderTest } from '../support/bridge-under-test.js';
import { startFakeServer, type FakeServer, type RecordedRequest } from '../support/fake-http-server.js';
import { slackCalls, startFakeSlack, startFakeUltimate } from '../support/fake-platforms.js';
import { pollFor } from '../support/poll.js';
import { agentThreadReply, requesterClick, ticketClick, transferChoice } from '../support/slack-desk-payloads.js';

const secret = 'desk-signing-secret';
const token = 'desk-webhook-token';
const desks = { queue: 'C0QUEUE01', night: 'C0NIGHT01', sla: 'C0SLA0001', crm: 'C0CRM0001', rr: 'C0RR00001', other: 'C0OTHER01' };
const agents = { ada: 'UADA00001', bob: 'UBOB00001', carol: 'UCAROL001' };
const present = new Set<string>(Object.values(agents));
let ultimate: FakeServer;
let slack: FakeServer;
let crm: FakeServer;
let bridge: BridgeUnderTest;
let sequence = 0;

beforeAll(async () => {
  ultimate = await startFakeUltimate();
  crm = await startFakeServer(() => ({ body: { crmTicket: 'CRM-1' } }));
  slack = await startFakeSlack(
    (request) => {
      if (request.path === '/api/conversations.members') return { body: { ok: true, members: Object.values(agents), response_metadata: { next_cursor: '' } } };
      if (request.path === '/api/users.getPresence') return { body: { ok: true, presence: present.has(String(request.body.user)) ? 'active' : 'away' } };
      return undefined;
    },
    { [agents.ada]: 'Ada Lovelace', [agents.bob]: 'Bob Bobson', [agents.carol]: 'Carol Night' },
  );
  bridge = await startBridgeUnderTest(
    {
      BOT_BACKEND: 'ultimate',
      ULTIMATE_API_URL: ultimate.url,
      ULTIMATE_API_KEY: 'ultimate-key',
      ULTIMATE_BOT_ID: 'bot-1',
      WEBHOOK_TOKEN: token,
      SLACK_BOT_TOKEN: 'xoxb-desk',
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: `${slack.url}/api/`,
    },
    {
      defaultDesk: 'queue-desk',
      desks: [
        { id: 'queue-desk', platform: 'slack', channel: desks.queue, remindAfterMinutes: 5, timeoutMinutes: 600 },
        { id: 'night-desk', platform: 'slack', channel: desks.night, hours: { timezone: 'Europe/Berlin', days: ['mon'], from: '22:00', to: '23:00' } },
        { id: 'sla-desk', platform: 'slack', channel: desks.sla, firstResponseMinutes: 10, slaMention: '<!subteam^S0123ABCD>', timeoutMinutes: 600 },
        { id: 'crm-desk', platform: 'slack', channel: desks.crm, onResolve: 'fileTicket', transcriptTurns: 3 },
        { id: 'rr-desk', platform: 'slack', channel: desks.rr, assign: 'round-robin', timeoutMinutes: 6000 },
        { id: 'other-desk', platform: 'slack', channel: desks.other, csat: false },
      ],
      actions: [{ name: 'fileTicket', type: 'http', url: `${crm.url}/tickets`, headers: { 'x-crm-key': 'crm-secret' } }],
    },
  );
});
afterAll(async () => {
  await bridge.stop();
  await Promise.all([ultimate.close(), slack.close(), crm.close()]);
});

const webhook = (data: Record<string, unknown>) =>
  fetch(`${bridge.url}/converse-webhook`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ botId: 'bot-1', data }) });

/** A requester: a DM channel and a user. */
interface Requester {
  dm: string;
  user: string;
}
const requesterNo = (n: number): Requester => ({ dm: `D0REQ${String(n).padStart(4, '0')}`, user: `U0REQ${String(n).padStart(4, '0')}` });

async function requesterWrites(requester: Requester, text: string): Promise<void> {
  const event = fixture('event-message-im');
  event.event_id = `EvDesk${++sequence}`;
  event.authorizations[0].user_id = requester.user;
  Object.assign(event.event, { channel: requester.dm, user: requester.user, text, ts: `1700010${String(sequence).padStart(3, '0')}.000100`, event_ts: `1700010${String(sequence).padStart(3, '0')}.000100` });
  expect((await postEvent(`${bridge.url}/slack/events`, event, { secret })).status).toBe(200);
}

/** The requester writes to the bot; resolves with the conversation id the bot got. */
async function conversationOf(requester: Requester, text: string): Promise<string> {
  await requesterWrites(requester, text);
  const request = await pollFor(() => ultimate.requests.find((candidate) => candidate.body.text === text), `Converse "${text}"`);
  return String(request.body.platformConversationId);
}

/** A new conversation escalated to `desk`; resolves with its ticket post. */
async function escalated(requester: Requester, text: string, desk: string, channel: string): Promise<{ conversationId: string; post: RecordedRequest; ticketId: string }> {
  const conversationId = await conversationOf(requester, text);
  expect((await webhook({ eventType: 'escalate', platformConversationId: conversationId, escalateTo: desk })).status).toBe(200);
  const post = await pollFor(() => ticketPosts(channel).find((candidate) => JSON.stringify(candidate.body.blocks).includes(text)), `the ticket post of "${text}"`);
  return { conversationId, post, ticketId: ticketIdOf(post) };
}

const posts = (channel: string) => slackCalls(slack, 'chat.postMessage').filter((request) => request.body.channel === channel);
const ticketPosts = (channel: string) => posts(channel).filter((request) => !request.body.thread_ts);
const textsTo = (channel: string) => posts(channel).map((request) => String(request.body.text));
const waitForText = (channel: string, needle: string) => pollFor(() => posts(channel).find((request) => String(request.body.text).includes(needle)), `"${needle}" in ${channel}`);
const tsOf = (post: RecordedRequest) => String((post.response?.body as Json).ts);
const updatesOf = (post: RecordedRequest) => slackCalls(slack, 'chat.update').filter((request) => request.body.ts === tsOf(post));
const ephemerals = () => slackCalls(slack, 'chat.postEphemeral');
const widgetBodies = (conversationId: string) => ultimate.requests.filter((request) => request.path === '/agent/converse/send-message-to-widget' && request.body.platformConversationId === conversationId).map((request) => request.body);
const metricsText = async () => (await fetch(`${bridge.url}/metrics`)).text();

function ticketIdOf(post: RecordedRequest): string {
  const block = (post.body.blocks as Json[]).find((candidate) => candidate.type === 'actions');
  return String(block!.block_id).replace('bridge.ticket:', '');
}

const click = (post: RecordedRequest, user: string, channel: string, kind: 'claim' | 'release' | 'resolve' | 'return') => postInteraction(`${bridge.url}/slack/events`, ticketClick(post, { user, channel }, kind), { secret });

async function agentReplies(user: string, channel: string, threadTs: string, text: string): Promise<void> {
  const event = agentThreadReply({ eventId: `EvDeskAgent${++sequence}`, channel, user, text, threadTs, ts: `1700020${String(sequence).padStart(3, '0')}.000100` });
  expect((await postEvent(`${bridge.url}/slack/events`, event, { secret })).status).toBe(200);
}

describe('queue position and expected wait', () => {
  it('tells position and wait on queueing and on change; the widget gets the exact escalationQueueUpdate bodies; Release goes back to the front', async () => {
    const first = requesterNo(1);
    const a = await escalated(first, 'Queue: my mail is gone', 'queue-desk', desks.queue);
    await waitForText(first.dm, 'You are next in the queue; the expected wait is about 5 minutes.');

    const widget = '7d0f1c2a-0000-4000-8000-00000000q001';
    expect((await webhook({ eventType: 'widgetEscalate', platformConversationId: widget, escalateTo: 'queue-desk' })).status).toBe(200);
    await pollFor(() => widgetBodies(widget)[0], 'the widget queue update');
    // No claim yet on this desk: the wait is remindAfterMinutes (5) in seconds.
    expect(widgetBodies(widget)).toEqual([{ platformConversationId: widget, eventType: 'escalationQueueUpdate', queuePosition: 2, waitingTime: 300 }]);

    bridge.clock.now += 120_000;
    expect((await click(a.post, agents.ada, desks.queue, 'claim')).status).toBe(200);
    await waitForText(first.dm, 'Ada Lovelace joined the conversation.');
    // The widget moved up: position 1, and the wait is now the median of the desk's one claim (120 s).
    await pollFor(() => widgetBodies(widget)[1], 'the second widget queue update');
    expect(widgetBodies(widget)[1]).toEqual({ platformConversationId: widget, eventType: 'escalationQueueUpdate', queuePosition: 1, waitingTime: 120 });

    const claimedPost = await pollFor(() => updatesOf(a.post).find((update) => JSON.stringify(update.body.blocks).includes('bridge.ticket.release')), 'the claimed post with Release');
    expect((await click(claimedPost, agents.ada, desks.queue, 'release')).status).toBe(200);
    const released = await waitForText(first.dm, 'handed your request back');
    expect(String(released.body.text)).toContain('You are next in the queue; the expected wait is about 2 minutes.');
    await pollFor(() => widgetBodies(widget)[2], 'the third widget queue update');
    expect(widgetBodies(widget)[2]).toEqual({ platformConversationId: widget, eventType: 'escalationQueueUpdate', queuePosition: 2, waitingTime: 120 });
    const shown = await pollFor(() => updatesOf(a.post).find((update) => JSON.stringify(update.body.blocks).includes('Waiting for an agent') && JSON.stringify(update.body.blocks).includes('bridge.ticket.claim')), 'the released post with Claim');
    expect(JSON.stringify(shown.body.blocks)).not.toContain('bridge.ticket.release');
    // No second update for an unchanged position.
    expect(widgetBodies(widget)).toHaveLength(3);
  });

  it('tells an out-of-hours requester when the desk opens next', async () => {
    const requester = requesterNo(2);
    await escalated(requester, 'Night: printer jam', 'night-desk', desks.night);
    // The clock is Monday 2026-11-23 ~10:00 UTC; the desk opens Mondays 22:00 Berlin time: next week.
    const told = await waitForText(requester.dm, 'The team is away right now and back Mon 22:00 (Europe/Berlin).');
    expect(String(told.body.text)).toContain('You are next in the queue');
  });
});

describe('Back to bot', () => {
  it('closes the ticket as returned, tells the requester, no endSession, and the next message goes to the bot in the same session', async () => {
    const requester = requesterNo(3);
    const { conversationId, post } = await escalated(requester, 'Return: VPN question', 'queue-desk', desks.queue);
    await click(post, agents.bob, desks.queue, 'claim');
    await waitForText(requester.dm, 'Bob Bobson joined');
    expect((await click(post, agents.bob, desks.queue, 'return')).status).toBe(200);
    await waitForText(requester.dm, 'You are back with the assistant');
    await pollFor(() => updatesOf(post).find((update) => JSON.stringify(update.body.blocks).includes('Back with the bot')), 'the returned post');
    expect(textsTo(requester.dm).some((text) => text.includes('How did we do?'))).toBe(false);
    const next = await conversationOf(requester, 'Return: and one more thing');
    expect(next).toBe(conversationId);
    expect(ultimate.requests.some((request) => request.body.eventType === 'endSession' && request.body.platformConversationId === conversationId)).toBe(false);
  });

  it("gives a widget requester agentDisconnect", async () => {
    const widget = '7d0f1c2a-0000-4000-8000-00000000r001';
    await webhook({ eventType: 'widgetEscalate', platformConversationId: widget, escalateTo: 'other-desk' });
    const post = await pollFor(() => ticketPosts(desks.other).find((candidate) => JSON.stringify(candidate.body.blocks).includes('web chat')), 'the widget ticket');
    await click(post, agents.ada, desks.other, 'return');
    await pollFor(() => widgetBodies(widget).find((body) => body.eventType === 'agentDisconnect'), 'agentDisconnect');
    expect(widgetBodies(widget).at(-1)).toEqual({ platformConversationId: widget, eventType: 'agentDisconnect', agent: 'Ada Lovelace', agentAvatar: expect.stringMatching(/^https:/) });
  });
});

describe('two agents pressing different buttons at once', () => {
  it('one wins, the other is told', async () => {
    const requester = requesterNo(4);
    const { post } = await escalated(requester, 'Race: laptop fan', 'other-desk', desks.other);
    await click(post, agents.ada, desks.other, 'claim');
    await waitForText(requester.dm, 'Ada Lovelace joined');
    const before = ephemerals().length;
    await Promise.all([click(post, agents.ada, desks.other, 'resolve'), click(post, agents.bob, desks.other, 'return')]);
    const refusal = await pollFor(() => ephemerals().slice(before).find((request) => /^Could not (resolve|hand this ticket back)/.test(String(request.body.text))), 'the loser told');
    expect(String(refusal.body.text)).toMatch(/this ticket is (resolved|returned)/);
    const outcomes = textsTo(requester.dm).filter((text) => text.includes('marked this conversation as resolved') || text.includes('back with the assistant'));
    expect(outcomes).toHaveLength(1);
  });
});

describe('Transfer', () => {
  it('keeps the ticket id and transcript, queues it afresh in the target desk, the old post shows where it went and its thread is closed', async () => {
    const requester = requesterNo(5);
    const { post, ticketId } = await escalated(requester, 'Transfer: payroll question', 'queue-desk', desks.queue);
    await click(post, agents.carol, desks.queue, 'claim');
    expect((await postInteraction(`${bridge.url}/slack/events`, transferChoice(post, { user: agents.carol, channel: desks.queue }, 'other-desk'), { secret })).status).toBe(200);
    const moved = await pollFor(() => ticketPosts(desks.other).find((candidate) => JSON.stringify(candidate.body.blocks).includes('Transfer: payroll question')), 'the post in the target desk');
    expect(ticketIdOf(moved)).toBe(ticketId);
    expect(JSON.stringify(moved.body.blocks)).toContain('bridge.ticket.claim');
    await waitForText(requester.dm, "I've passed your request on to another team");
    const old = await pollFor(() => updatesOf(post).find((update) => JSON.stringify(update.body.blocks).includes('Transferred to other-desk')), 'the old post');
    expect(JSON.stringify(old.body.blocks)).not.toContain('bridge.ticket.');
    await waitForText(desks.queue, 'Carol Night transferred this ticket to other-desk');

    const before = ephemerals().length;
    await agentReplies(agents.carol, desks.queue, tsOf(post), 'Still here?');
    const note = await pollFor(() => ephemerals().slice(before)[0], 'the closed-thread note');
    expect(note.body.text).toBe('Not sent to the requester: this ticket was transferred to other-desk.');
    expect(textsTo(requester.dm).some((text) => text.includes('Still here?'))).toBe(false);

    await requesterWrites(requester, 'Transfer: hello new team');
    const relayed = await waitForText(desks.other, 'Transfer: hello new team');
    expect(relayed.body.thread_ts).toBe(tsOf(moved));
  });
});

describe('SLA', () => {
  it('shows since when the requester waits, posts one breach notice mentioning slaMention, counts it, and observes the histograms', async () => {
    const requester = requesterNo(6);
    const { post } = await escalated(requester, 'SLA: disk full', 'sla-desk', desks.sla);
    const openedSeconds = Math.floor(bridge.clock.now / 1000);
    expect(JSON.stringify(post.body.blocks)).toContain(`Requester waiting since <!date^${openedSeconds}^{ago}|`);
    expect(JSON.stringify(post.body.blocks)).toContain(`First reply due <!date^${openedSeconds + 600}^{time}|`);
    await click(post, agents.ada, desks.sla, 'claim');
    await waitForText(requester.dm, 'Ada Lovelace joined');
    bridge.clock.now += 9 * 60_000;
    await bridge.timers.check();
    bridge.clock.now += 2 * 60_000;
    await bridge.timers.check();
    await bridge.timers.check();
    const breach = await waitForText(desks.sla, 'SLA breached');
    expect(breach.body).toMatchObject({ thread_ts: tsOf(post), text: '<!subteam^S0123ABCD> SLA breached: the requester has had no answer within 10 minutes.' });
    await bridge.worker.idle();
    expect(textsTo(desks.sla).filter((text) => text.includes('SLA breached'))).toHaveLength(1);
    expect(await metricsText()).toContain('bridge_sla_breaches_total{desk="sla-desk"} 1');

    await agentReplies(agents.ada, desks.sla, tsOf(post), 'Sorry for the wait, looking now');
    await waitForText(requester.dm, 'Sorry for the wait');
    await pollFor(() => updatesOf(post).find((update) => !JSON.stringify(update.body.blocks).includes('waiting since')), 'the post without the wait');
    await click(post, agents.ada, desks.sla, 'resolve');
    await waitForText(requester.dm, 'marked this conversation as resolved');
    const metrics = await metricsText();
    expect(metrics).toMatch(/bridge_ticket_first_response_seconds_count\{desk="sla-desk"\} 1/);
    expect(metrics).toMatch(/bridge_ticket_first_response_seconds_sum\{desk="sla-desk"\} 660/);
    expect(metrics).toMatch(/bridge_ticket_time_to_claim_seconds_count\{desk="sla-desk"\} 1/);
    expect(metrics).toMatch(/bridge_ticket_time_to_resolve_seconds_count\{desk="sla-desk"\} 1/);
  });
});

describe('CSAT and close-out', () => {
  it('asks after resolve, stores, shows, counts and thanks once; onResolve gets the exact closed ticket, then once more with csat', async () => {
    const requester = requesterNo(7);
    const { conversationId, post, ticketId } = await escalated(requester, 'CRM: invoice wrong', 'crm-desk', desks.crm);
    const openedAt = new Date(bridge.clock.now).toISOString();
    await click(post, agents.bob, desks.crm, 'claim');
    await agentReplies(agents.bob, desks.crm, tsOf(post), 'Fixed the invoice');
    await waitForText(requester.dm, 'Fixed the invoice');
    bridge.clock.now += 60_000;
    const closedAt = new Date(bridge.clock.now).toISOString();
    await click(post, agents.bob, desks.crm, 'resolve');
    const question = await waitForText(requester.dm, 'How did we do?');
    const buttons = (question.body.blocks as Json[]).flatMap((block) => (block.type === 'actions' ? (block.elements as Json[]) : [])).map((element) => (element.text as Json).text);
    expect(buttons).toEqual(['1', '2', '3', '4', '5']);

    const first = await pollFor(() => crm.requests[0], 'the onResolve call');
    expect(first.path).toBe('/tickets');
    expect(first.headers['x-crm-key']).toBe('crm-secret');
    const transcript = [
      { from: 'requester', text: 'CRM: invoice wrong', at: expect.any(String) },
      { from: 'agent', text: 'Fixed the invoice', at: expect.any(String) },
    ];
    const ticket = {
      id: ticketId,
      desk: 'crm-desk',
      state: 'resolved',
      requester: { id: requester.user, name: 'Egon Spengler', email: 'spengler@ghostbusters.example.com', platform: 'slack' },
      assignee: { id: agents.bob, name: 'Bob Bobson' },
      openedAt,
      closedAt,
      transcript,
    };
    expect(first.body).toEqual({ name: 'fileTicket', platformConversationId: conversationId, data: {}, ticket });

    const before = ultimate.requests.length;
    await postInteraction(`${bridge.url}/slack/events`, requesterClick(question, { user: requester.user, channel: requester.dm }, '4'), { secret });
    await waitForText(requester.dm, 'Thank you for your rating (4 of 5)!');
    const second = await pollFor(() => crm.requests[1], 'the onResolve call with csat');
    expect(second.body).toEqual({ name: 'fileTicket', platformConversationId: conversationId, data: {}, ticket: { ...ticket, csat: 4 } });
    await pollFor(() => updatesOf(post).find((update) => JSON.stringify(update.body.blocks).includes('Rated *4/5*')), 'the rating on the post');
    expect(await metricsText()).toContain('bridge_csat_responses_total{desk="crm-desk",score="4"} 1');

    await postInteraction(`${bridge.url}/slack/events`, requesterClick(question, { user: requester.user, channel: requester.dm }, '5'), { secret });
    await bridge.worker.idle();
    expect(textsTo(requester.dm).filter((text) => text.includes('Thank you for your rating'))).toHaveLength(1);
    expect(crm.requests).toHaveLength(2);
    expect(await metricsText()).not.toContain('score="5"');
    // The clicks never reached the bot.
    expect(ultimate.requests.slice(before).filter((request) => request.path === '/converse/chat')).toEqual([]);

    const notes = ephemerals().length;
    await agentReplies(agents.bob, desks.crm, tsOf(post), 'One more thing');
    const note = await pollFor(() => ephemerals().slice(notes)[0], 'the closed-thread note');
    expect(note.body.text).toBe('Not sent to the requester: this ticket is resolved.');
  });

  it('takes no rating after 24 hours: the question has expired', async () => {
    const requester = requesterNo(9);
    const { post } = await escalated(requester, 'CRM: late rating', 'crm-desk', desks.crm);
    const closeOuts = crm.requests.length;
    await click(post, agents.bob, desks.crm, 'resolve');
    const question = await waitForText(requester.dm, 'How did we do?');
    await pollFor(() => (crm.requests.length > closeOuts ? true : undefined), 'the onResolve call of the resolve');
    const calls = crm.requests.length;
    bridge.clock.now += 24 * 60 * 60_000 + 60_000;
    await postInteraction(`${bridge.url}/slack/events`, requesterClick(question, { user: requester.user, channel: requester.dm }, '2'), { secret });
    await bridge.worker.idle();
    expect(textsTo(requester.dm).some((text) => text.includes('Thank you for your rating'))).toBe(false);
    expect(await metricsText()).not.toContain('score="2"');
    expect(crm.requests.length).toBe(calls);
  });

  it('asks nothing with csat: false', async () => {
    const requester = requesterNo(8);
    const { post } = await escalated(requester, 'NoCsat: keyboard', 'other-desk', desks.other);
    await click(post, agents.ada, desks.other, 'resolve');
    await waitForText(requester.dm, 'marked this conversation as resolved');
    await bridge.worker.idle();
    expect(textsTo(requester.dm).some((text) => text.includes('How did we do?'))).toBe(false);
  });
});

describe('round-robin', () => {
  /** Presence as Slack reports it from now on: later readings replace the shared ones. */
  async function presenceBecomes(who: string[]): Promise<void> {
    present.clear();
    for (const id of who) present.add(id);
    bridge.clock.now += 3 * 60_000;
    await bridge.presence.refreshNow();
  }

  it('assigns 20 tickets fairly to the present members with the fewest open tickets, in turn, and falls back to Claim when nobody is there', async () => {
    const assigned: string[] = [];
    let n = 100;
    async function next(): Promise<RecordedRequest> {
      const requester = requesterNo(++n);
      const mentionsBefore = posts(desks.rr).filter((request) => String(request.body.text).includes('assigned to you')).length;
      const { post } = await escalated(requester, `RR ticket ${n}`, 'rr-desk', desks.rr);
      const queued = ticketPosts(desks.rr).length;
      await pollFor(
        () => (posts(desks.rr).filter((request) => String(request.body.text).includes('assigned to you')).length > mentionsBefore || textsTo(requester.dm).some((text) => text.includes('in the queue')) ? true : undefined),
        `ticket ${n} assigned or queued`,
      );
      const mention = posts(desks.rr).filter((request) => String(request.body.text).includes('assigned to you'))[mentionsBefore];
      if (mention) {
        expect(mention.body.thread_ts).toBe(tsOf(post));
        assigned.push(/^<@(U\w+)>/.exec(String(mention.body.text))![1]!);
        await waitForText(requester.dm, 'joined the conversation');
      } else {
        assigned.push('queued');
      }
      expect(queued).toBeGreaterThan(0);
      return post;
    }
    const { ada, bob, carol } = agents;
    await presenceBecomes([ada, bob, carol]);
    for (let i = 0; i < 6; i++) await next();
    await presenceBecomes([bob, carol]);
    for (let i = 0; i < 6; i++) await next();
    await presenceBecomes([ada, bob]);
    for (let i = 0; i < 4; i++) await next();
    await presenceBecomes([]);
    const manual: RecordedRequest[] = [];
    for (let i = 0; i < 2; i++) manual.push(await next());
    await presenceBecomes([ada, bob, carol]);
    for (let i = 0; i < 2; i++) await next();

    expect(assigned).toEqual([ada, bob, carol, ada, bob, carol, bob, carol, bob, carol, bob, carol, ada, ada, ada, bob, 'queued', 'queued', carol, ada]);
    for (const post of manual) expect(JSON.stringify(post.body.blocks)).toContain('bridge.ticket.claim');
    const mentioned = posts(desks.rr).find((request) => String(request.body.text).startsWith(`<@${ada}>`));
    expect(mentioned?.body.text).toBe(`<@${ada}> this ticket is assigned to you (round-robin). Reply in this thread to answer the requester.`);
  }, 60_000);
});
