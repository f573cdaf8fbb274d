/**
 * The agents' side through the real route: replies and mentions in a ticket thread become agent
 * replies (not bot messages), Claim/Resolve clicks and `/resolve <ticket id>` become claim and
 * resolve events, and whatever the core does not act on gets an ephemeral note. Slack's payloads
 * (thread reply, app_mention, block_actions, slash command) signed and POSTed; msw for the Web API.
 */
import { describe, expect, it } from 'vitest';
import { threadAddress, threadOf } from '../../adapters/slack/thread-address.js';
import type { ChannelAddress } from '../../src/core/visitor-event.js';
import { FakeSlackApi, fakeBot } from './support/fake-slack-api.js';
import { postCommand, postEvent, postInteraction } from './support/signed-requests.js';
import { sampleTicket, sampleTicketId } from './support/sample-ticket.js';
import { fixture, type Json } from './support/slack-fixtures.js';
import { counterValue, signingSecret, useSlackHarness, type SlackHarness } from './support/slack-harness.js';
import { waitUntil } from './support/wait-until.js';

const api = new FakeSlackApi();
let harness: SlackHarness;
useSlackHarness(api, (started) => (harness = started));
const sign = { secret: signingSecret };
const ticketId = sampleTicketId;
const ticket = sampleTicket();

async function openTicket(): Promise<ChannelAddress> {
  return harness.adapter.desk!.postTicket({ id: 'it-helpdesk', channel: 'C0DESK0001' }, ticket);
}

function replyIn(thread: ChannelAddress, text: string, eventId: string): Json {
  const reply = fixture('event-thread-reply');
  const { channel, threadTs } = threadOf(thread);
  reply.event.channel = channel;
  reply.event.thread_ts = threadTs;
  reply.event.text = text;
  reply.event_id = eventId;
  return reply;
}

function clickTicketButton(actionId: string): Json {
  const posted = api.callsOf('chat.postMessage')[0]!;
  const buttons = posted.args.blocks.at(-1).elements as Json[];
  const button = buttons.find((element) => element.action_id === actionId)!;
  const payload = fixture('block-actions');
  payload.container = { type: 'message', message_ts: '1700000000.000001', channel_id: 'C0DESK0001', is_ephemeral: false };
  payload.channel = { id: 'C0DESK0001', name: 'it-helpdesk' };
  payload.message = { ...payload.message, ts: '1700000000.000001', text: posted.args.text, blocks: posted.args.blocks };
  delete payload.message.thread_ts;
  payload.actions = [{ ...payload.actions[0], action_id: button.action_id, value: button.value, text: button.text }];
  return payload;
}

