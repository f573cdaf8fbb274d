/**
 * A ticket's data and its state machine. Pure: transitions take the time and the actor, and
 * refuse moves the machine does not allow (e.g. claiming a resolved ticket).
 */
import type { AgentRef, TicketState } from '../channel-adapter.js';
import type { ChannelAddress } from '../visitor-event.js';

/** One stored state change. */
export interface TicketTransition {
  state: TicketState;
  at: number;
  /** Who moved it: an agent id, `requester`, `bot` or `bridge`. */
  actor: string;
}

/** A ticket as stored (compare-and-set by version). */
export interface TicketRecord {
  id: string;
  conversationId: string;
  deskId: string;
  /** The desk platform's thread of the ticket post, once it is posted. */
  thread?: ChannelAddress;
  state: TicketState;
  assignee?: AgentRef;
  openedAt: number;
  remindedAt?: number;
  history: TicketTransition[];
}

const allowed: Record<TicketState, TicketState[]> = {
  queued: ['assigned', 'resolved', 'cancelled', 'timed_out', 'failed'],
  assigned: ['resolved', 'cancelled', 'failed'],
  resolved: [],
  failed: [],
  timed_out: [],
  cancelled: [],
};

/** True for states a ticket never leaves. */
export function isClosed(state: TicketState): boolean {
  return allowed[state].length === 0;
}

/** The ticket after moving to `state`, or undefined when the move is not allowed. */
export function transition(ticket: TicketRecord, state: TicketState, actor: string, at: number, assignee?: AgentRef): TicketRecord | undefined {
  if (!allowed[ticket.state].includes(state)) return undefined;
  return {
    ...ticket,
    state,
    assignee: assignee ?? ticket.assignee,
    history: [...ticket.history, { state, at, actor }],
  };
}
