/**
 * The hand-off core with a recording desk platform: tickets, exactly one owner, relay both ways,
 * notes, resolve ending the bot session, reminders and time-outs on a fixed clock, presence.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { BotBackend, BotEvent } from '../../src/bot/bot-backend.js';
import { parseBridgeConfig } from '../../src/config/bridge-config.js';
import type { BotMessage } from '../../src/core/bot-message.js';
import type { Bridge } from '../../src/core/bridge.js';
import type { DeliveryContext, DeskPresenceSource, DeskSide, DeskTarget, TicketView } from '../../src/core/channel-adapter.js';
import { createCore } from '../../src/core/create-core.js';
import type { OutboxWorker } from '../../src/core/outbox/outbox-worker.js';
import type { HandoffService } from '../../src/core/handoff/handoff-service.js';
import { defaultPresenceTiming, type PresenceService } from '../../src/core/handoff/presence.js';
import type { TicketTimers } from '../../src/core/handoff/ticket-timers.js';
import { Metrics } from '../../src/core/metrics.js';
import type { ChannelAddress, VisitorEvent } from '../../src/core/visitor-event.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { silentLogger } from '../support/silent-logger.js';

/** A desk platform that records tickets and posts, and reports scripted presence. */
class RecordingDesk implements DeskSide {
  tickets: Array<{ desk: DeskTarget; view: TicketView }> = [];
  updates: TicketView[] = [];
  posts: Array<{ thread: ChannelAddress; message: BotMessage }> = [];
  /** Who of the desks' members is present, as the platform would answer now. */
  presenceAnswer: () => Promise<Record<string, boolean>> = async () => ({ A1: true, B1: false, C1: false });
  presenceCalls = 0;
  readonly presence: DeskPresenceSource = {
    // Member readings are shared by user id across desks, so the night desk has people of its own.
    members: async (target) => (target.channel === 'DESK2' ? ['N1', 'N2'] : ['A1', 'B1', 'C1']),
    readPresence: async (request) => {
      this.presenceCalls += 1;
      const answer = await this.presenceAnswer();
      for (const userId of request.userIds) if (userId in answer) request.onReading(userId, answer[userId]!);
    },
  };

  async postTicket(desk: DeskTarget, view: TicketView): Promise<ChannelAddress> {
    this.tickets.push({ desk, view });
    return { channel: 'slack', key: `desk-thread-${this.tickets.length}`, reference: { channel: desk.channel } };
  }
  async updateTicket(_thread: ChannelAddress, view: TicketView): Promise<void> {
    this.updates.push(view);
  }
  async postToTicket(thread: ChannelAddress, message: BotMessage, _context: DeliveryContext): Promise<void> {
    this.posts.push({ thread, message });
  }
}

const config = parseBridgeConfig({
  defaultDesk: 'it',
  desks: [
    { id: 'it', platform: 'slack', channel: 'DESK1', remindAfterMinutes: 5, timeoutMinutes: 30, transcriptTurns: 2 },
    { id: 'night', platform: 'slack', channel: 'DESK2', hours: { timezone: 'UTC', days: ['mon'], from: '08:00', to: '09:00' } },
  ],
});

let clock: { now: number };
let desk: RecordingDesk;
let requesterInbox: Array<{ key: string; message: BotMessage }>;
let botEvents: BotEvent[];
let bridge: Bridge;
let handoff: HandoffService;
let delivery: OutboxWorker;
let timers: TicketTimers;
let metrics: Metrics;
let presence: PresenceService;
let sharedStore: MemoryStore;

/** A core on the shared store, with the recording desk and a recording bot. */
function buildCore(name: string, newId: () => string, sink: { inbox: typeof requesterInbox; bot: BotEvent[] }) {
  const backend: BotBackend = {
    name: 'recording',
    send: async (event) => {
      sink.bot.push(event);
    },
  };
  return createCore({
    store: sharedStore,
    config,
    logger: silentLogger(),
    metrics: name === 'main' ? metrics : new Metrics(),
    now: () => clock.now,
    newId,
    createAdapters: () => [
      {
        channel: 'slack',
        deliver: async (address, message) => {
          sink.inbox.push({ key: address.key, message });
        },
        desk,
      },
    ],
    createBackend: () => backend,
    sleep: async () => undefined,
  });
}