describe('Slack desk: agents', () => {
  it('relays an agent reply in a ticket thread as the agent, never to the bot', async () => {
    const thread = await openTicket();
    await postEvent(harness.eventsUrl, replyIn(thread, 'Hi, I am on it &amp; will call you', 'Ev-agent-1'), sign);
    const event = await harness.sink.nthAgentEvent(1);
    expect(event).toEqual({
      kind: 'reply',
      ticketThread: thread,
      agent: { id: 'U2222222', name: 'Egon Spengler', avatarUrl: 'https://avatars.slack-edge.example/ge3b51ca72de_192.jpg' },
      text: 'Hi, I am on it & will call you',
      fileUrls: [],
      eventId: 'Ev-agent-1',
    });
    expect(harness.sink.visitorEvents).toHaveLength(0);
  });

  it('treats a mention of the bot in a ticket thread as an agent reply', async () => {
    const thread = await openTicket();
    const mention = fixture('event-app-mention');
    mention.event.channel = 'C0DESK0001';
    mention.event.thread_ts = '1700000000.000001';
    mention.event.text = `<@${fakeBot.userId}> please check the logs`;
    await postEvent(harness.eventsUrl, mention, sign);
    const event = await harness.sink.nthAgentEvent(1);
    expect(event).toMatchObject({ kind: 'reply', ticketThread: thread, text: 'please check the logs' });
  });

  it('asks the core about ticket threads it did not open (knowsTicketThread)', async () => {
    harness.sink.ticketKeys.add('T123ABC456:C0DESK0002:1690000000.000100');
    const thread: ChannelAddress = { channel: 'slack', key: 'T123ABC456:C0DESK0002:1690000000.000100', reference: {} };
    await postEvent(harness.eventsUrl, replyIn(thread, 'Picking this up', 'Ev-agent-2'), sign);
    expect(await harness.sink.nthAgentEvent(1)).toMatchObject({ kind: 'reply', ticketThread: thread });
  });

  it('tells the agent in the thread when the core did not relay the reply', async () => {
    harness.sink.agentOutcome = () => ({ status: 'ignored', reason: 'this ticket is resolved' });
    const thread = await openTicket();
    await postEvent(harness.eventsUrl, replyIn(thread, 'one more thing', 'Ev-agent-3'), sign);
    const [note] = await api.waitForCalls('chat.postEphemeral');
    expect(note!.args).toMatchObject({ channel: 'C0DESK0001', user: 'U2222222', thread_ts: '1700000000.000001', text: 'Not sent to the requester: this ticket is resolved.' });
  });

  it('turns Claim and Resolve clicks into agent events', async () => {
    await openTicket();
    await postInteraction(harness.eventsUrl, clickTicketButton('bridge.ticket.claim'), sign);
    expect(await harness.sink.nthAgentEvent(1)).toEqual({
      kind: 'claim',
      ticketId,
      agent: { id: 'U03STHCA1JM', name: 'Egon Spengler', avatarUrl: 'https://avatars.slack-edge.example/ge3b51ca72de_192.jpg' },
      eventId: 'ticket:C0DESK0001:1700000000.000001:claim:U03STHCA1JM',
    });
    await postInteraction(harness.eventsUrl, clickTicketButton('bridge.ticket.resolve'), sign);
    expect(await harness.sink.nthAgentEvent(2)).toMatchObject({ kind: 'resolve', ticketId });
    expect(harness.sink.visitorEvents).toHaveLength(0);
  });

  it('hands two agents clicking Claim at once to the core as two claims (the core keeps one owner)', async () => {
    await openTicket();
    const first = clickTicketButton('bridge.ticket.claim');
    const second = clickTicketButton('bridge.ticket.claim');
    second.user = { ...second.user, id: 'U0SECOND01', username: 'second', name: 'second' };
    await Promise.all([postInteraction(harness.eventsUrl, first, sign), postInteraction(harness.eventsUrl, second, sign)]);
    await harness.sink.nthAgentEvent(2);
    const claims = harness.sink.agentEvents.map((event) => (event.kind === 'claim' ? `${event.agent.id} ${event.eventId}` : event.kind)).sort();
    expect(claims).toEqual([
      'U03STHCA1JM ticket:C0DESK0001:1700000000.000001:claim:U03STHCA1JM',
      'U0SECOND01 ticket:C0DESK0001:1700000000.000001:claim:U0SECOND01',
    ]);
  });

  it('tells a second claimer who has the ticket', async () => {
    harness.sink.agentOutcome = () => ({ status: 'ignored', reason: 'already claimed by Dana' });
    await openTicket();
    await postInteraction(harness.eventsUrl, clickTicketButton('bridge.ticket.claim'), sign);
    const [note] = await api.waitForCalls('chat.postEphemeral');
    expect(note!.args).toMatchObject({ channel: 'C0DESK0001', user: 'U03STHCA1JM', text: 'Could not claim this ticket: already claimed by Dana.' });
  });

  it('resolves with /resolve <ticket id> and confirms privately', async () => {
    const command = { ...fixture('slash-command'), text: ` ${ticketId} ` };
    const response = await postCommand(harness.eventsUrl, command, sign);
    expect(response.status).toBe(200);
    expect(await harness.sink.nthAgentEvent(1)).toMatchObject({ kind: 'resolve', ticketId, agent: { id: 'U0A60JBHJBE' } });
    const [note] = await api.waitForCalls('chat.postEphemeral');
    expect(note!.args).toMatchObject({ channel: 'C0ACELCQBAB', user: 'U0A60JBHJBE', text: `Ticket \`${ticketId}\` is resolved.` });
  });

  it('answers /resolve without a ticket id with its usage, and nothing reaches the core', async () => {
    const response = await postCommand(harness.eventsUrl, { ...fixture('slash-command'), text: '' }, sign);
    expect(await response.json()).toEqual({ response_type: 'ephemeral', text: 'Usage: /resolve <ticket id>. The id is at the bottom of the ticket post.' });
    await postCommand(harness.eventsUrl, { ...fixture('slash-command'), text: 'not a ticket id!' }, sign);
    await openTicket();
    await postInteraction(harness.eventsUrl, clickTicketButton('bridge.ticket.claim'), sign);
    await harness.sink.nthAgentEvent(1);
    expect(harness.sink.agentEvents.map((event) => event.kind)).toEqual(['claim']);
  });

  it('does not follow a desk-channel thread that is no ticket', async () => {
    const stranger = replyIn(threadAddress({ team: 'T123ABC456', channel: 'C0DESK0001', threadTs: '1600000000.000001' }), 'chatter', 'Ev-chatter');
    const ignored = () => counterValue(harness.metrics, 'bridge_events_in_total', { platform: 'slack', type: 'ignored' });
    const before = await ignored();
    await postEvent(harness.eventsUrl, stranger, sign);
    await waitUntil(async () => ((await ignored()) > before ? true : undefined), 'the reply to be ignored');
    expect(harness.sink.agentEvents).toHaveLength(0);
    expect(harness.sink.visitorEvents).toHaveLength(0);
  });
});
