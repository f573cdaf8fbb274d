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
  /** Set when the move was a transfer: the desk the ticket went to. */
  toDesk?: string;
}

/** A desk a ticket left by Transfer: its old post's thread now behaves as closed. */
export interface TicketTransfer {
  fromDesk: string;
  toDesk: string;
  /** The old post's thread (none when it was never posted). */
  thread?: ChannelAddress;
  at: number;
}

/** The requester's rating after a resolve. */
export interface TicketCsat {
  score: number;
  at: number;
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
  /**
   * Order in the desk's queue: smaller waits less. The time it was queued; a released ticket gets
   * one less than the desk's front, so it goes back to the front. Undefined means `openedAt`.
   */
  queueRank?: number;
  /** The queue position last told to the requester, and how many such notices went out. */
  toldPosition?: number;
  queueNotices?: number;
  /** The first agent reply relayed to the requester (stops the SLA clock). */
  firstResponseAt?: number;
  /** When the first-response SLA breach was posted (once per ticket). */
  slaBreachedAt?: number;
  /** When it reached a closed state. */
  closedAt?: number;
  /** Desks it left by Transfer, oldest first. */
  transfers?: TicketTransfer[];
  csat?: TicketCsat;
  history: TicketTransition[];
}

const allowed: Record<TicketState, TicketState[]> = {
  queued: ['assigned', 'resolved', 'returned', 'cancelled', 'timed_out', 'failed'],
  // Back to `queued` is Release (or a Transfer, which queues the ticket afresh in another desk).
  assigned: ['queued', 'resolved', 'returned', 'cancelled', 'failed'],
  resolved: [],
  returned: [],
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
  const next: TicketRecord = {
    ...ticket,
    state,
    assignee: state === 'queued' ? undefined : (assignee ?? ticket.assignee),
    history: [...ticket.history, { state, at, actor }],
  };
  if (isClosed(state)) next.closedAt = at;
  return next;
}

/** The ticket moved to another desk, queued there afresh: same id, transcript and SLA clock; no owner, no post yet. */
export function transfer(ticket: TicketRecord, toDesk: string, actor: string, at: number): TicketRecord | undefined {
  if (isClosed(ticket.state) || toDesk === ticket.deskId) return undefined;
  const moved: TicketTransfer = { fromDesk: ticket.deskId, toDesk, at, ...(ticket.thread ? { thread: ticket.thread } : {}) };
  const next: TicketRecord = {
    ...ticket,
    deskId: toDesk,
    state: 'queued',
    assignee: undefined,
    thread: undefined,
    remindedAt: undefined,
    queueRank: at,
    toldPosition: undefined,
    transfers: [...(ticket.transfers ?? []), moved],
    history: [...ticket.history, { state: 'queued', at, actor, toDesk }],
  };
  return next;
}

/** The desk a ticket thread was left for, when it is the thread of a post the ticket moved away from. */
export function transferredFrom(ticket: TicketRecord, thread: Pick<ChannelAddress, 'channel' | 'key'>): TicketTransfer | undefined {
  return ticket.transfers?.find((moved) => moved.thread?.channel === thread.channel && moved.thread.key === thread.key);
}

/** Its place in the queue order (see `queueRank`). */
export function rankOf(ticket: Pick<TicketRecord, 'queueRank' | 'openedAt'>): number {
  return ticket.queueRank ?? ticket.openedAt;
}
