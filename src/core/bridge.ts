/**
 * The bridge core: what happens between the channel adapters and the bot backend. It knows
 * neither a platform nor a bot API. Inbound it resolves conversations, dedupes platform
 * retries and sends visitor events to the bot (or, while escalated, to the agents); outbound
 * it queues the bot's messages durably and hands them to the delivery loop.
 */
import type { BotBackend, BotOutput, BotEvent } from '../bot/bot-backend.js';
import type { AgentEvent, AgentEventOutcome, InboundSink } from './channel-adapter.js';
import type { BotMessage } from './bot-message.js';
import { summarizeMessage } from './bot-message.js';
import { ConversationRegistry } from './conversations.js';
import { withDeadline } from './deadline.js';
import type { DeliveryService } from './delivery.js';
import { BotRequestError, ConversationNotFoundError } from './errors.js';
import type { Handoff } from './handoff/handoff.js';
import { KeyedSerializer } from './keyed-serializer.js';
import { addLogContext, type Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { requesterMetaData } from './requester-metadata.js';
import { Transcripts } from './transcripts.js';
import type { ChannelAddress, VisitorEvent, VisitorEventOutcome } from './visitor-event.js';
import type { ConversationRecord, Store } from '../store/store.js';

/** How long a platform event id is remembered: Slack retries for up to ~6 minutes. */
export const dedupeTtlMs = 15 * 60_000;

/** What the core is built from. */
export interface BridgeDeps {
  store: Store;
  conversations: ConversationRegistry;
  transcripts: Transcripts;
  delivery: DeliveryService;
  handoff: Handoff;
  logger: Logger;
  metrics: Metrics;
  /** Set once the backend exists (the backend needs the bridge as its BotOutput). */
  backend?: BotBackend;
  newOwnerId: () => string;
  now: () => number;
}

/** The bridge core; adapters see it as an `InboundSink`, backends as a `BotOutput`. */
export class Bridge implements InboundSink, BotOutput {
  private readonly serializer = new KeyedSerializer();
  private readonly inFlight = new Set<Promise<unknown>>();
  private backend?: BotBackend;

  constructor(private readonly deps: BridgeDeps) {
    this.backend = deps.backend;
  }

  /** Attach the bot backend (it is constructed with this bridge as its output). */
  useBackend(backend: BotBackend): void {
    this.backend = backend;
  }

  /** A requester wrote, clicked, opened or ended a conversation. */
  visitorEvent(event: VisitorEvent): Promise<VisitorEventOutcome> {
    const { address, action, eventId } = event;
    this.deps.metrics.eventsIn.inc({ platform: address.channel, type: action.kind });
    // One thread's events reach the bot in arrival order; other threads run concurrently.
    return this.track(
      this.once(address.channel, eventId, { status: 'duplicate' }, () =>
        this.serializer.run(`${address.channel}:${address.key}`, () => this.handleVisitorEvent(event)),
      ),
    );
  }

  /** An agent acted in a desk channel. */
  agentEvent(event: AgentEvent): Promise<AgentEventOutcome> {
    this.deps.metrics.eventsIn.inc({ platform: 'desk', type: event.kind });
    return this.track(this.once('desk', event.eventId, { status: 'duplicate' }, () => this.deps.handoff.agentEvent(event)));
  }

  /** Resolves once the events being handled now are done, or after `deadlineMs` (shutdown). */
  async settle(deadlineMs: number): Promise<void> {
    await withDeadline(Promise.allSettled([...this.inFlight]), deadlineMs, 'waiting for events in flight').catch((error: unknown) => {
      this.deps.logger.warn({ err: error, inFlight: this.inFlight.size }, 'stopping with events still in flight');
    });
  }

  /** Whether a platform thread has a live conversation (adapters listen to such threads without a mention). */
  async knowsAddress(channel: string, key: string): Promise<boolean> {
    return (await this.deps.conversations.findLive(channel, key)) !== undefined;
  }

  /** Whether a desk thread belongs to an open ticket (adapters relay agent replies there). */
  async knowsTicketThread(thread: ChannelAddress): Promise<boolean> {
    return (await this.deps.handoff.ticketOfThread(thread)) !== undefined;
  }

  /** BotOutput: queue the bot's messages durably, then deliver them in order. */
  async messages(conversationId: string, messages: BotMessage[]): Promise<void> {
    const conversation = await this.deps.conversations.get(conversationId);
    if (!conversation) throw new ConversationNotFoundError(conversationId);
    if (messages.length === 0) return;
    await this.queue(conversation, messages);
    for (const message of messages) await this.deps.transcripts.add(conversationId, 'bot', summarizeMessage(message));
  }

  /** BotOutput: hand the conversation to human agents. */
  async escalate(conversationId: string, escalateTo?: string): Promise<void> {
    const conversation = await this.deps.conversations.get(conversationId);
    if (!conversation) throw new ConversationNotFoundError(conversationId);
    addLogContext({ conversationId });
    await this.deps.handoff.escalate(conversation, escalateTo);
  }

  /** BotOutput: whether the desk is online. */
  isTeamOnline(teamId?: string): Promise<boolean> {
    return this.deps.handoff.isTeamOnline(teamId);
  }

  /** BotOutput: the bot ended the conversation; the thread's next message starts a new one. */
  async conversationEnded(conversationId: string): Promise<void> {
    await this.deps.conversations.setSession(conversationId, 'ended');
  }

  /** Tell the bot a conversation is over (after a hand-off); a refusal is logged, not thrown. */
  async endBotSession(conversation: ConversationRecord): Promise<void> {
    try {
      await this.backend?.send({ conversationId: conversation.id, type: 'endSession' });
    } catch (error) {
      this.deps.logger.warn({ err: error, conversationId: conversation.id }, 'endSession after the hand-off was not accepted by the bot');
    }
  }

  /** Queue messages the bridge itself writes to a requester (notices, agent replies). */
  async queue(conversation: ConversationRecord, messages: BotMessage[]): Promise<void> {
    await this.deps.store.enqueue(conversation.id, messages, this.deps.now());
    this.deps.delivery.notify(conversation.id);
  }

  /**
   * Run `work` once per platform event id: a retry finds the id claimed in the store and gets
   * `duplicate`. A failed attempt releases the claim, so the platform's retry is processed.
   */
  private async once<T>(scope: string, eventId: string | undefined, duplicate: T, work: () => Promise<T>): Promise<T> {
    if (!eventId) return work();
    const key = `dedupe:${scope}:${eventId}`;
    const owner = this.deps.newOwnerId();
    if (!(await this.deps.store.claim(key, owner, dedupeTtlMs))) return duplicate;
    try {
      return await work();
    } catch (error) {
      await this.deps.store.release(key, owner);
      throw error;
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.then(
      () => this.inFlight.delete(work),
      () => this.inFlight.delete(work),
    );
    return work;
  }

  private async handleVisitorEvent(event: VisitorEvent): Promise<VisitorEventOutcome> {
    const { action } = event;
    if (action.kind === 'message' && action.clickedConversationId) {
      const clicked = await this.deps.conversations.get(action.clickedConversationId);
      if (!clicked || clicked.session === 'ended') return { status: 'ended', conversationId: action.clickedConversationId };
    }
    switch (action.kind) {
      case 'startSession':
        return this.startSession(event);
      case 'endSession':
        return this.endSession(event);
      case 'message':
        return this.message(event, action.text, { cardIndex: action.cardIndex, payload: action.payload });
    }
  }

  private async startSession(event: VisitorEvent): Promise<VisitorEventOutcome> {
    // An opening signal for a thread that already talks to the bot must not restart it.
    const live = await this.deps.conversations.findLive(event.address.channel, event.address.key);
    if (live) return { status: 'accepted', conversationId: live.id };
    const { record } = await this.deps.conversations.resolve(event);
    addLogContext({ conversationId: record.id });
    await this.sendToBot({ conversationId: record.id, type: 'startSession', metaData: requesterMetaData(record.requester, record.address.channel) }, record);
    return { status: 'accepted', conversationId: record.id };
  }

  private async endSession(event: VisitorEvent): Promise<VisitorEventOutcome> {
    const live = await this.deps.conversations.findLive(event.address.channel, event.address.key);
    if (!live) return { status: 'duplicate' };
    addLogContext({ conversationId: live.id });
    if (live.session === 'escalated') await this.deps.handoff.requesterEnded(live);
    await this.sendToBot({ conversationId: live.id, type: 'endSession' }, live);
    await this.deps.conversations.setSession(live.id, 'ended');
    return { status: 'accepted', conversationId: live.id };
  }

  private async message(
    event: VisitorEvent,
    text: string,
    click: { cardIndex?: number; payload?: string },
  ): Promise<VisitorEventOutcome> {
    let { record, isNew } = await this.deps.conversations.resolve(event);
    if (record.session === 'escalated') {
      // While a human has the conversation, the bot stays out of it.
      addLogContext({ conversationId: record.id });
      await this.deps.transcripts.add(record.id, 'requester', text);
      if (await this.deps.handoff.requesterMessage(record, text)) return { status: 'accepted', conversationId: record.id };
      // Its ticket closed without the session following: start afresh with the bot rather than drop the message.
      await this.deps.conversations.setSession(record.id, 'ended');
      ({ record, isNew } = await this.deps.conversations.resolve(event));
    }
    addLogContext({ conversationId: record.id });
    await this.deps.transcripts.add(record.id, 'requester', text);
    await this.sendToBot(
      {
        conversationId: record.id,
        type: 'message',
        text,
        cardIndex: click.cardIndex,
        payload: click.payload,
        metaData: isNew ? requesterMetaData(record.requester, record.address.channel) : undefined,
      },
      record,
    );
    return { status: 'accepted', conversationId: record.id };
  }

  private async sendToBot(event: BotEvent, conversation: ConversationRecord): Promise<void> {
    const backend = this.backend;
    if (!backend) throw new Error('Bridge has no bot backend attached');
    try {
      await backend.send(stripUndefined(event));
    } catch (error) {
      this.deps.logger.error({ err: error, eventType: event.type }, 'the bot did not accept the event');
      if (error instanceof BotRequestError && event.type !== 'endSession') {
        // The platform already has its ack; tell the requester instead of failing silently.
        await this.queue(conversation, [{ kind: 'text', text: unavailableNotice, buttons: [] }]);
        return;
      }
      throw error;
    }
  }
}

/** What a requester reads when the bot cannot be reached. */
export const unavailableNotice = 'Sorry, the assistant is not reachable right now. Please try again in a few minutes.';

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
