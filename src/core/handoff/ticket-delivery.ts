/**
 * The `ticket` destination: the ticket's post in its desk channel, its in-place updates and the
 * posts into its thread, in order per ticket. The post is rendered from the ticket as it is when
 * it goes out; the thread it got is recorded as progress first, so a retry never posts it twice.
 * A post that finally fails fails the ticket: the requester is told and is back with the bot.
 */
import type { DeliveryProgress, DeskSide, TicketView } from '../channel-adapter.js';
import type { ConversationRegistry } from '../conversations.js';
import { DeliveryError } from '../errors.js';
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
  handoff: Pick<HandoffService, 'conversationOf'>;
  conversations: ConversationRegistry;
  transcripts: Transcripts;
  outbox: Outbox;
  deskSides: ReadonlyMap<string, DeskSide>;
  metrics: Metrics;
  now: () => number;
}

/** Progress of a ticket post: the thread it got. */
interface PostProgress {
  thread: ChannelAddress;
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
    switch (work.op) {
      case 'post':
        return this.post(ticket, side, desk.platform, attempt);
      case 'update':
        if (!ticket.thread) return;
        await side.updateTicket(ticket.thread, await this.view(ticket));
        this.deps.metrics.eventsOut.inc({ platform: desk.platform, type: 'ticket_update' });
        return;
      case 'message':
        if (!ticket.thread) return; // the post failed: the ticket failed with it
        await side.postToTicket(ticket.thread, work.message, {
          conversationId: ticket.conversationId,
          progress: attempt.progress as unknown as DeliveryProgress | undefined,
          saveProgress: (progress) => attempt.saveProgress(asJson(progress)),
        });
        this.deps.metrics.eventsOut.inc({ platform: desk.platform, type: work.message.kind });
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
  }

  private async post(ticket: TicketRecord, side: DeskSide, platform: string, attempt: AttemptContext): Promise<void> {
    if (ticket.thread) return; // posted by an earlier entry
    let thread = (attempt.progress as unknown as PostProgress | undefined)?.thread;
    if (!thread) {
      if (isClosed(ticket.state)) return;
      const conversation = await this.deps.handoff.conversationOf(ticket);
      if (!conversation) {
        // An escalation that lost its race, or whose conversation moved on: never show it.
        await this.deps.tickets.update(ticket.id, (draft) => transition(draft, 'cancelled', 'bridge', this.deps.now()));
        return;
      }
      const desk = this.deps.directory.find(ticket.deskId)!;
      thread = await side.postTicket(deskTarget(desk), await this.view(ticket, conversation));
      this.deps.metrics.eventsOut.inc({ platform, type: 'ticket' });
      await attempt.saveProgress(asJson({ thread } satisfies PostProgress));
    }
    const posted = thread;
    await this.deps.tickets.bindThread(ticket.id, posted);
    const stored = await this.deps.tickets.update(ticket.id, (current) => (current.thread ? undefined : { ...current, thread: posted }));
    // Moved while the post was on its way (claimed, cancelled): show the post as it is now.
    if (stored && stored.after.state !== 'queued') await side.updateTicket(posted, await this.view(stored.after));
  }

  /** Everything the desk adapter needs to render the ticket post. */
  private async view(ticket: TicketRecord, known?: ConversationRecord): Promise<TicketView> {
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
    };
  }
}
