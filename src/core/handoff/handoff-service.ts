/**
 * The hand-off: tickets in desk channels, the relay between requester and agent, and the ticket
 * life cycle (queued → assigned → resolved, or cancelled / failed / timed_out). Exactly one
 * owner per ticket: every transition is a compare-and-set in the store.
 */
import type { AgentEvent, AgentEventOutcome, AgentRef, ChannelAdapter, DeskSide, TicketState, TicketView } from '../channel-adapter.js';
import type { BotMessage } from '../bot-message.js';
import type { ConversationRegistry } from '../conversations.js';
import { DeskNotFoundError } from '../errors.js';
import { KeyedSerializer } from '../keyed-serializer.js';
import { withLogContext, type Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Transcripts } from '../transcripts.js';
import type { ChannelAddress } from '../visitor-event.js';
import type { ConversationRecord } from '../../store/store.js';
import type { DeskDirectory } from './desk-directory.js';
import type { Handoff } from './handoff.js';
import { joinedNotice, queuedNotice, requesterLeftNote, resolvedNotice } from './notices.js';
import { deskTarget, type PresenceService } from './presence.js';
import type { TicketBook, TicketChange } from './ticket-book.js';
import { isClosed, transition, type TicketRecord } from './ticket.js';
import { WidgetHandoff } from './widget-handoff.js';

/** The prefix of a desk conversation's channel: desk messages queue like any other conversation's. */
export const deskChannelPrefix = 'desk:';
const notePattern = /^\s*note:/i;

/** What the hand-off is built from. */
export interface HandoffDeps {
  directory: DeskDirectory;
  tickets: TicketBook;
  presence: PresenceService;
  conversations: ConversationRegistry;
  transcripts: Transcripts;
  adapters: ReadonlyMap<string, ChannelAdapter>;
  /** Queue messages to a conversation (requester or desk thread), in order and durably. */
  queue: (conversation: ConversationRecord, messages: BotMessage[]) => Promise<void>;
  /** Tell the bot the conversation is over (the requester's next message starts afresh). */
  endBotSession: (conversation: ConversationRecord) => Promise<void>;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
  newId: () => string;
}

/** The hand-off service. */
export class HandoffService implements Handoff {
  readonly widget: WidgetHandoff;
  private readonly escalations = new KeyedSerializer();

  constructor(private readonly deps: HandoffDeps) {
    this.widget = new WidgetHandoff(this, deps.conversations, deps.transcripts, deps.logger);
  }

  /**
   * Open a ticket in the desk channel and tell the requester they are queued. Escalations of one
   * conversation run one at a time, in this process and across replicas (a bot retrying a slow
   * escalate must not open two tickets).
   */
  escalate(conversation: ConversationRecord, escalateTo?: string): Promise<void> {
    return this.escalations.run(conversation.id, () =>
      this.deps.tickets.whileEscalating(conversation.id, this.deps.newId(), async () => {
        const current = (await this.deps.conversations.get(conversation.id)) ?? conversation;
        await this.openTicket(current, escalateTo);
      }),
    );
  }

  private async openTicket(conversation: ConversationRecord, escalateTo?: string): Promise<void> {
    if (conversation.session === 'escalated' && conversation.ticketId) {
      const current = await this.deps.tickets.get(conversation.ticketId);
      if (current && !isClosed(current.state)) return; // the bot asked twice: one ticket is enough
    }
    const desk = this.deps.directory.resolve(escalateTo);
    const side = this.deskSide(desk.platform);
    if (!side) throw new DeskNotFoundError(`Desk "${desk.id}" is on ${desk.platform}, but the ${desk.platform} adapter is not enabled`);
    const now = this.deps.now();
    const ticketId = this.deps.newId();
    const draft = { id: ticketId, conversationId: conversation.id, deskId: desk.id, state: 'queued' as const, openedAt: now, history: [{ state: 'queued' as const, at: now, actor: 'bot' }] };
    const thread = await side.postTicket(deskTarget(desk), await this.view(draft, conversation));
    const ticket: TicketRecord = { ...draft, thread };
    await this.deps.tickets.create(ticket);
    await this.deps.conversations.adopt(deskConversationId(ticketId), deskAddress(thread), 'active');
    const escalated = await this.deps.conversations.setSession(conversation.id, 'escalated', ticketId);
    this.deps.metrics.ticketsByState.inc({ state: 'queued' });
    this.logTransition(ticket, 'bot');
    const position = (await this.deps.tickets.open()).filter((entry) => entry.deskId === desk.id && entry.state === 'queued').length;
    await this.deps.queue(escalated ?? conversation, [queuedNotice(position)]);
  }

  /** Relay a requester's message into the ticket thread; false when the conversation has no open ticket. */
  async requesterMessage(conversation: ConversationRecord, text: string): Promise<boolean> {
    const ticket = conversation.ticketId ? await this.deps.tickets.get(conversation.ticketId) : undefined;
    if (!ticket || isClosed(ticket.state)) {
      this.deps.logger.warn({ conversationId: conversation.id }, 'requester message for an escalated conversation without an open ticket');
      return false;
    }
    const name = conversation.requester.name ?? 'Requester';
    await this.toDesk(ticket, { kind: 'text', text, buttons: [], sender: { name } });
    return true;
  }