beforeEach(async () => {
  clock = { now: Date.parse('2026-11-23T08:30:00Z') };
  let ids = 0;
  metrics = new Metrics();
  sharedStore = new MemoryStore({ now: () => clock.now });
  desk = new RecordingDesk();
  requesterInbox = [];
  botEvents = [];
  const core = await buildCore('main', () => `id-${++ids}`, { inbox: requesterInbox, bot: botEvents });
  ({ bridge, handoff, timers, presence } = core);
  delivery = core.worker;
});

const requester = { id: 'U1', name: 'Egon', email: 'egon@example.com' };
async function say(text: string, eventId?: string): Promise<unknown> {
  const outcome = await bridge.visitorEvent({ address: { channel: 'slack', key: 'dm-1', reference: {} }, requester, action: { kind: 'message', text }, eventId } satisfies VisitorEvent);
  await delivery.idle();
  return outcome;
}
const texts = () => requesterInbox.map((entry) => (entry.message.kind === 'text' ? entry.message.text : entry.message.kind));
const deskTexts = () => desk.posts.map((entry) => (entry.message.kind === 'text' ? entry.message.text : entry.message.kind));
const ada = { id: 'A1', name: 'Ada', avatarUrl: 'https://example.com/ada.png' };
const bob = { id: 'B1', name: 'Bob' };

async function escalated(): Promise<{ conversationId: string; ticketId: string; thread: ChannelAddress }> {
  await say('my laptop is broken');
  const conversationId = botEvents[0]!.conversationId;
  await bridge.messages(conversationId, [{ kind: 'text', text: 'Have you tried turning it off?', buttons: [] }]);
  await say('yes, twice');
  await bridge.escalate(conversationId, 'it');
  await delivery.idle();
  const ticketId = desk.tickets[0]!.view.ticketId;
  return { conversationId, ticketId, thread: { channel: 'slack', key: 'desk-thread-1', reference: {} } };
}

