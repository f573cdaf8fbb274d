/**
 * Tickets in the store: each ticket a compare-and-set record, plus one small index of open
 * tickets (for queue positions, reminders and time-outs). Updates re-read and re-apply on a
 * lost race, so two agents clicking Claim at once give exactly one owner.
 */
import type { TicketState } from '../channel-adapter.js';
import { BridgeError } from '../errors.js';
import type { Store } from '../../store/store.js';
import type { Logger } from '../logger.js';
import { isClosed, type TicketRecord } from './ticket.js';

/** One open ticket in the index. */
export interface OpenTicketEntry {
  id: string;
  deskId: string;
  state: TicketState;
  openedAt: number;
}

/** Open tickets kept in the index; past this, escalations are refused rather than lost. */
export const maxOpenTickets = 5000;
const maxCasRounds = 20;
/** An escalation posts to a platform (10 s timeout at most), so its lock outlives that. */
const escalationLockTtlMs = 30_000;
const escalationLockWaitMs = 15_000;
const openIndexKey = 'tickets:open';

/** A successful update: the ticket before and after. */
export interface TicketChange {
  before: TicketRecord;
  after: TicketRecord;
}

/** Ticket reads and atomic updates. */
export class TicketBook {
  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  /**
   * Run `work` while holding the conversation's escalation lock in the store, so replicas never
   * open two tickets for one conversation. Waits (polling) while another replica holds it.
   */
  async whileEscalating<T>(conversationId: string, owner: string, work: () => Promise<T>): Promise<T> {
    const key = `lock:escalate:${conversationId}`;
    const deadline = Date.now() + escalationLockWaitMs;
    while (!(await this.store.claim(key, owner, escalationLockTtlMs))) {
      if (Date.now() > deadline) throw new BridgeError('store_failed', `Another escalation of conversation ${conversationId} is still running`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    try {
      return await work();
    } finally {
      await this.store.release(key, owner);
    }
  }

  /** Store a new ticket and list it as open. */
  async create(ticket: TicketRecord): Promise<void> {
    if ((await this.store.compareAndSet(ticketKey(ticket.id), 0, ticket)) === undefined) {
      throw new BridgeError('store_failed', `Ticket ${ticket.id} already exists`);
    }
    await this.updateIndex((entries) => {
      if (entries.length >= maxOpenTickets) throw new BridgeError('store_failed', `Too many open tickets (${maxOpenTickets}); resolve some first`);
      return [...entries, { id: ticket.id, deskId: ticket.deskId, state: ticket.state, openedAt: ticket.openedAt }];
    });
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
        if (next.state !== current.value.state) {
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
        : entries.map((entry) => (entry.id === ticket.id ? { ...entry, state: ticket.state } : entry)),
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

function ticketKey(id: string): string {
  return `ticket:${id}`;
}
