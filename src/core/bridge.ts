/**
 * The bridge core: what happens between the channel adapters and the bot backend. It knows
 * neither a platform nor a bot API. Inbound it journals visitor events (deduped, durable, before
 * the platform's ack) for the `bot` destination and handles agents' actions; outbound it queues
 * the bot's messages for their requesters. The outbox's delivery loop carries everything out.
 */
import type { BotOutput } from '../bot/bot-backend.js';
import type { AgentEvent, AgentEventOutcome, InboundSink } from './channel-adapter.js';
import type { BotMessage } from './bot-message.js';
import { summarizeMessage } from './bot-message.js';
import type { ConversationRegistry } from './conversations.js';
import { withDeadline } from './deadline.js';
import { ConversationNotFoundError, StoreUnavailableError } from './errors.js';
import { parseCsatPayload } from './handoff/csat.js';
import type { Handoff } from './handoff/handoff.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { botQueue, dedupeTtlMs, type Outbox } from './outbox/outbox.js';
import type { Transcripts } from './transcripts.js';
import type { ChannelAddress, VisitorEvent, VisitorEventOutcome } from './visitor-event.js';
import type { Store } from '../store/store.js';

/** What the core is built from. */
export interface BridgeDeps {
  store: Store;
  outbox: Outbox;
  conversations: ConversationRegistry;
  transcripts: Transcripts;
  handoff: Handoff;
  logger: Logger;
  metrics: Metrics;
  newOwnerId: () => string;
}

/** The bridge core; adapters see it as an `InboundSink`, backends as a `BotOutput`. */
export class Bridge implements InboundSink, BotOutput {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly deps: BridgeDeps) {}

  /**
   * A requester wrote, clicked, opened or ended a conversation: journal it for the bot. Resolves
   * once the entry is in the store (the platform may be acknowledged then); a retry of the same
   * platform event within 15 minutes is `duplicate`, atomically, also on another replica.
   */
  visitorEvent(event: VisitorEvent): Promise<VisitorEventOutcome> {
    const { address, action, eventId } = event;
    this.deps.metrics.eventsIn.inc({ platform: address.channel, type: action.kind });
    return this.track(this.journal(event, eventId === undefined ? undefined : inboundDedupeKey(address, eventId)));
  }

  /**
   * An agent acted in a desk channel. Handled before the platform's ack (store writes only), once
   * per platform event: a failure releases the dedupe key so the platform's retry is handled.
   */
  agentEvent(event: AgentEvent): Promise<AgentEventOutcome> {
    this.deps.metrics.eventsIn.inc({ platform: 'desk', type: event.kind });
    return this.track(this.once(agentDedupeKey(event), { status: 'duplicate' }, () => this.deps.handoff.agentEvent(event)));
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

  /**
   * BotOutput: queue the bot's messages durably for the requester, in order. With `deliveryId`
   * (the bot's message id) a retried webhook queues nothing twice.
   */
  async messages(conversationId: string, messages: BotMessage[], deliveryId?: string): Promise<void> {
    const conversation = await this.deps.conversations.get(conversationId);
    if (!conversation) throw new ConversationNotFoundError(conversationId);
    if (messages.length === 0) return;
    const turns = messages.map((message) => this.deps.transcripts.turn(conversationId, 'bot', summarizeMessage(message)));
    await this.deps.outbox.toRequester(conversation, messages, deliveryId === undefined ? undefined : `bot-message:${conversationId}:${deliveryId}`, turns);
  }

  /** BotOutput: hand the conversation to human agents. */
  async escalate(conversationId: string, escalateTo?: string): Promise<void> {
    const conversation = await this.deps.conversations.get(conversationId);
    if (!conversation) throw new ConversationNotFoundError(conversationId);
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

  private async journal(event: VisitorEvent, dedupeKey: string | undefined): Promise<VisitorEventOutcome> {
    const { action } = event;
    // A CSAT rating click is the bridge's own: kept on the ticket, never sent to the bot (whose session is over).
    const rating = action.kind === 'message' && action.clickedConversationId ? parseCsatPayload(action.payload) : undefined;
    if (rating && action.kind === 'message' && action.clickedConversationId) {
      const outcome = await this.deps.handoff.rate(action.clickedConversationId, rating);
      return outcome === 'accepted' ? { status: 'accepted' } : outcome === 'duplicate' ? { status: 'duplicate' } : { status: 'ended' };
    }
    if (action.kind === 'message' && action.clickedConversationId) {
      const clicked = await this.deps.conversations.get(action.clickedConversationId);
      if (!clicked || clicked.session === 'ended') return { status: 'ended' };
    }
    const result = await this.deps.outbox.enqueue(botQueue(event.address), [{ kind: 'visitor', event }], dedupeKey);
    return result.status === 'duplicate' ? { status: 'duplicate' } : { status: 'accepted' };
  }

  /**
   * Run `work` once per dedupe key. A failure releases the key, so the platform's retry is handled;
   * when the store could not answer whether the key was taken, it is released too, best effort.
   */
  private async once<T>(key: string | undefined, duplicate: T, work: () => Promise<T>): Promise<T> {
    if (key === undefined) return work();
    const owner = this.deps.newOwnerId();
    let claimed: boolean;
    try {
      claimed = await this.deps.store.claim(key, owner, dedupeTtlMs);
    } catch (error) {
      if (error instanceof StoreUnavailableError) await this.deps.store.release(key, owner).catch(() => undefined);
      throw error;
    }
    if (!claimed) return duplicate;
    try {
      return await work();
    } catch (error) {
      await this.deps.store.release(key, owner).catch((releaseError: unknown) => this.deps.logger.warn({ dedupeKey: key, err: releaseError }, 'could not release a dedupe key'));
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
}

/** The dedupe key of a platform event: the thread plus the platform's id (Teams ids are unique only within a conversation). */
function inboundDedupeKey(address: Pick<ChannelAddress, 'channel' | 'key'>, eventId: string): string {
  return `inbound:${JSON.stringify([address.channel, address.key, eventId])}`;
}

/** The dedupe key of an agent's action: the ticket or its thread plus the platform's id. */
function agentDedupeKey(event: AgentEvent): string | undefined {
  if (event.eventId === undefined) return undefined;
  const scope = event.kind === 'reply' ? [event.ticketThread.channel, event.ticketThread.key] : [event.ticketId];
  return `agent:${JSON.stringify([event.kind, ...scope, event.eventId])}`;
}
