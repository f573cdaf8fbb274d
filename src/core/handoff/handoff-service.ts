/**
 * The hand-off: tickets in desk channels, the relay between requester and agent, and the ticket
 * life cycle (queued → assigned → resolved; Release back to the queue's front, Transfer to another
 * desk, Back to bot; cancelled / failed / timed_out). Exactly one owner per ticket: every
 * transition is a compare-and-set in the store, so of two agents pressing buttons at once one wins
 * and the other is told why nothing happened. Everything a transition sends (notices, the ticket
 * post and its updates, mentions, the bot's endSession, CSAT, onResolve) goes through the outbox
 * with a dedupe key, so it is durable, ordered per ticket and per conversation, and never doubled.
 */
import type { DeskConfig } from '../../config/bridge-config.js';
import type { AgentEvent, AgentEventOutcome, AgentRef, DeskNote, DeskSide, TicketState } from '../channel-adapter.js';
import type { BotMessage } from '../bot-message.js';
import type { ConversationRegistry } from '../conversations.js';
import { ConversationNotFoundError, DeskNotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import { markSpan } from '../tracing.js';
import type { Metrics } from '../metrics.js';
import type { Outbox } from '../outbox/outbox.js';
import type { Transcripts } from '../transcripts.js';
import type { ChannelAddress } from '../visitor-event.js';
import type { ConversationRecord, RecordStore, Store } from '../../store/store.js';
import { CloseOut, type CsatOutcome } from './close-out.js';
import type { CsatAnswer } from './csat.js';
import type { DeskDirectory } from './desk-directory.js';
import { DeskQueue } from './desk-queue.js';
import type { Handoff } from './handoff.js';
import { assignedNote, closedThreadReason, joinedNotice, queuedNotice, releasedNotice, requesterLeftNote, resolvedNotice, returnedNotice, transferredNote, transferredNotice } from './notices.js';
import type { PresenceService } from './presence.js';
import { RoundRobin } from './round-robin.js';
import { queueOf, type TicketBook, type TicketChange } from './ticket-book.js';
import { isClosed, transfer, transferredFrom, transition, type TicketRecord } from './ticket.js';
import { WidgetHandoff } from './widget-handoff.js';

const notePattern = /^\s*note:/i;
/** A ticket that is not posted this long after opening gets its post queued again (a crash in between). */
const repostAfterMs = 60_000;

/** What the hand-off is built from. */
export interface HandoffDeps {
  directory: DeskDirectory;
  tickets: TicketBook;
  presence: PresenceService;
  conversations: ConversationRegistry;
  transcripts: Transcripts;
  outbox: Outbox;
  /** Desk statistics (times to claim) and the round-robin turn. */
  store: Pick<Store, 'appendToList' | 'readList'> & Pick<RecordStore, 'getRecord' | 'compareAndSet'>;
  /** The desk side of each enabled platform. */
  deskSides: ReadonlyMap<string, DeskSide>;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
  newId: () => string;
}

/** The hand-off service. */
export class HandoffService implements Handoff {
  readonly widget: WidgetHandoff;
  /** Queue positions and their notices. */
  readonly queue: DeskQueue;
  /** What follows a close, and CSAT answers. */
  readonly closeOut: CloseOut;
  private readonly roundRobin: RoundRobin;

  constructor(private readonly deps: HandoffDeps) {
    this.widget = new WidgetHandoff(this, deps.conversations, deps.transcripts, deps.logger);
    this.queue = new DeskQueue({ ...deps, conversationOf: (ticket) => this.conversationOf(ticket) });
    this.closeOut = new CloseOut(deps);
    this.roundRobin = new RoundRobin(deps);
  }

  /**
   * Open a ticket for the conversation and queue its post and the requester's notice (or assign it
   * at once on a round-robin desk). Idempotent: a retried or concurrent escalate yields the one
   * ticket. The conversation's compare-and-set is the commit point: a ticket that loses it was
   * never posted and is closed quietly.
   */
  async escalate(conversation: ConversationRecord, escalateTo?: string): Promise<void> {
    const current = (await this.deps.conversations.get(conversation.id)) ?? conversation;
    const open = await this.openTicketOf(current);
    if (open) {
      // The bot asked again (its first try may have failed part-way): finish what is missing, once.
      await this.ensurePosted(open);
      if (open.state === 'queued') await this.queue.tell(current, open, queuedNotice, `queued:${open.id}`);
      return;
    }
    const desk = this.deps.directory.resolve(escalateTo);
    if (!this.deps.deskSides.has(desk.platform)) throw new DeskNotFoundError(`Desk "${desk.id}" is on ${desk.platform}, but the ${desk.platform} adapter is not enabled`);
    const now = this.deps.now();
    const ticket: TicketRecord = { id: this.deps.newId(), conversationId: current.id, deskId: desk.id, state: 'queued', openedAt: now, queueRank: now, history: [{ state: 'queued', at: now, actor: 'bot' }] };
    await this.deps.tickets.create(ticket);
    let won = false;
    const escalated = await this.deps.conversations.update(current.id, (record) => {
      won = false;
      // A concurrent escalate won (the ticket changed since it was read), or the conversation ended: not ours to open.
      if (record.ticketId !== current.ticketId || record.session === 'ended') return undefined;
      won = true;
      return { ...record, session: 'escalated', ticketId: ticket.id };
    });
    if (!won || !escalated) {
      await this.deps.tickets.update(ticket.id, (draft) => transition(draft, 'cancelled', 'bridge', this.deps.now()));
      // The bridge ended this conversation (its ticket closed, the requester left): the bot is behind.
      if (!escalated || escalated.session === 'ended') throw new ConversationNotFoundError(current.id);
      const winner = escalated.ticketId ? await this.deps.tickets.get(escalated.ticketId) : undefined;
      if (winner) await this.ensurePosted(winner);
      return;
    }
    this.deps.metrics.ticketsByState.inc({ state: 'queued' });
    this.logTransition(ticket, 'bot');
    await this.ensurePosted(ticket);
    await this.enterDesk(escalated, ticket, desk, queuedNotice, `queued:${ticket.id}`);
  }

  /** Relay a requester's message into the ticket thread (once per `dedupeKey`); false when there is no open ticket. */
  async requesterMessage(conversation: ConversationRecord, text: string, dedupeKey?: string): Promise<boolean> {
    const ticket = await this.openTicketOf(conversation);
    if (!ticket) {
      this.deps.logger.warn({ conversationId: conversation.id }, 'requester message for an escalated conversation without an open ticket');
      return false;
    }
    const name = conversation.requester.name ?? 'Requester';
    await this.toDesk(ticket, { kind: 'text', text, buttons: [], sender: { name }, verbatim: true }, dedupeKey);
    return true;
  }

  /** The requester ended the conversation: cancel the ticket and tell the desk. */
  async requesterEnded(conversation: ConversationRecord): Promise<void> {
    if (!conversation.ticketId) return;
    const change = await this.move(conversation.ticketId, 'cancelled', 'requester');
    if (!change) return;
    await this.afterChange(change, conversation);
    await this.toDesk(change.after, requesterLeftNote(), `left:${change.after.id}`);
  }

  /** Claim, release, resolve, back to bot, transfer, or relay an agent's reply. */
  async agentEvent(event: AgentEvent): Promise<AgentEventOutcome> {
    switch (event.kind) {
      case 'claim':
        return this.claim(event.ticketId, event.agent);
      case 'release':
        return this.release(event.ticketId, event.agent);
      case 'resolve':
        return this.close(event.ticketId, 'resolved', event.agent);
      case 'return':
        return this.close(event.ticketId, 'returned', event.agent);
      case 'transfer':
        return this.transfer(event.ticketId, event.toDeskId, event.agent);
      case 'reply':
        return this.agentReply(event.ticketThread, event.agent, event.text, event.fileUrls ?? [], event.eventId);
    }
  }

  /** A requester's CSAT click (never sent to the bot). */
  rate(conversationId: string, answer: CsatAnswer): Promise<CsatOutcome> {
    return this.closeOut.rate(conversationId, answer);
  }

  /** Set the open-ticket gauge from the store (at start-up: a restart must not zero it). */
  async restoreTicketGauge(): Promise<void> {
    this.deps.metrics.ticketsByState.reset();
    for (const entry of await this.deps.tickets.open()) this.deps.metrics.ticketsByState.inc({ state: entry.state });
  }

  /** Whether the desk is in its hours and has someone present. */
  isTeamOnline(teamId?: string): Promise<boolean> {
    return this.deps.presence.isOnline(teamId);
  }

  /** The ticket of a desk thread, if it is one (open, closed, or the old thread of a transferred one). */
  async ticketOfThread(thread: ChannelAddress): Promise<TicketRecord | undefined> {
    return this.deps.tickets.ticketOfThread(thread);
  }

  /**
   * Move a ticket to a closed state because nobody claimed it; used by the ticket timers. A ticket
   * its conversation no longer points at (an escalation that lost its race) closes without a word.
   */
  async closeUnclaimed(ticketId: string, state: 'timed_out', notice: BotMessage, deskNote: BotMessage): Promise<boolean> {
    const change = await this.move(ticketId, state, 'bridge');
    if (!change) return false;
    const conversation = await this.conversationOf(change.after);
    if (conversation) await this.deps.outbox.toRequester(conversation, [notice], `closed:${ticketId}`);
    await this.afterChange(change, conversation);
    if (conversation) await this.toDesk(change.after, deskNote, `closed-note:${ticketId}`);
    return true;
  }

  /** Queue the ticket's post unless it is out (a retry, or a crash after the ticket was stored); one per desk it is queued in. */
  async ensurePosted(ticket: TicketRecord): Promise<void> {
    if (ticket.thread || isClosed(ticket.state)) return;
    const moves = ticket.transfers?.length ?? 0;
    await this.deps.outbox.toTicket(ticket.id, [{ op: 'post' }], moves === 0 ? `post:${ticket.id}` : `post:${ticket.id}:${moves}`);
  }

  /** Queue the post of open tickets that should be out by now but are not (the timers call it). */
  async repostStale(ticket: TicketRecord): Promise<void> {
    if (this.deps.now() - ticket.openedAt >= repostAfterMs) await this.ensurePosted(ticket);
  }

  /** Post into a ticket's thread, in order behind its post. */
  async toDesk(ticket: Pick<TicketRecord, 'id'>, message: BotMessage, dedupeKey?: string): Promise<void> {
    await this.deps.outbox.toTicket(ticket.id, [{ op: 'message', message }], dedupeKey);
  }

  /** Post a bridge note with a mention into a ticket's thread, once per `dedupeKey`. */
  async outboxNote(ticket: Pick<TicketRecord, 'id'>, note: DeskNote, dedupeKey: string): Promise<void> {
    await this.deps.outbox.toTicket(ticket.id, [{ op: 'note', note }], dedupeKey);
  }

  /** The conversation a ticket belongs to, if it still points at that ticket. */
  async conversationOf(ticket: Pick<TicketRecord, 'id' | 'conversationId'>): Promise<ConversationRecord | undefined> {
    const conversation = await this.deps.conversations.get(ticket.conversationId);
    return conversation?.ticketId === ticket.id ? conversation : undefined;
  }

  private async openTicketOf(conversation: ConversationRecord): Promise<TicketRecord | undefined> {
    if (conversation.session !== 'escalated' || !conversation.ticketId) return undefined;
    const ticket = await this.deps.tickets.get(conversation.ticketId);
    return ticket && !isClosed(ticket.state) ? ticket : undefined;
  }

  /**
   * A ticket just queued in `desk` (escalated or transferred): assigned at once on a round-robin
   * desk with someone present, else the requester is told where they stand.
   */
  private async enterDesk(conversation: ConversationRecord, ticket: TicketRecord, desk: DeskConfig, notice: typeof queuedNotice, dedupeKey: string): Promise<void> {
    if (desk.assign === 'round-robin' && (await this.assignInTurn(ticket, desk))) return;
    await this.queue.tell(conversation, ticket, notice, dedupeKey);
    await this.queue.refresh(desk.id);
  }

  private async assignInTurn(ticket: TicketRecord, desk: DeskConfig): Promise<boolean> {
    const agent = await this.roundRobin.pick(desk);
    if (!agent) return false;
    const change = await this.deps.tickets.update(ticket.id, (current) => (current.deskId === desk.id ? transition(current, 'assigned', 'bridge', this.deps.now(), agent) : undefined));
    if (!change) return false;
    await this.claimed(change, agent);
    await this.outboxNote(ticket, assignedNote(agent), `assigned:${ticket.id}:${change.after.history.length}`);
    return true;
  }

  private async claim(ticketId: string, agent: AgentRef): Promise<AgentEventOutcome> {
    const change = await this.move(ticketId, 'assigned', agent.id, agent);
    if (!change) return this.refusal(ticketId);
    await this.claimed(change, agent);
    return { status: 'accepted' };
  }

  /** Tell the requester, count the time to claim for metrics and the wait estimate, move the queue up. */
  private async claimed(change: TicketChange, agent: AgentRef): Promise<void> {
    const ticket = change.after;
    const conversation = await this.conversationOf(ticket);
    if (conversation) await this.deps.outbox.toRequester(conversation, [joinedNotice(agent)], `joined:${ticket.id}:${ticket.history.length}`);
    if (!change.resumed) {
      const seconds = (this.deps.now() - ticket.openedAt) / 1000;
      this.deps.metrics.timeToClaim.observe({ desk: ticket.deskId }, seconds);
      await this.queue.recordClaim(ticket.deskId, seconds);
    }
    await this.afterChange(change, conversation);
    await this.queue.refresh(ticket.deskId);
  }

  /** Release: back to the front of the desk's queue; the requester is told where they stand. */
  private async release(ticketId: string, agent: AgentRef): Promise<AgentEventOutcome> {
    const current = await this.deps.tickets.get(ticketId);
    if (!current) return { status: 'ignored', reason: 'unknown ticket' };
    const front = queueOf(await this.deps.tickets.open(), current.deskId)[0];
    const now = this.deps.now();
    const rank = Math.min(front?.rank ?? front?.openedAt ?? now, now) - 1;
    const change = await this.deps.tickets.update(ticketId, (ticket) => {
      const next = ticket.state === 'assigned' ? transition(ticket, 'queued', agent.id, now) : undefined;
      return next && { ...next, queueRank: rank, toldPosition: undefined };
    });
    if (!change) return this.refusal(ticketId);
    const conversation = await this.conversationOf(change.after);
    await this.afterChange(change, conversation);
    if (conversation) await this.queue.tell(conversation, change.after, releasedNotice, `released:${ticketId}:${change.after.history.length}`);
    await this.queue.refresh(change.after.deskId);
    return { status: 'accepted' };
  }

  /** Resolve or Back to bot. */
  private async close(ticketId: string, state: 'resolved' | 'returned', agent: AgentRef): Promise<AgentEventOutcome> {
    const change = await this.move(ticketId, state, agent.id);
    if (!change) return this.refusal(ticketId);
    const conversation = await this.conversationOf(change.after);
    const notice = state === 'resolved' ? resolvedNotice(agent) : returnedNotice(agent);
    if (conversation) await this.deps.outbox.toRequester(conversation, [notice], `${state}:${ticketId}`);
    if (state === 'resolved' && !change.resumed) this.deps.metrics.timeToResolve.observe({ desk: change.after.deskId }, (this.deps.now() - change.after.openedAt) / 1000);
    await this.afterChange(change, conversation);
    if (change.before.state === 'queued') await this.queue.refresh(change.after.deskId);
    return { status: 'accepted' };
  }

  /** Transfer: same ticket, transcript and SLA clock, queued afresh in the target desk; the old post shows where it went. */
  private async transfer(ticketId: string, toDeskId: string, agent: AgentRef): Promise<AgentEventOutcome> {
    const target = this.deps.directory.all().find((desk) => desk.id === toDeskId);
    if (!target || !this.deps.deskSides.has(target.platform)) return { status: 'ignored', reason: `there is no desk "${toDeskId}" to transfer to` };
    const change = await this.deps.tickets.update(ticketId, (ticket) => transfer(ticket, toDeskId, agent.id, this.deps.now()));
    if (!change) return this.refusal(ticketId);
    const { before, after } = change;
    const moved = after.transfers!.length - 1;
    this.deps.metrics.ticketsByState.dec({ state: before.state });
    this.deps.metrics.ticketsByState.inc({ state: 'queued' });
    this.logTransition(after, agent.id);
    if (before.thread) {
      await this.deps.outbox.toTicket(ticketId, [{ op: 'update', transfer: moved }, { op: 'message', message: transferredNote(agent, toDeskId), transfer: moved }], `transferred-post:${ticketId}:${moved}`);
    }
    await this.ensurePosted(after);
    const conversation = await this.conversationOf(after);
    if (conversation) await this.enterDesk(conversation, after, target, transferredNotice, `transferred:${ticketId}:${moved}`);
    if (before.state === 'queued') await this.queue.refresh(before.deskId);
    return { status: 'accepted' };
  }

  private async agentReply(thread: ChannelAddress, agent: AgentRef, text: string, fileUrls: string[], eventId?: string): Promise<AgentEventOutcome> {
    const ticket = await this.ticketOfThread(thread);
    if (!ticket) return { status: 'ignored', reason: 'not a ticket thread' };
    const moved = transferredFrom(ticket, thread);
    if (moved) return { status: 'ignored', reason: closedThreadReason(ticket.state, moved.toDesk) };
    if (isClosed(ticket.state)) return { status: 'ignored', reason: closedThreadReason(ticket.state) };
    if (notePattern.test(text)) return { status: 'accepted' }; // an internal note stays in the desk
    if (ticket.state === 'queued') {
      const claimed = await this.claim(ticket.id, agent);
      if (claimed.status !== 'accepted') return claimed;
    } else if (ticket.assignee && ticket.assignee.id !== agent.id) {
      this.deps.logger.info({ conversationId: ticket.conversationId, ticketId: ticket.id, agentId: agent.id }, 'reply from an agent other than the assignee relayed');
    }
    const conversation = await this.conversationOf(ticket);
    if (!conversation) return { status: 'ignored', reason: 'the requester conversation is gone' };
    const links = fileUrls.length > 0 ? `\n${fileUrls.join('\n')}` : '';
    const sender = agent.avatarUrl ? { name: agent.name, avatarUrl: agent.avatarUrl } : { name: agent.name };
    // Keyed on the platform's event: a retry after a failure past this point relays nothing twice.
    await this.deps.outbox.toRequester(conversation, [{ kind: 'text', text: `${text}${links}`, buttons: [], sender }], eventId === undefined ? undefined : `agent-reply:${ticket.id}:${eventId}`, [
      this.deps.transcripts.turn(conversation.id, 'agent', text),
    ]);
    if (ticket.firstResponseAt === undefined) await this.firstResponse(ticket.id);
    return { status: 'accepted' };
  }

  /** The first reply relayed stops the SLA clock: stored once, observed once, and the post stops showing the wait. */
  private async firstResponse(ticketId: string): Promise<void> {
    const now = this.deps.now();
    const change = await this.deps.tickets.update(ticketId, (ticket) => (ticket.firstResponseAt === undefined ? { ...ticket, firstResponseAt: now } : undefined));
    if (!change) return;
    this.deps.metrics.firstResponse.observe({ desk: change.after.deskId }, (now - change.after.openedAt) / 1000);
    if (change.after.thread) await this.deps.outbox.toTicket(ticketId, [{ op: 'update' }], `first-response:${ticketId}`);
  }

  /**
   * Move a ticket by compare-and-set. Refused because the same actor already made this very move
   * (the platform's retry of an action whose follow-ups failed part-way), it hands the ticket back
   * as a `resumed` change, so the follow-ups, each deduped, are completed rather than lost.
   */
  private async move(ticketId: string, state: TicketState, actor: string, assignee?: AgentRef): Promise<TicketChange | undefined> {
    const change = await this.deps.tickets.update(ticketId, (ticket) => transition(ticket, state, actor, this.deps.now(), assignee));
    if (change) return change;
    const ticket = await this.deps.tickets.get(ticketId);
    const last = ticket?.history.at(-1);
    if (!ticket || ticket.state !== state || last?.state !== state || last.actor !== actor) return undefined;
    return { before: ticket, after: ticket, resumed: true };
  }

  private async refusal(ticketId: string): Promise<AgentEventOutcome> {
    const ticket = await this.deps.tickets.get(ticketId);
    if (!ticket) return { status: 'ignored', reason: 'unknown ticket' };
    if (ticket.state === 'assigned' && ticket.assignee) return { status: 'ignored', reason: `already claimed by ${ticket.assignee.name}` };
    return { status: 'ignored', reason: `this ticket is ${ticket.state.replace('_', ' ')}` };
  }

  /** Count the move, re-render the ticket post, and close out a ticket that closed. */
  private async afterChange(change: TicketChange, conversation: ConversationRecord | undefined): Promise<void> {
    const { before, after } = change;
    if (!change.resumed) {
      this.deps.metrics.ticketsByState.dec({ state: before.state });
      if (!isClosed(after.state)) this.deps.metrics.ticketsByState.inc({ state: after.state });
      this.logTransition(after, after.history.at(-1)?.actor ?? 'bridge');
    }
    if (isClosed(after.state)) await this.closeOut.closed(after, conversation);
    if (after.thread) await this.deps.outbox.toTicket(after.id, [{ op: 'update' }]);
  }

  private logTransition(ticket: TicketRecord, actor: string): void {
    markSpan('handoff.transition', { 'bridge.ticket_state': ticket.state, 'bridge.desk': ticket.deskId });
    this.deps.logger.info({ conversationId: ticket.conversationId, ticketId: ticket.id, state: ticket.state, actor, deskId: ticket.deskId }, 'ticket transition');
  }
}