  /** The requester ended the conversation: cancel the ticket and tell the desk. */
  async requesterEnded(conversation: ConversationRecord): Promise<void> {
    if (!conversation.ticketId) return;
    const change = await this.move(conversation.ticketId, 'cancelled', 'requester');
    if (!change) return;
    await this.afterChange(change, conversation);
    await this.toDesk(change.after, requesterLeftNote());
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

  /** The ticket of a desk thread, if it is one (adapters listen there without a mention). */
  async ticketOfThread(thread: ChannelAddress): Promise<TicketRecord | undefined> {
    const desk = await this.deps.conversations.findLive(`${deskChannelPrefix}${thread.channel}`, thread.key);
    return desk ? this.deps.tickets.get(ticketIdOf(desk.id)) : undefined;
  }

  /** Move a ticket to a closed state because nobody claimed it; used by the ticket timers. */
  async closeUnclaimed(ticketId: string, state: 'timed_out', notice: BotMessage, deskNote: BotMessage): Promise<boolean> {
    const change = await this.move(ticketId, state, 'bridge');
    if (!change) return false;
    const conversation = await this.deps.conversations.get(change.after.conversationId);
    if (conversation) await this.deps.queue(conversation, [notice]);
    await this.afterChange(change, conversation);
    await this.toDesk(change.after, deskNote);
    return true;
  }

  /** Post into a ticket's thread, through the ordered outbox of its desk conversation. */
  async toDesk(ticket: TicketRecord, message: BotMessage): Promise<void> {
    const desk = await this.deps.conversations.get(deskConversationId(ticket.id));
    if (desk) await this.deps.queue(desk, [message]);
  }

  private async claim(ticketId: string, agent: AgentRef): Promise<AgentEventOutcome> {
    const change = await this.move(ticketId, 'assigned', agent.id, agent);
    if (!change) return this.refusal(ticketId);
    const conversation = await this.deps.conversations.get(change.after.conversationId);
    if (conversation) await this.deps.queue(conversation, [joinedNotice(agent)]);
    this.deps.metrics.timeToClaim.observe((this.deps.now() - change.after.openedAt) / 1000);
    await this.afterChange(change, conversation);
    return { status: 'accepted' };
  }

  private async resolve(ticketId: string, agent: AgentRef): Promise<AgentEventOutcome> {
    const change = await this.move(ticketId, 'resolved', agent.id);
    if (!change) return this.refusal(ticketId);
    const conversation = await this.deps.conversations.get(change.after.conversationId);
    if (conversation) await this.deps.queue(conversation, [resolvedNotice(agent)]);
    this.deps.metrics.timeToResolve.observe((this.deps.now() - change.after.openedAt) / 1000);
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
    const conversation = await this.deps.conversations.get(ticket.conversationId);
    if (!conversation) return { status: 'ignored', reason: 'the requester conversation is gone' };
    const links = fileUrls.length > 0 ? `\n${fileUrls.join('\n')}` : '';
    const sender = agent.avatarUrl ? { name: agent.name, avatarUrl: agent.avatarUrl } : { name: agent.name };
    await this.deps.queue(conversation, [{ kind: 'text', text: `${text}${links}`, buttons: [], sender }]);
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

  /** Re-render the ticket post, count the move, and end the bot session when the ticket closed. */
  private async afterChange(change: TicketChange, conversation: ConversationRecord | undefined): Promise<void> {
    const { before, after } = change;
    this.deps.metrics.ticketsByState.dec({ state: before.state });
    if (!isClosed(after.state)) this.deps.metrics.ticketsByState.inc({ state: after.state });
    this.logTransition(after, after.history.at(-1)?.actor ?? 'bridge');
    // Sessions first: the requester must never stay escalated behind a closed ticket.
    if (isClosed(after.state) && conversation) {
      await this.deps.conversations.setSession(conversation.id, 'ended');
      await this.deps.conversations.setSession(deskConversationId(after.id), 'ended');
      if (conversation.address.channel !== 'widget' && after.state !== 'cancelled') await this.deps.endBotSession(conversation);
    }
    const side = this.deskSide(after.thread.channel);
    if (!side || !conversation) return;
    try {
      await side.updateTicket(after.thread, await this.view(after, conversation));
    } catch (error) {
      // The transition stands; a ticket post that shows an older state is cosmetic, and logged.
      withLogContext({ conversationId: after.conversationId, ticketId: after.id }, () =>
        this.deps.logger.warn({ err: error, state: after.state }, 'could not update the ticket post'),
      );
    }
  }

  private async view(ticket: Pick<TicketRecord, 'id' | 'deskId' | 'state' | 'assignee' | 'openedAt'>, conversation: ConversationRecord): Promise<TicketView> {
    const desk = this.deps.directory.find(ticket.deskId);
    const requesterSide = this.deps.adapters.get(conversation.address.channel)?.desk;
    const requesterLink = await requesterSide?.linkTo?.(conversation.address).catch(() => undefined);
    return {
      ticketId: ticket.id,
      conversationId: conversation.id,
      deskId: ticket.deskId,
      state: ticket.state,
      requester: conversation.requester,
      requesterChannel: conversation.address.channel,
      requesterLink,
      transcript: await this.deps.transcripts.last(conversation.id, desk?.transcriptTurns ?? 20),
      assignee: ticket.assignee,
      openedAt: ticket.openedAt,
    };
  }

  private deskSide(platform: string): DeskSide | undefined {
    return this.deps.adapters.get(platform)?.desk;
  }

  private logTransition(ticket: TicketRecord, actor: string): void {
    withLogContext({ conversationId: ticket.conversationId, ticketId: ticket.id }, () =>
      this.deps.logger.info({ state: ticket.state, actor, deskId: ticket.deskId }, 'ticket transition'),
    );
  }
}

/** The id of a ticket's desk conversation (its thread's outbox). */
export function deskConversationId(ticketId: string): string {
  return `desk-${ticketId}`;
}

function ticketIdOf(deskConversation: string): string {
  return deskConversation.slice('desk-'.length);
}

function deskAddress(thread: ChannelAddress): ChannelAddress {
  return { ...thread, channel: `${deskChannelPrefix}${thread.channel}` };
}
