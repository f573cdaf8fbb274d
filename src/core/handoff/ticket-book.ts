/**
 * Tickets in the store: each ticket a compare-and-set record, plus one small index of open
 * tickets (for queue positions, reminders and time-outs), plus which desk thread is whose ticket.
 * Updates re-read and re-apply on a lost race, so two agents clicking Claim at once give exactly
 * one owner.
 */
import type { TicketState } from '../channel-adapter.js';
import { BridgeError } from '../errors.js';
import type { Store } from '../../store/store.js';
import type { ChannelAddress } from '../visitor-event.js';
import type { Logger } from '../logger.js';
import { isClosed, rankOf, type TicketRecord } from './ticket.js';

/** One open ticket in the index. */
export interface OpenTicketEntry {
  id: string;
  deskId: string;
  state: TicketState;
  openedAt: number;
  /** Order in the desk's queue (see `TicketRecord.queueRank`); absent in entries of older versions. */
  rank?: number;
  /** The agent it is assigned to, for round-robin's open-ticket counts. */
  assigneeId?: string;
}

/** Open tickets kept in the index; past this, escalations are refused rather than lost. */
export const maxOpenTickets = 5000;
const maxCasRounds = 20;
const openIndexKey = 'tickets:open';
const recentKey = 'tickets:recent';
/** Tickets the operator's `tickets list` can show, open or closed. */
export const maxRecentTickets = 1000;

/** A successful update: the ticket before and after. */
export interface TicketChange {
  before: TicketRecord;
  after: TicketRecord;
  /**
   * True when nothing changed now: the same actor had already made this move, and its follow-ups
   * run again (each deduped) because a failure may have cut them short the first time.
   */
  resumed?: boolean;
}

/** Ticket reads and atomic updates. */
export class TicketBook {
  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  /**
   * List a new ticket as open, then store it. The index goes first, so a full index refuses the
   * escalation before anything exists; an index entry whose ticket never got stored is pruned.
   */
  async create(ticket: TicketRecord): Promise<void> {
    await this.updateIndex((entries) => {
      if (entries.length >= maxOpenTickets) throw new BridgeError('store_failed', `Too many open tickets (${maxOpenTickets}); resolve some first`);
      return [...entries, indexEntry(ticket)];
    });
    if ((await this.store.compareAndSet(ticketKey(ticket.id), 0, ticket)) === undefined) {
      throw new BridgeError('store_failed', `Ticket ${ticket.id} already exists`);
    }
    await this.store.appendToList(recentKey, ticket.id, maxRecentTickets);
  }

  /** The most recently opened tickets (open or closed), newest first, for operators. */
  async recent(): Promise<TicketRecord[]> {
    const ids = (await this.store.readList(recentKey)).reverse();
    const tickets = await Promise.all(ids.map((id) => this.get(id)));
    return tickets.filter((ticket): ticket is TicketRecord => ticket !== undefined);
  }

  /** Remember which ticket a desk thread belongs to (agents' replies there are relayed). */
  async bindThread(ticketId: string, thread: ChannelAddress): Promise<void> {
    const key = threadKey(thread);
    for (let round = 0; round < maxCasRounds; round++) {
      const current = await this.store.getRecord<string>(key);
      if (current?.value === ticketId) return;
      if ((await this.store.compareAndSet(key, current?.version ?? 0, ticketId)) !== undefined) return;
    }
    throw new BridgeError('store_failed', `Thread of ticket ${ticketId} kept changing under concurrent updates`);
  }

  /** The ticket whose post's thread this is, if any. */
  async ticketOfThread(thread: ChannelAddress): Promise<TicketRecord | undefined> {
    const id = (await this.store.getRecord<string>(threadKey(thread)))?.value;
    return id === undefined ? undefined : this.get(id);
  }

  /** The ticket with this id. */
  async get(id: string): Promise<TicketRecord | undefined> {
    return (await this.store.getRecord<TicketRecord>(ticketKey(id)))?.value;
  }

