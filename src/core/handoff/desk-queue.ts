/**
 * A desk's queue as requesters see it: their position (queued tickets of the desk in queue
 * order), the expected wait (the median time to claim of the desk's last 20 tickets; with none
 * yet, `remindAfterMinutes`), and when the desk opens when it is out of its hours. Told on
 * queueing and again whenever the position changes; each notice is claimed on the ticket by
 * compare-and-set and queued with a dedupe key, so no replica or retry tells it twice.
 */
import type { DeskConfig } from '../../config/bridge-config.js';
import type { Outbox } from '../outbox/outbox.js';
import type { TextMessage } from '../bot-message.js';
import type { ConversationRecord, Store } from '../../store/store.js';
import type { DeskDirectory } from './desk-directory.js';
import { queueUpdateNotice, type QueueStanding } from './notices.js';
import { queueOf, type TicketBook } from './ticket-book.js';
import type { TicketRecord } from './ticket.js';
import { deskTimeLabel, isWithinWorkingHours, nextOpening } from './working-hours.js';

/** Times to claim kept per desk for the wait estimate. */
export const claimTimesKept = 20;

/** What the queue needs. */
export interface DeskQueueDeps {
  tickets: TicketBook;
  directory: DeskDirectory;
  outbox: Outbox;
  store: Pick<Store, 'appendToList' | 'readList'>;
  /** The conversation a ticket belongs to, if it still points at that ticket. */
  conversationOf(ticket: TicketRecord): Promise<ConversationRecord | undefined>;
  now: () => number;
}

/** Queue positions, wait estimates and the notices about them. */
export class DeskQueue {
  constructor(private readonly deps: DeskQueueDeps) {}

  /** Remember how long a ticket of the desk waited for its claim (the wait estimate's input). */
  async recordClaim(deskId: string, seconds: number): Promise<void> {
    await this.deps.store.appendToList(claimTimesKey(deskId), String(Math.max(0, Math.round(seconds))), claimTimesKept);
  }

  /** The expected wait of the desk's queue, in whole seconds. */
  async expectedWaitSeconds(desk: DeskConfig): Promise<number> {
    const times = (await this.deps.store.readList(claimTimesKey(desk.id))).map(Number).filter((value) => Number.isFinite(value));
    return times.length === 0 ? Math.round(desk.remindAfterMinutes * 60) : Math.round(median(times.slice(-claimTimesKept)));
  }

  /** Where a queued ticket stands now. */
  async standing(ticket: TicketRecord): Promise<QueueStanding> {
    const desk = this.deps.directory.find(ticket.deskId);
    const queue = queueOf(await this.deps.tickets.open(), ticket.deskId);
    const index = queue.findIndex((entry) => entry.id === ticket.id);
    const position = index === -1 ? queue.length + 1 : index + 1;
    if (!desk) return { position, waitSeconds: 0 };
    const standing: QueueStanding = { position, waitSeconds: await this.expectedWaitSeconds(desk) };
    const now = this.deps.now();
    if (desk.hours && !isWithinWorkingHours(desk.hours, now)) {
      const opens = nextOpening(desk.hours, now);
      if (opens !== undefined) {
        standing.opensAt = deskTimeLabel(desk.hours, opens);
        // Out of hours nobody claims before the opening: the wait runs at least until then.
        standing.waitSeconds = Math.max(standing.waitSeconds, Math.round((opens - now) / 1000));
      }
    }
    return standing;
  }

  /**
   * Tell the requester where they stand with `notice` (queued, released, transferred), once per
   * `dedupeKey`, and remember the position told so later changes are noticed.
   */
  async tell(conversation: ConversationRecord, ticket: TicketRecord, notice: (standing: QueueStanding) => TextMessage, dedupeKey: string): Promise<void> {
    const standing = await this.standing(ticket);
    await this.deps.outbox.toRequester(conversation, [notice(standing)], dedupeKey);
    await this.deps.tickets.update(ticket.id, (current) => (current.state === 'queued' && current.deskId === ticket.deskId ? { ...current, toldPosition: standing.position } : undefined));
  }

  /** Tell every queued requester of the desk whose position changed since they were last told. */
  async refresh(deskId: string): Promise<void> {
    const queue = queueOf(await this.deps.tickets.open(), deskId);
    for (const [index, entry] of queue.entries()) {
      const position = index + 1;
      let notices = 0;
      const change = await this.deps.tickets.update(entry.id, (ticket) => {
        if (ticket.state !== 'queued' || ticket.deskId !== deskId || ticket.toldPosition === undefined || ticket.toldPosition === position) return undefined;
        notices = (ticket.queueNotices ?? 0) + 1;
        return { ...ticket, toldPosition: position, queueNotices: notices };
      });
      if (!change) continue;
      const conversation = await this.deps.conversationOf(change.after);
      if (!conversation) continue;
      const standing = await this.standing(change.after);
      await this.deps.outbox.toRequester(conversation, [queueUpdateNotice({ ...standing, position })], `queue:${entry.id}:${notices}`);
    }
  }
}

function claimTimesKey(deskId: string): string {
  return `desk-claim-times:${deskId}`;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
