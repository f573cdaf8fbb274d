/**
 * The hand-off: tickets in desk channels, the relay between requester and agent, and the ticket
 * life cycle (queued → assigned → resolved, or cancelled / failed / timed_out). Exactly one
 * owner per ticket: every transition is a compare-and-set in the store. Everything a transition
 * sends (notices, the ticket post and its updates, the bot's endSession) goes through the outbox,
 * so it is durable, ordered per ticket and per conversation, and retried.
 */
import type { AgentEvent, AgentEventOutcome, AgentRef, DeskSide, TicketState } from '../channel-adapter.js';
import type { BotMessage } from '../bot-message.js';
import type { ConversationRegistry } from '../conversations.js';
import { DeskNotFoundError } from '../errors.js';
import { withLogContext, type Logger } from '../logger.js';
import { markSpan } from '../tracing.js';
import type { Metrics } from '../metrics.js';
import type { Outbox } from '../outbox/outbox.js';
import { widgetChannel } from '../outbox/outbox.js';
import type { Transcripts } from '../transcripts.js';
import type { ChannelAddress } from '../visitor-event.js';
import type { ConversationRecord } from '../../store/store.js';
import type { DeskDirectory } from './desk-directory.js';
import type { Handoff } from './handoff.js';
import { joinedNotice, queuedNotice, requesterLeftNote, resolvedNotice } from './notices.js';
import type { PresenceService } from './presence.js';
import type { TicketBook, TicketChange } from './ticket-book.js';
import { isClosed, transition, type TicketRecord } from './ticket.js';
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

  constructor(private readonly deps: HandoffDeps) {
    this.widget = new WidgetHandoff(this, deps.conversations, deps.transcripts, deps.logger);
  }

  /**
   * Open a ticket for the conversation and queue its post and the requester's notice. Idempotent:
   * a retried or concurrent escalate yields the one ticket. The conversation's compare-and-set is
   * the commit point: a ticket that loses it was never posted and is closed quietly.
   */
  async escalate(conversation: ConversationRecord, escalateTo?: string): Promise<void> {
    const current = (await this.deps.conversations.get(conversation.id)) ?? conversation;
    const open = await this.openTicketOf(current);
    if (open) {
      // The bot asked again (its first try may have failed part-way): finish what is missing, once.
      await this.ensurePosted(open);
      if (open.state === 'queued') await this.announceQueued(current, open);
      return;
    }
    const desk = this.deps.directory.resolve(escalateTo);
    if (!this.deps.deskSides.has(desk.platform)) throw new DeskNotFoundError(`Desk "${desk.id}" is on ${desk.platform}, but the ${desk.platform} adapter is not enabled`);
    const now = this.deps.now();
    const ticket: TicketRecord = { id: this.deps.newId(), conversationId: current.id, deskId: desk.id, state: 'queued', openedAt: now, history: [{ state: 'queued', at: now, actor: 'bot' }] };
    await this.deps.tickets.create(ticket);
    let won = false;
    const escalated = await this.deps.conversations.update(current.id, (record) => {
      won = false;
      if (record.session === 'escalated' && record.ticketId) return undefined; // a concurrent escalate won
      won = true;
      return { ...record, session: 'escalated', ticketId: ticket.id };
    });
    if (!won || !escalated) {
      await this.deps.tickets.update(ticket.id, (draft) => transition(draft, 'cancelled', 'bridge', this.deps.now()));
      const winner = escalated?.ticketId ? await this.deps.tickets.get(escalated.ticketId) : undefined;
      if (winner) await this.ensurePosted(winner);
      return;
    }
    this.deps.metrics.ticketsByState.inc({ state: 'queued' });
    this.logTransition(ticket, 'bot');
    await this.ensurePosted(ticket);
    await this.announceQueued(escalated, ticket);
  }

  /** Tell the requester they are queued, and where; once per ticket. */
  private async announceQueued(conversation: ConversationRecord, ticket: TicketRecord): Promise<void> {
    const position = (await this.deps.tickets.open()).filter((entry) => entry.deskId === ticket.deskId && entry.state === 'queued').length;
    await this.deps.outbox.toRequester(conversation, [queuedNotice(position)], `queued:${ticket.id}`);
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

  /** Claim, resolve, or relay an agent's reply. */
  async agentEvent(event: AgentEvent): Promise<AgentEventOutcome> {
    switch (event.kind) {
      case 'claim':
        return this.claim(event.ticketId, event.agent);
      case 'resolve':
        return this.resolve(event.ticketId, event.agent);
      case 'reply':
        return this.agentReply(event.ticketThread, event.agent, event.text, event.fileUrls ?? []);
    }
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

  /** The open ticket of a desk thread, if it is one (adapters listen there without a mention). */
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

  /** Queue the ticket's post unless it is out (a retry, or a crash after the ticket was stored). */
  async ensurePosted(ticket: TicketRecord): Promise<void> {
    if (ticket.thread || isClosed(ticket.state)) return;
    await this.deps.outbox.toTicket(ticket.id, [{ op: 'post' }], `post:${ticket.id}`);
  }

  /** Queue the post of open tickets that should be out by now but are not (the timers call it). */
  async repostStale(ticket: TicketRecord): Promise<void> {
    if (this.deps.now() - ticket.openedAt >= repostAfterMs) await this.ensurePosted(ticket);
  }

  /** Post into a ticket's thread, in order behind its post. */
  async toDesk(ticket: Pick<TicketRecord, 'id'>, message: BotMessage, dedupeKey?: string): Promise<void> {
    await this.deps.outbox.toTicket(ticket.id, [{ op: 'message', message }], dedupeKey);
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

  private async claim(ticketId: string, agent: AgentRef): Promise<AgentEventOutcome> {
    const change = await this.move(ticketId, 'assigned', agent.id, agent);
    if (!change) return this.refusal(ticketId);
    const conversation = await this.conversationOf(change.after);
    if (conversation) await this.deps.outbox.toRequester(conversation, [joinedNotice(agent)], `joined:${ticketId}`);
    this.deps.metrics.timeToClaim.observe({ desk: change.after.deskId }, (this.deps.now() - change.after.openedAt) / 1000);
    await this.afterChange(change, conversation);
    return { status: 'accepted' };
  }

  private async resolve(ticketId: string, agent: AgentRef): Promise<AgentEventOutcome> {
    const change = await this.move(ticketId, 'resolved', agent.id);
    if (!change) return this.refusal(ticketId);
    const conversation = await this.conversationOf(change.after);
    if (conversation) await this.deps.outbox.toRequester(conversation, [resolvedNotice(agent)], `resolved:${ticketId}`);
    this.deps.metrics.timeToResolve.observe({ desk: change.after.deskId }, (this.deps.now() - change.after.openedAt) / 1000);
    await this.afterChange(change, conversation);
    return { status: 'accepted' };
  }

  private async agentReply(thread: ChannelAddress, agent: AgentRef, text: string, fileUrls: string[]): Promise<AgentEventOutcome> {
    const ticket = await this.ticketOfThread(thread);
    if (!ticket) return { status: 'ignored', reason: 'not a ticket thread' };
    if (isClosed(ticket.state)) return { status: 'ignored', reason: `this ticket is ${ticket.state.replace('_', ' ')}` };
    if (notePattern.test(text)) return { status: 'accepted' }; // an internal note stays in the desk
    if (ticket.state === 'queued') {
      const claimed = await this.claim(ticket.id, agent);
      if (claimed.status !== 'accepted') return claimed;
    } else if (ticket.assignee && ticket.assignee.id !== agent.id) {
      this.deps.logger.info({ ticketId: ticket.id, agentId: agent.id }, 'reply from an agent other than the assignee relayed');
    }
    const conversation = await this.conversationOf(ticket);
    if (!conversation) return { status: 'ignored', reason: 'the requester conversation is gone' };
    const links = fileUrls.length > 0 ? `\n${fileUrls.join('\n')}` : '';
    const sender = agent.avatarUrl ? { name: agent.name, avatarUrl: agent.avatarUrl } : { name: agent.name };
    await this.deps.outbox.toRequester(conversation, [{ kind: 'text', text: `${text}${links}`, buttons: [], sender }]);
    await this.deps.transcripts.add(conversation.id, 'agent', text);
    return { status: 'accepted' };
  }

  private move(ticketId: string, state: TicketState, actor: string, assignee?: AgentRef): Promise<TicketChange | undefined> {
    return this.deps.tickets.update(ticketId, (ticket) => transition(ticket, state, actor, this.deps.now(), assignee));
  }

  private async refusal(ticketId: string): Promise<AgentEventOutcome> {
    const ticket = await this.deps.tickets.get(ticketId);
    if (!ticket) return { status: 'ignored', reason: 'unknown ticket' };
    if (ticket.state === 'assigned' && ticket.assignee) return { status: 'ignored', reason: `already claimed by ${ticket.assignee.name}` };
    return { status: 'ignored', reason: `this ticket is ${ticket.state.replace('_', ' ')}` };
  }

  /** Count the move, re-render the ticket post, and end the bot session when the ticket closed. */
  private async afterChange(change: TicketChange, conversation: ConversationRecord | undefined): Promise<void> {
    const { before, after } = change;
    this.deps.metrics.ticketsByState.dec({ state: before.state });
    if (!isClosed(after.state)) this.deps.metrics.ticketsByState.inc({ state: after.state });
    this.logTransition(after, after.history.at(-1)?.actor ?? 'bridge');
    // Sessions first: the requester must never stay escalated behind a closed ticket.
    if (isClosed(after.state) && conversation) {
      const ended = await this.deps.conversations.update(conversation.id, (record) => (record.ticketId === after.id && record.session !== 'ended' ? { ...record, session: 'ended' } : undefined));
      if (ended && conversation.address.channel !== widgetChannel && after.state !== 'cancelled') {
        await this.deps.outbox.endBotSession(ended, `end:${after.id}`);
      }
    }
    if (after.thread) await this.deps.outbox.toTicket(after.id, [{ op: 'update' }]);
  }

  private logTransition(ticket: TicketRecord, actor: string): void {
    markSpan('handoff.transition', { 'bridge.ticket_state': ticket.state, 'bridge.desk': ticket.deskId });
    withLogContext({ conversationId: ticket.conversationId, ticketId: ticket.id }, () =>
      this.deps.logger.info({ state: ticket.state, actor, deskId: ticket.deskId }, 'ticket transition'),
    );
  }
}
