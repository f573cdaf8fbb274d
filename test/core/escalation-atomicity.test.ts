/**
 * Escalation and conversation records under failures and races, on a real memory store with
 * faults injected: an escalation that fails part-way leaves no orphan ticket and the bot's retry
 * yields the one ticket; a full open-ticket index refuses before anything is posted; concurrent
 * changes of one conversation (a Teams reference refresh racing an escalation) both survive.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { BotBackend } from '../../src/bot/bot-backend.js';
import { parseBridgeConfig } from '../../src/config/bridge-config.js';
import type { BotMessage } from '../../src/core/bot-message.js';
import type { DeskSide, DeskTarget, TicketView } from '../../src/core/channel-adapter.js';
import { ConversationRegistry } from '../../src/core/conversations.js';
import { createCore, type Core } from '../../src/core/create-core.js';
import { StoreUnavailableError } from '../../src/core/errors.js';
import { timedOutNotice } from '../../src/core/handoff/notices.js';
import { maxOpenTickets } from '../../src/core/handoff/ticket-book.js';
import { Metrics } from '../../src/core/metrics.js';
import type { ChannelAddress } from '../../src/core/visitor-event.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/store.js';
import { silentLogger } from '../support/silent-logger.js';

const config = parseBridgeConfig({ defaultDesk: 'it', desks: [{ id: 'it', platform: 'slack', channel: 'DESK1', timeoutMinutes: 30 }] });
const address: ChannelAddress = { channel: 'slack', key: 'T1:D1', reference: { channel: 'D1' } };

/** Fails the operations `shouldFail` picks (once each), as a store that timed out would. */
function faulty(store: MemoryStore, shouldFail: (operation: string, args: unknown[]) => boolean): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (shouldFail(String(property), args)) return Promise.reject(new StoreUnavailableError(`injected ${String(property)} failure`));
        return (value as (...inner: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

let clock: { now: number };
let posts: TicketView[];
let inbox: BotMessage[];

class RecordingDesk implements DeskSide {
  presence = { members: async () => [], readPresence: async () => undefined };
  async postTicket(_desk: DeskTarget, view: TicketView): Promise<ChannelAddress> {
    posts.push(view);
    return { channel: 'slack', key: `T1:DESK1:${posts.length}`, reference: {} };
  }
  async updateTicket(_thread: ChannelAddress, _view: TicketView): Promise<void> {}
  async postToTicket(): Promise<void> {}
}

async function core(store: Store): Promise<Core> {
  let ids = 0;
  const backend: BotBackend = { name: 'recording', send: async () => undefined };
  return createCore({
    store,
    config,
    logger: silentLogger(),
    metrics: new Metrics(),
    now: () => clock.now,
    newId: () => `id-${++ids}`,
    createAdapters: () => [{ channel: 'slack', deliver: async (_address, message) => void inbox.push(message), desk: new RecordingDesk() }],
    createBackend: () => backend,
    sleep: async () => undefined,
  });
}

/** The requester writes; the conversation the bridge created for it. */
async function conversationIn(bridgeCore: Core, store: Store): Promise<string> {
  await bridgeCore.bridge.visitorEvent({ address, requester: { id: 'U1', name: 'Egon' }, action: { kind: 'message', text: 'help' }, eventId: 'Ev1' });
  await bridgeCore.worker.idle();
  return (await store.findConversationByAddress(address.channel, address.key))!.value.id;
}

beforeEach(() => {
  clock = { now: Date.parse('2026-11-23T10:00:00Z') };
  posts = [];
  inbox = [];
});

describe('escalation under failures', () => {
  it('a failure after the ticket is stored: the retry posts that one ticket, once', async () => {
    let failTicketEnqueue = true;
    const store = faulty(new MemoryStore({ now: () => clock.now }), (operation, args) => {
      if (operation === 'enqueue' && (args[0] as { destination: string }).destination === 'ticket' && failTicketEnqueue) {
        failTicketEnqueue = false;
        return true;
      }
      return false;
    });
    const bridgeCore = await core(store);
    const id = await conversationIn(bridgeCore, store);
    await expect(bridgeCore.bridge.escalate(id, 'it')).rejects.toMatchObject({ code: 'store_unavailable' });
    await bridgeCore.bridge.escalate(id, 'it'); // the bot retries its escalate
    await bridgeCore.worker.idle();
    expect(posts).toHaveLength(1);
    expect(inbox.filter((message) => message.kind === 'text' && message.notice?.kind === 'queued')).toHaveLength(1);
  });

  it('a failure before the conversation points at the ticket: that ticket is never posted and times out without a word', async () => {
    let failConversationUpdate = true;
    const store = faulty(new MemoryStore({ now: () => clock.now }), (operation) => {
      if (operation === 'updateConversation' && failConversationUpdate) {
        failConversationUpdate = false;
        return true;
      }
      return false;
    });
    const bridgeCore = await core(store);
    const id = await conversationIn(bridgeCore, store);
    await expect(bridgeCore.bridge.escalate(id, 'it')).rejects.toMatchObject({ code: 'store_unavailable' });
    await bridgeCore.bridge.escalate(id, 'it');
    await bridgeCore.worker.idle();
    expect(posts).toHaveLength(1);
    clock.now += 31 * 60_000;
    await bridgeCore.timers.check();
    await bridgeCore.worker.idle();
    // Only the real ticket tells the requester it timed out; the orphan stays silent.
    expect(inbox.filter((message) => message.kind === 'text' && message.text === timedOutNotice().text)).toHaveLength(1);
  });

  it('a full open-ticket index refuses the escalation before anything exists or is posted', async () => {
    const memory = new MemoryStore({ now: () => clock.now });
    const bridgeCore = await core(memory);
    const id = await conversationIn(bridgeCore, memory);
    const full = Array.from({ length: maxOpenTickets }, (_unused, index) => ({ id: `t${index}`, deskId: 'it', state: 'queued', openedAt: clock.now }));
    await memory.compareAndSet('tickets:open', 0, full);
    await expect(bridgeCore.bridge.escalate(id, 'it')).rejects.toMatchObject({ code: 'store_failed' });
    await bridgeCore.worker.idle();
    expect(posts).toEqual([]);
    expect((await memory.getConversation(id))?.value.session).toBe('active');
  });
});

describe('an agent action whose follow-ups fail part-way', () => {
  it('is completed by the platform retry: the claim stands once, the requester hears who joined once', async () => {
    let failJoinedNotice = false;
    const store = faulty(new MemoryStore({ now: () => clock.now }), (operation, args) => {
      const dedupe = args[3] as { key?: string } | undefined;
      if (operation === 'enqueue' && failJoinedNotice && dedupe?.key?.startsWith('joined:')) {
        failJoinedNotice = false;
        return true;
      }
      return false;
    });
    const bridgeCore = await core(store);
    const id = await conversationIn(bridgeCore, store);
    await bridgeCore.bridge.escalate(id, 'it');
    await bridgeCore.worker.idle();
    const ticketId = posts[0]!.ticketId;
    failJoinedNotice = true;
    const claim = { kind: 'claim' as const, ticketId, agent: { id: 'A1', name: 'Ada' }, eventId: 'Ev-claim' };
    await expect(bridgeCore.bridge.agentEvent(claim)).rejects.toMatchObject({ code: 'store_unavailable' });
    expect(await bridgeCore.bridge.agentEvent(claim)).toEqual({ status: 'accepted' }); // Slack's retry of the same click
    await bridgeCore.worker.idle();
    expect(inbox.filter((message) => message.kind === 'text' && message.notice?.kind === 'joined')).toHaveLength(1);
    expect(await bridgeCore.bridge.agentEvent({ ...claim, agent: { id: 'B1', name: 'Bob' }, eventId: 'Ev-other' })).toMatchObject({ status: 'ignored', reason: 'already claimed by Ada' });
  });
});

describe('a transfer while the first post is on its way', () => {
  it('posts in the new desk, and the late first post becomes the old post that shows where the ticket went', async () => {
    const twoDesks = parseBridgeConfig({ defaultDesk: 'it', desks: [{ id: 'it', platform: 'slack', channel: 'DESK1' }, { id: 'hr', platform: 'slack', channel: 'DESK2' }] });
    let releaseFirstPost!: () => void;
    const firstPostHeld = new Promise<void>((resolve) => (releaseFirstPost = resolve));
    const updates: TicketView[] = [];
    const desk = new RecordingDesk();
    desk.postTicket = async (target: DeskTarget, view: TicketView) => {
      posts.push(view);
      if (posts.length === 1) await firstPostHeld; // Slack is slow to answer the first post
      return { channel: 'slack', key: `T1:${target.channel}:${posts.length}`, reference: {} };
    };
    desk.updateTicket = async (_thread: ChannelAddress, view: TicketView) => {
      updates.push(view);
    };
    const store = new MemoryStore({ now: () => clock.now });
    let ids = 0;
    const bridgeCore = await createCore({
      store,
      config: twoDesks,
      logger: silentLogger(),
      metrics: new Metrics(),
      now: () => clock.now,
      newId: () => `id-${++ids}`,
      createAdapters: () => [{ channel: 'slack', deliver: async (_address, message) => void inbox.push(message), desk }],
      createBackend: () => ({ name: 'recording', send: async () => undefined }),
      sleep: async () => undefined,
    });
    const id = await conversationIn(bridgeCore, store);
    await bridgeCore.bridge.escalate(id, 'it');
    await new Promise((resolve) => setTimeout(resolve, 20)); // the first post is out, its answer held
    const ticketId = posts[0]!.ticketId;
    expect(await bridgeCore.bridge.agentEvent({ kind: 'transfer', ticketId, toDeskId: 'hr', agent: { id: 'A1', name: 'Ada' } })).toEqual({ status: 'accepted' });
    releaseFirstPost();
    await bridgeCore.worker.idle();
    expect(posts.map((view) => view.deskId)).toEqual(['it', 'hr']);
    const ticket = (await store.getRecord<{ thread?: ChannelAddress; transfers: Array<{ thread?: ChannelAddress }> }>(`ticket:${ticketId}`))!.value;
    expect(ticket.thread?.key).toBe('T1:DESK2:2');
    expect(ticket.transfers[0]!.thread?.key).toBe('T1:DESK1:1');
  });
});

describe('conversation records', () => {
  it('keeps both of two concurrent changes (a reference refresh and an escalation)', async () => {
    // Every operation takes a moment, so the two read-then-write sequences interleave.
    const memory = new MemoryStore();
    const slow = new Proxy(memory, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          await new Promise((resolve) => setTimeout(resolve, 2));
          return (value as (...inner: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const registry = new ConversationRegistry({ store: slow, logger: silentLogger(), now: () => 1, newId: () => 'conv-1' });
    const { record } = await registry.resolve(address, { id: 'U1' });
    const moved = { ...address, reference: { channel: 'D1', serviceUrl: 'https://smba.example/emea/' } };
    await Promise.all([registry.resolve(moved, { id: 'U1' }), registry.setSession(record.id, 'escalated', 'ticket-1')]);
    const stored = (await memory.getConversation(record.id))!.value;
    expect(stored).toMatchObject({ session: 'escalated', ticketId: 'ticket-1', address: moved });
  });
});
