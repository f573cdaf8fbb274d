/**
 * The `ticket` destination: the ticket's post in its desk channel, its in-place updates and the
 * posts into its thread, in order per ticket. The post is rendered from the ticket as it is when
 * it goes out; the thread it got is recorded as progress first, so a retry never posts it twice.
 * A post that finally fails fails the ticket: the requester is told and is back with the bot.
 */
import type { ActionRunner, ClosedTicket } from '../../actions/action-handler.js';
import type { DeliveryContext, DeliveryProgress, DeskNote, DeskSide, TicketView } from '../channel-adapter.js';
import type { ConversationRegistry } from '../conversations.js';
import { BridgeError, DeliveryError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { AttemptContext, DestinationHandler } from '../outbox/destination-handler.js';
import { asJson, type Outbox, type TicketEntry } from '../outbox/outbox.js';
import type { Transcripts } from '../transcripts.js';
import type { ChannelAddress } from '../visitor-event.js';
import type { ConversationRecord, OutboxEntry } from '../../store/store.js';
import type { DeskDirectory } from './desk-directory.js';
import type { HandoffService } from './handoff-service.js';
import { escalationFailedNotice } from './notices.js';
import { deskTarget } from './presence.js';
import type { TicketBook } from './ticket-book.js';
import { isClosed, transition, type TicketRecord } from './ticket.js';

/** What the ticket destination needs. */
export interface TicketDeliveryDeps {
  tickets: TicketBook;
  directory: DeskDirectory;
  handoff: Pick<HandoffService, 'conversationOf' | 'closeOut'>;
  /** Runs desks' `onResolve` actions. */
  actions?: ActionRunner;
  conversations: ConversationRegistry;
  transcripts: Transcripts;
  outbox: Outbox;
  deskSides: ReadonlyMap<string, DeskSide>;
  metrics: Metrics;
  now: () => number;
}

/** Progress of a ticket post: the thread it got, and which placement (transfers before it) it was for. */
interface PostProgress {
  thread: ChannelAddress;
  placement?: number;
}

/**
 * The ticket with a post's thread recorded where it belongs: as the current post while the ticket
 * is still where it was posted, else as the thread its transfer left (unless one is recorded).
 */
function recordPost(ticket: TicketRecord, thread: ChannelAddress, placement: number): TicketRecord | undefined {
  const transfers = ticket.transfers ?? [];
  if (transfers.length === placement) return ticket.thread ? undefined : { ...ticket, thread };
  const left = transfers[placement];
  if (!left || left.thread) return undefined;
  return { ...ticket, transfers: transfers.map((moved, index) => (index === placement ? { ...moved, thread } : moved)) };
}

/** The handler of the `ticket` destination. */
export class TicketDelivery implements DestinationHandler {
  constructor(private readonly deps: TicketDeliveryDeps) {}

  /** The platform of the ticket's desk. */
  async platformOf(entry: OutboxEntry): Promise<string> {
    const ticket = await this.deps.tickets.get(entry.key);
    return (ticket && this.deps.directory.find(ticket.deskId)?.platform) ?? 'unknown';
  }

  async deliver(entry: OutboxEntry, attempt: AttemptContext): Promise<void> {
    const ticket = await this.deps.tickets.get(entry.key);
    if (!ticket) return; // expired past retention: nothing left to show
    const desk = this.deps.directory.find(ticket.deskId);
    const side = desk ? this.deps.deskSides.get(desk.platform) : undefined;
    if (!desk || !side) throw new DeliveryError(`Desk ${ticket.deskId} has no enabled desk platform`, { retryable: false, platformCode: 'desk_unavailable' });
    const work = entry.payload as unknown as TicketEntry;
    const context: DeliveryContext = {
      conversationId: ticket.conversationId,
      progress: attempt.progress as unknown as DeliveryProgress | undefined,
      saveProgress: (progress) => attempt.saveProgress(asJson(progress)),
    };
    switch (work.op) {
      case 'post':
        return this.post(ticket, side, desk.platform, attempt);
      case 'update': {
        const where = this.placeOf(ticket, work.transfer);
        if (!where) return;
        await where.side.updateTicket(where.thread, await this.view(ticket, undefined, where.transferredTo));
        this.deps.metrics.eventsOut.inc({ platform: where.platform, type: 'ticket_update' });
        return;
      }
      case 'message': {
        const where = this.placeOf(ticket, work.transfer);
        if (!where) return; // the post failed: the ticket failed with it
        await where.side.postToTicket(where.thread, work.message, context);
        this.deps.metrics.eventsOut.inc({ platform: where.platform, type: work.message.kind });
        return;
      }
      case 'note':
        if (!ticket.thread) return;
        await postNote(side, ticket.thread, work.note, context);
        this.deps.metrics.eventsOut.inc({ platform: desk.platform, type: 'note' });
        return;
      case 'onResolve':
        return this.onResolve(ticket, work.withCsat);
    }
  }

  /** A post that finally failed fails the ticket: the requester is back with the bot and told so. */
  async onGiveUp(entry: OutboxEntry): Promise<void> {
    if ((entry.payload as unknown as TicketEntry).op !== 'post') return;
    const change = await this.deps.tickets.update(entry.key, (ticket) => transition(ticket, 'failed', 'bridge', this.deps.now()));
    if (!change) return;
    this.deps.metrics.ticketsByState.dec({ state: change.before.state });
    const conversation = await this.deps.handoff.conversationOf(change.after);
    if (!conversation) return;
    const back = await this.deps.conversations.update(conversation.id, (record) => (record.ticketId === entry.key ? { ...record, session: 'active', ticketId: undefined } : undefined));
    await this.deps.outbox.toRequester(back ?? conversation, [escalationFailedNotice()], `failed:${entry.key}`);
    await this.deps.handoff.closeOut.queueOnResolve(change.after, false);
  }

  /** Where an entry goes: the ticket's current post, or the old post it left by Transfer number `transfer`. */
  private placeOf(ticket: TicketRecord, transfer: number | undefined): { thread: ChannelAddress; side: DeskSide; platform: string; transferredTo?: string } | undefined {
    if (transfer === undefined) {
      const desk = this.deps.directory.find(ticket.deskId);
      const side = desk ? this.deps.deskSides.get(desk.platform) : undefined;
      return ticket.thread && desk && side ? { thread: ticket.thread, side, platform: desk.platform } : undefined;
    }
    const moved = ticket.transfers?.[transfer];
    const from = moved ? this.deps.directory.find(moved.fromDesk) : undefined;
    const side = from ? this.deps.deskSides.get(from.platform) : undefined;
    return moved?.thread && from && side ? { thread: moved.thread, side, platform: from.platform, transferredTo: moved.toDesk } : undefined;
  }

  /**
   * The desk's `onResolve` action with the closed ticket. A failure is retried by the loop like any
   * delivery (the action's own errors are transient as far as the bridge can tell) and finally
   * dead-lettered; the close itself is long done.
   */
  private async onResolve(ticket: TicketRecord, withCsat: boolean): Promise<void> {
    const name = this.deps.directory.find(ticket.deskId)?.onResolve;
    if (!name) return;
    if (!this.deps.actions) throw new DeliveryError(`onResolve action "${name}" has no action runner`, { retryable: false, platformCode: 'no_actions' });
    const closed = await this.closedTicket(ticket);
    if (withCsat && ticket.csat) closed.csat = ticket.csat.score;
    try {
      await this.deps.actions.run({ name, platformConversationId: ticket.conversationId, data: [], ticket: closed });
    } catch (error) {
      const code = error instanceof BridgeError ? error.code : 'action_failed';
      throw new DeliveryError(`onResolve action "${name}" for ticket ${ticket.id} failed`, { retryable: code !== 'action_not_found', platformCode: code, cause: error });
    }
    this.deps.metrics.eventsOut.inc({ platform: 'action', type: 'onResolve' });
  }

  private async closedTicket(ticket: TicketRecord): Promise<ClosedTicket> {
    const conversation = await this.deps.conversations.get(ticket.conversationId);
    const desk = this.deps.directory.find(ticket.deskId);
    const requester = conversation?.requester ?? { id: ticket.conversationId };
    const turns = await this.deps.transcripts.last(ticket.conversationId, desk?.transcriptTurns ?? 20);
    return {
      id: ticket.id,
      desk: ticket.deskId,
      state: ticket.state,
      requester: { id: requester.id, ...(requester.name ? { name: requester.name } : {}), ...(requester.email ? { email: requester.email } : {}), platform: conversation?.address.channel ?? 'unknown' },
      assignee: ticket.assignee ? { id: ticket.assignee.id, name: ticket.assignee.name } : null,
      openedAt: iso(ticket.openedAt),
      closedAt: iso(ticket.closedAt ?? ticket.history.at(-1)?.at ?? ticket.openedAt),
      transcript: turns.map((turn) => ({ from: turn.from, text: turn.text, at: iso(turn.at) })),
    };
  }

  private async post(ticket: TicketRecord, side: DeskSide, platform: string, attempt: AttemptContext): Promise<void> {
    const saved = attempt.progress as unknown as PostProgress | undefined;
    let thread = saved?.thread;
    // Which placement of the ticket this post is for: its desk after that many transfers.
    const placement = saved?.placement ?? ticket.transfers?.length ?? 0;
    if (!thread) {
      if (ticket.thread || isClosed(ticket.state)) return; // posted by an earlier entry, or nothing to show
      const conversation = await this.deps.handoff.conversationOf(ticket);
      if (!conversation) {
        // An escalation that lost its race, or whose conversation moved on: never show it.
        await this.deps.tickets.update(ticket.id, (draft) => transition(draft, 'cancelled', 'bridge', this.deps.now()));
        return;
      }
      const desk = this.deps.directory.find(ticket.deskId)!;
      thread = await side.postTicket(deskTarget(desk), await this.view(ticket, conversation));
      this.deps.metrics.eventsOut.inc({ platform, type: 'ticket' });
      await attempt.saveProgress(asJson({ thread, placement } satisfies PostProgress));
    }
    const posted = thread;
    await this.deps.tickets.bindThread(ticket.id, posted);
    const stored = await this.deps.tickets.update(ticket.id, (current) => recordPost(current, posted, placement));
    if (!stored) return;
    if ((stored.after.transfers?.length ?? 0) > placement) {
      // Transferred while this post was on its way: it is an old post now, and shows where the ticket went.
      await this.deps.outbox.toTicket(ticket.id, [{ op: 'update', transfer: placement }], `late-post:${ticket.id}:${placement}`);
      return;
    }
    // Moved while the post was on its way (claimed, cancelled): show the post as it is now.
    if (stored.after.state !== 'queued') await side.updateTicket(posted, await this.view(stored.after));
  }

  /** Everything the desk adapter needs to render the ticket post. */
  private async view(ticket: TicketRecord, known?: ConversationRecord, transferredTo?: string): Promise<TicketView> {
    const conversation = known ?? (await this.deps.conversations.get(ticket.conversationId));
    const desk = this.deps.directory.find(ticket.deskId);
    const requesterChannel = conversation?.address.channel ?? 'unknown';
    const requesterSide = this.deps.deskSides.get(requesterChannel);
    const requesterLink = conversation ? await requesterSide?.linkTo?.(conversation.address).catch(() => undefined) : undefined;
    return {
      ticketId: ticket.id,
      conversationId: ticket.conversationId,
      deskId: ticket.deskId,
      state: ticket.state,
      requester: conversation?.requester ?? { id: ticket.conversationId },
      requesterChannel,
      requesterLink,
      transcript: await this.deps.transcripts.last(ticket.conversationId, desk?.transcriptTurns ?? 20),
      assignee: ticket.assignee,
      openedAt: ticket.openedAt,
      ...(ticket.firstResponseAt === undefined && !isClosed(ticket.state) ? { waitingSince: ticket.openedAt } : {}),
      ...(desk?.firstResponseMinutes !== undefined ? { slaDueAt: ticket.openedAt + desk.firstResponseMinutes * 60_000 } : {}),
      transferTargets: transferredTo ? [] : this.deps.directory.all().filter((other) => other.id !== ticket.deskId && this.deps.deskSides.has(other.platform)).map((other) => other.id),
      ...(transferredTo ? { transferredTo } : {}),
      ...(ticket.csat ? { csat: ticket.csat.score } : {}),
    };
  }
}

/** A bridge note with its mention, or as plain text on a desk platform that cannot mention. */
function postNote(side: DeskSide, thread: ChannelAddress, note: DeskNote, context: DeliveryContext): Promise<void> {
  if (side.postNote) return side.postNote(thread, note, context);
  const who = note.mention ? `${note.mention.kind === 'member' ? note.mention.name : note.mention.value}: ` : '';
  return side.postToTicket(thread, { kind: 'text', text: `${who}${note.text}`, buttons: [] }, context);
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