describe('hand-off', () => {
  it('opens a ticket with the transcript and tells the requester they are queued', async () => {
    const { conversationId } = await escalated();
    expect(desk.tickets[0]!.desk).toEqual({ id: 'it', channel: 'DESK1' });
    expect(desk.tickets[0]!.view).toMatchObject({ conversationId, deskId: 'it', state: 'queued', requester: { name: 'Egon' }, requesterChannel: 'slack' });
    expect(desk.tickets[0]!.view.transcript.map((turn) => `${turn.from}:${turn.text}`)).toEqual(['bot:Have you tried turning it off?', 'requester:yes, twice']);
    expect(texts().at(-1)).toContain('handing you over');
    expect(requesterInbox.at(-1)!.message).toMatchObject({ notice: { kind: 'queued', queuePosition: 1 } });
  });

  it('opens one ticket when the bot sends the same escalation twice at once', async () => {
    await say('help');
    const conversationId = botEvents[0]!.conversationId;
    await Promise.all([bridge.escalate(conversationId, 'it'), bridge.escalate(conversationId, 'it')]);
    await delivery.idle();
    expect(desk.tickets).toHaveLength(1);
  });

  it('opens one ticket when two replicas sharing a store get the same escalation', async () => {
    await say('help');
    const conversationId = botEvents[0]!.conversationId;
    const other = await buildCore('other', () => `other-${Math.random()}`, { inbox: [], bot: [] });
    await Promise.all([bridge.escalate(conversationId, 'it'), other.bridge.escalate(conversationId, 'it')]);
    await Promise.all([delivery.idle(), other.worker.idle()]);
    expect(desk.tickets).toHaveLength(1);
  });

  it('relays the requester to the ticket thread while the bot stays silent', async () => {
    await escalated();
    const sentToBot = botEvents.length;
    await say('it smells of smoke now');
    await delivery.idle();
    expect(botEvents).toHaveLength(sentToBot);
    expect(desk.posts.at(-1)).toMatchObject({ thread: { key: 'desk-thread-1' }, message: { text: 'it smells of smoke now', sender: { name: 'Egon' } } });
  });

  it('gives exactly one owner when two agents claim at once', async () => {
    const { ticketId } = await escalated();
    const outcomes = await Promise.all([bridge.agentEvent({ kind: 'claim', ticketId, agent: ada }), bridge.agentEvent({ kind: 'claim', ticketId, agent: bob })]);
    expect(outcomes.filter((outcome) => outcome.status === 'accepted')).toHaveLength(1);
    const refused = outcomes.find((outcome) => outcome.status === 'ignored');
    expect(refused).toMatchObject({ reason: expect.stringMatching(/^already claimed by (Ada|Bob)$/) });
    await delivery.idle();
    expect(texts().filter((text) => text.endsWith('joined the conversation.'))).toHaveLength(1);
    expect(desk.updates.at(-1)).toMatchObject({ state: 'assigned' });
  });

  it('relays agent replies as the agent, keeps notes internal, and claims on the first reply', async () => {
    const { thread } = await escalated();
    expect(await bridge.agentEvent({ kind: 'reply', ticketThread: thread, agent: ada, text: 'note: probably the fan' })).toEqual({ status: 'accepted' });
    await bridge.agentEvent({ kind: 'reply', ticketThread: thread, agent: ada, text: 'Please send a photo', fileUrls: ['https://files.example.com/guide.pdf'] });
    await delivery.idle();
    expect(texts()).not.toContain('note: probably the fan');
    expect(texts().slice(-2)).toEqual(['Ada joined the conversation.', 'Please send a photo\nhttps://files.example.com/guide.pdf']);
    expect(requesterInbox.at(-1)!.message).toMatchObject({ sender: { name: 'Ada', avatarUrl: 'https://example.com/ada.png' } });
    expect(desk.updates.at(-1)).toMatchObject({ state: 'assigned', assignee: ada });
  });

  it('resolves: updates the post, tells the requester, ends the bot session, and the next message starts a new one', async () => {
    const { conversationId, ticketId, thread } = await escalated();
    await bridge.agentEvent({ kind: 'claim', ticketId, agent: ada });
    expect(await bridge.agentEvent({ kind: 'resolve', ticketId, agent: ada })).toEqual({ status: 'accepted' });
    await delivery.idle();
    expect(desk.updates.at(-1)).toMatchObject({ state: 'resolved' });
    expect(texts().at(-2)).toContain('marked this conversation as resolved');
    expect(texts().at(-1)).toContain('How did we do?');
    expect(botEvents.at(-1)).toMatchObject({ conversationId, type: 'endSession' });
    expect(await bridge.agentEvent({ kind: 'resolve', ticketId, agent: bob })).toMatchObject({ status: 'ignored' });
    expect(await bridge.agentEvent({ kind: 'reply', ticketThread: thread, agent: ada, text: 'late' })).toMatchObject({ status: 'ignored' });

    await say('hello again');
    const next = botEvents.at(-1)!;
    expect(next).toMatchObject({ type: 'message', text: 'hello again' });
    expect(next.conversationId).not.toBe(conversationId);
    expect(next.metaData).toBeDefined();
  });

  it('reminds the desk once after remindAfterMinutes and times out after timeoutMinutes', async () => {
    const { conversationId } = await escalated();
    clock.now += 4 * 60_000;
    await timers.check();
    await delivery.idle();
    expect(deskTexts().filter((text) => text.startsWith('Reminder'))).toHaveLength(0);
    clock.now += 2 * 60_000;
    await timers.check();
    await timers.check();
    await delivery.idle();
    expect(deskTexts().filter((text) => text.startsWith('Reminder'))).toEqual(['Reminder: this ticket has been waiting for 6 minutes. Claim it to help.']);
    clock.now += 25 * 60_000;
    await timers.check();
    await delivery.idle();
    expect(desk.updates.at(-1)).toMatchObject({ state: 'timed_out' });
    expect(requesterInbox.at(-1)!.message).toMatchObject({ notice: { kind: 'failed' } });
    expect(botEvents.at(-1)).toMatchObject({ conversationId, type: 'endSession' });
    expect(deskTexts().at(-1)).toContain('Nobody claimed this ticket within 30 minutes');
  });

  it('counts open tickets by state, also after a restart', async () => {
    const { ticketId } = await escalated();
    await delivery.idle();
    const gauge = async () => Object.fromEntries((await metrics.ticketsByState.get()).values.map((value) => [value.labels.state, value.value]));
    expect(await gauge()).toEqual({ queued: 1 });
    await bridge.agentEvent({ kind: 'claim', ticketId, agent: ada });
    expect(await gauge()).toMatchObject({ queued: 0, assigned: 1 });
    metrics.ticketsByState.reset();
    await handoff.restoreTicketGauge();
    expect(await gauge()).toEqual({ assigned: 1 });
  });

  it('ends the session even when the ticket post cannot be updated, so the requester is never stuck', async () => {
    const { conversationId, ticketId } = await escalated();
    desk.updateTicket = async () => {
      throw new Error('ratelimited');
    };
    expect(await bridge.agentEvent({ kind: 'resolve', ticketId, agent: ada })).toEqual({ status: 'accepted' });
    await delivery.idle();
    await say('are you still there?');
    expect(botEvents.at(-1)).toMatchObject({ type: 'message', text: 'are you still there?' });
    expect(botEvents.at(-1)!.conversationId).not.toBe(conversationId);
  });

  it('does not relay a redelivered agent reply twice', async () => {
    const { thread } = await escalated();
    const reply = { kind: 'reply' as const, ticketThread: thread, agent: ada, text: 'on it', eventId: 'Ev-agent-1' };
    expect(await bridge.agentEvent(reply)).toEqual({ status: 'accepted' });
    expect(await bridge.agentEvent(reply)).toEqual({ status: 'duplicate' });
    await delivery.idle();
    expect(texts().filter((text) => text === 'on it')).toHaveLength(1);
  });

  it('cancels the ticket when the requester ends the conversation', async () => {
    await escalated();
    await bridge.visitorEvent({ address: { channel: 'slack', key: 'dm-1', reference: {} }, requester, action: { kind: 'endSession' } });
    await delivery.idle();
    await delivery.idle();
    expect(desk.updates.at(-1)).toMatchObject({ state: 'cancelled' });
    expect(deskTexts().at(-1)).toContain('The requester ended the conversation');
  });

  it('answers isTeamOnline from presence within working hours, and offline when presence fails', async () => {
    expect(await handoff.isTeamOnline('it')).toBe(true);
    expect(await handoff.isTeamOnline('unknown-team-falls-back-to-default')).toBe(true);
    desk.presenceAnswer = async () => ({ A1: false, B1: false, C1: false });
    expect(await handoff.isTeamOnline('it')).toBe(true); // still served from the cache
    clock.now = Date.parse('2026-11-23T08:30:00Z'); // Monday 08:30 UTC: the night desk's hour
    desk.presenceAnswer = async () => {
      throw new Error('presence API down');
    };
    expect(await handoff.isTeamOnline('night')).toBe(false);
    clock.now = Date.parse('2026-11-23T10:30:00Z'); // outside its hours: no presence call at all
    const calls = desk.presenceCalls;
    expect(await handoff.isTeamOnline('night')).toBe(false);
    expect(desk.presenceCalls).toBe(calls);
  });

  it('keeps the last known readings while presence fails, until they are too old to count', async () => {
    expect(await handoff.isTeamOnline('it')).toBe(true);
    desk.presenceAnswer = async () => {
      throw new Error('token revoked');
    };
    clock.now += defaultPresenceTiming.memberRefreshMs;
    await presence.refreshNow();
    expect(await handoff.isTeamOnline('it')).toBe(true);
    clock.now += defaultPresenceTiming.knownForMs - defaultPresenceTiming.memberRefreshMs + 1;
    await presence.refreshNow();
    expect(await handoff.isTeamOnline('it')).toBe(false);
  });

  it('answers a first question within its deadline when presence hangs', async () => {
    desk.presenceAnswer = () => new Promise(() => undefined);
    const started = Date.now();
    expect(await handoff.isTeamOnline('it')).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
