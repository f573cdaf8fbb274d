/**
 * Writing to the outbox: the queue each kind of work goes to, the payload each destination's
 * handler reads, and enqueueing followed by a wake-up of the delivery loop. Handlers enqueue
 * follow-up work through it too, so the loop listens on a small signal instead of being passed in.
 */
import type { BotMessage } from '../bot-message.js';
import type { DeskNote } from '../channel-adapter.js';
import type { VisitorEvent } from '../visitor-event.js';
import type { ChannelAddress } from '../visitor-event.js';
import type { ConversationRecord, EnqueueDedupe, EnqueueResult, Json, ListAppend, QueueRef, Store } from '../../store/store.js';
import { activeTraceparent, inSpan } from '../tracing.js';

/** The channel name of conversations whose requester is on Ultimate's widget. */
export const widgetChannel = 'widget';

/** How long an enqueue's dedupe key is held: Slack retries for up to ~6 minutes. */
export const dedupeTtlMs = 15 * 60_000;

/** What every payload may carry besides its own fields: the trace of the work that enqueued it. */
export interface Traced {
  traceparent?: string;
}

/** A `bot` entry: a requester's event from a platform, or the bridge's own event for the bot. */
export type BotEntry = { kind: 'visitor'; event: VisitorEvent } | { kind: 'endSession'; conversationId: string };

/** A `conversation` or `widget` entry: one message to the requester. */
export interface RequesterEntry {
  message: BotMessage;
}

/**
 * A `ticket` entry: post the ticket, re-render it in place, post into its thread, post a note with
 * a mention, or run the desk's `onResolve` action with the closed ticket. `transfer` (an index into
 * the ticket's transfers) addresses the post the ticket left by Transfer instead of its current one.
 */
export type TicketEntry =
  | { op: 'post' }
  | { op: 'update'; transfer?: number }
  | { op: 'message'; message: BotMessage; transfer?: number }
  | { op: 'note'; note: DeskNote }
  | { op: 'onResolve'; withCsat: boolean };

/** The `bot` queue of a platform thread: its events reach the bot in the order the platform sent them. */
export function botQueue(address: Pick<ChannelAddress, 'channel' | 'key'>): QueueRef {
  return { destination: 'bot', key: `${address.channel}:${address.key}` };
}

/** The queue of messages to a conversation's requester: the platform thread, or the widget API. */
export function requesterQueue(conversation: Pick<ConversationRecord, 'id' | 'address'>): QueueRef {
  return { destination: conversation.address.channel === widgetChannel ? 'widget' : 'conversation', key: conversation.id };
}

/** The queue of a ticket's post and thread. */
export function ticketQueue(ticketId: string): QueueRef {
  return { destination: 'ticket', key: ticketId };
}

/** A value built only from JSON-safe parts (messages, addresses, profiles, numbers), as the store keeps it. */
export function asJson(value: object): Json {
  return value as Json;
}

/** Tells the delivery loop that a queue has new entries. */
export class QueueSignal {
  private readonly listeners: ((queue: QueueRef) => void)[] = [];

  /** Called for every queue that gets entries. */
  listen(listener: (queue: QueueRef) => void): void {
    this.listeners.push(listener);
  }

  /** Announce new entries in `queue`. */
  notify(queue: QueueRef): void {
    for (const listener of this.listeners) listener(queue);
  }
}

/** Enqueue, then wake the loop. */
export class Outbox {
  constructor(
    private readonly store: Pick<Store, 'enqueue'>,
    private readonly signal: QueueSignal,
    private readonly now: () => number,
  ) {}

  /**
   * Append entries (typed by destination) to a queue; with `dedupeKey`, a repeat within 15 minutes
   * adds nothing. `turns` (the transcript of what is queued) are recorded in the same store step.
   */
  async enqueue(queue: QueueRef, payloads: readonly (BotEntry | RequesterEntry | TicketEntry)[], dedupeKey?: string, turns?: readonly ListAppend[]): Promise<EnqueueResult> {
    const dedupe: EnqueueDedupe | undefined = dedupeKey === undefined ? undefined : { key: dedupeKey, ttlMs: dedupeTtlMs };
    return inSpan('outbox.enqueue', { 'bridge.destination': queue.destination, 'bridge.entries': payloads.length }, async () => {
      // The trace continues where the entry is delivered: its traceparent travels with it.
      const traceparent = activeTraceparent();
      const stored = traceparent === undefined ? payloads : payloads.map((payload) => ({ ...payload, traceparent }));
      const result = await this.store.enqueue(queue, stored.map(asJson), this.now(), dedupe, turns);
      if (result.status === 'queued') this.signal.notify(queue);
      return result;
    });
  }

  /** Queue messages to a conversation's requester, with the transcript turns they make (bot and agent messages). */
  toRequester(conversation: Pick<ConversationRecord, 'id' | 'address'>, messages: readonly BotMessage[], dedupeKey?: string, turns?: readonly ListAppend[]): Promise<EnqueueResult> {
    return this.enqueue(requesterQueue(conversation), messages.map((message) => ({ message })), dedupeKey, turns);
  }

  /** Queue work on a ticket's post or thread. */
  toTicket(ticketId: string, entries: readonly TicketEntry[], dedupeKey?: string): Promise<EnqueueResult> {
    return this.enqueue(ticketQueue(ticketId), entries, dedupeKey);
  }

  /** Queue the end of a conversation's bot session (after a hand-off closed), once. */
  endBotSession(conversation: Pick<ConversationRecord, 'id' | 'address'>, dedupeKey: string): Promise<EnqueueResult> {
    return this.enqueue(botQueue(conversation.address), [{ kind: 'endSession', conversationId: conversation.id }], dedupeKey);
  }
}