  /**
   * Apply `change` atomically. `change` returns the new ticket, or undefined to refuse (then
   * this returns undefined and nothing is written). The index follows the new state.
   */
  async update(id: string, change: (ticket: TicketRecord) => TicketRecord | undefined): Promise<TicketChange | undefined> {
    for (let round = 0; round < maxCasRounds; round++) {
      const current = await this.store.getRecord<TicketRecord>(ticketKey(id));
      if (!current) return undefined;
      const next = change(current.value);
      if (!next) return undefined;
      if ((await this.store.compareAndSet(ticketKey(id), current.version, next)) !== undefined) {
        if (indexEntryChanged(current.value, next)) {
          // The transition stands even if the index lags: `open()` prunes entries of closed tickets.
          await this.reindex(next).catch((error: unknown) => this.logger.warn({ err: error, ticketId: id }, 'open-ticket index not updated'));
        }
        return { before: current.value, after: next };
      }
    }
    throw new BridgeError('store_failed', `Ticket ${id} kept changing under concurrent updates`);
  }

  /** Open tickets, oldest first; index entries of tickets that closed meanwhile are dropped. */
  async open(): Promise<OpenTicketEntry[]> {
    const entries = (await this.store.getRecord<OpenTicketEntry[]>(openIndexKey))?.value ?? [];
    const tickets = await Promise.all(entries.map((entry) => this.get(entry.id)));
    const stale = new Set(entries.filter((_entry, index) => !tickets[index] || isClosed(tickets[index].state)).map((entry) => entry.id));
    if (stale.size === 0) return entries;
    await this.updateIndex((current) => current.filter((entry) => !stale.has(entry.id)));
    return entries.filter((entry) => !stale.has(entry.id));
  }

  private reindex(ticket: TicketRecord): Promise<void> {
    return this.updateIndex((entries) =>
      isClosed(ticket.state)
        ? entries.filter((entry) => entry.id !== ticket.id)
        : entries.map((entry) => (entry.id === ticket.id ? indexEntry(ticket) : entry)),
    );
  }

  private async updateIndex(change: (entries: OpenTicketEntry[]) => OpenTicketEntry[]): Promise<void> {
    for (let round = 0; round < maxCasRounds; round++) {
      const current = await this.store.getRecord<OpenTicketEntry[]>(openIndexKey);
      const next = change(current?.value ?? []);
      if ((await this.store.compareAndSet(openIndexKey, current?.version ?? 0, next)) !== undefined) return;
    }
    throw new BridgeError('store_failed', 'The open-ticket index kept changing under concurrent updates');
  }
}

function indexEntry(ticket: TicketRecord): OpenTicketEntry {
  const entry: OpenTicketEntry = { id: ticket.id, deskId: ticket.deskId, state: ticket.state, openedAt: ticket.openedAt, rank: rankOf(ticket) };
  if (ticket.assignee) entry.assigneeId = ticket.assignee.id;
  return entry;
}

/** Whether the index must follow a change: what queue positions and round-robin read. */
function indexEntryChanged(before: TicketRecord, after: TicketRecord): boolean {
  return before.state !== after.state || before.deskId !== after.deskId || rankOf(before) !== rankOf(after) || before.assignee?.id !== after.assignee?.id;
}

/** The queued tickets of a desk in queue order: front first. */
export function queueOf(entries: readonly OpenTicketEntry[], deskId: string): OpenTicketEntry[] {
  return entries
    .filter((entry) => entry.deskId === deskId && entry.state === 'queued')
    // A stable sort: tickets queued in the same millisecond keep the order they were listed in.
    .sort((a, b) => (a.rank ?? a.openedAt) - (b.rank ?? b.openedAt));
}

function ticketKey(id: string): string {
  return `ticket:${id}`;
}

/** The channel is JSON-quoted so a ':' in it cannot make two threads share a key. */
function threadKey(thread: ChannelAddress): string {
  return `ticket-thread:${JSON.stringify([thread.channel, thread.key])}`;
}
