/**
 * Reminders and time-outs of unclaimed tickets, first-response SLA breaches, and the queue
 * positions requesters were told, checked on an interval against the injected clock (tests call
 * `check()` after moving the clock). A breach is claimed on the ticket by compare-and-set, so it is
 * posted and counted once however many replicas check.
 */
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { OpenTicketEntry } from './ticket-book.js';
import type { DeskDirectory } from './desk-directory.js';
import type { HandoffService } from './handoff-service.js';
import { reminderNote, slaBreachNote, timedOutNote, timedOutNotice } from './notices.js';
import type { TicketBook } from './ticket-book.js';

/** What the timers need. */
export interface TicketTimerDeps {
  tickets: TicketBook;
  directory: DeskDirectory;
  handoff: HandoffService;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
  intervalMs?: number;
}

const minuteMs = 60_000;

/** Periodic reminder / time-out check of queued tickets. */
export class TicketTimers {
  private timer?: NodeJS.Timeout;

  constructor(private readonly deps: TicketTimerDeps) {}

  /** Start checking every `intervalMs` (default 30 s). */
  start(): void {
    this.timer = setInterval(() => {
      this.check().catch((error: unknown) => this.deps.logger.error({ err: error }, 'ticket timer check failed'));
    }, this.deps.intervalMs ?? 30_000);
    this.timer.unref();
  }

  /** Stop checking. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Remind or time out every queued ticket that is due, queue again the post of one a crash left
   * unposted, post SLA breaches, and tell queued requesters whose position changed.
   */
  async check(): Promise<void> {
    const open = await this.deps.tickets.open();
    for (const entry of open) {
      await this.checkSla(entry);
      if (entry.state === 'queued') await this.checkQueued(entry);
    }
    for (const deskId of new Set(open.filter((entry) => entry.state === 'queued').map((entry) => entry.deskId))) await this.deps.handoff.queue.refresh(deskId);
  }

  private async checkQueued(entry: OpenTicketEntry): Promise<void> {
    const now = this.deps.now();
    const desk = this.deps.directory.find(entry.deskId);
    if (!desk) return;
    const ticket = await this.deps.tickets.get(entry.id);
    if (!ticket || ticket.state !== 'queued') return;
    // A transfer queues afresh: reminders and the time-out count from the moment it was queued in this desk.
    const waitedMs = now - (ticket.transfers?.at(-1)?.at ?? ticket.openedAt);
    if (!ticket.thread) await this.deps.handoff.repostStale(ticket);
    if (waitedMs >= desk.timeoutMinutes * minuteMs) {
      await this.deps.handoff.closeUnclaimed(entry.id, 'timed_out', timedOutNotice(), timedOutNote(desk.timeoutMinutes));
    } else if (waitedMs >= desk.remindAfterMinutes * minuteMs) {
      const reminded = await this.deps.tickets.update(entry.id, (current) => (current.state === 'queued' && current.remindedAt === undefined ? { ...current, remindedAt: now } : undefined));
      if (reminded) await this.deps.handoff.toDesk(reminded.after, reminderNote(waitedMs / minuteMs));
    }
  }

  /** The first-response SLA: from the escalation (a transfer does not restart it) to the first agent reply relayed. */
  private async checkSla(entry: OpenTicketEntry): Promise<void> {
    const desk = this.deps.directory.find(entry.deskId);
    const limit = desk?.firstResponseMinutes;
    if (!desk || limit === undefined) return;
    const now = this.deps.now();
    if (now - entry.openedAt < limit * minuteMs) return;
    const breached = await this.deps.tickets.update(entry.id, (ticket) =>
      ticket.deskId === desk.id && ticket.firstResponseAt === undefined && ticket.slaBreachedAt === undefined ? { ...ticket, slaBreachedAt: now } : undefined,
    );
    if (!breached) return;
    this.deps.metrics.slaBreaches.inc({ desk: desk.id });
    await this.deps.handoff.outboxNote(breached.after, slaBreachNote(limit, desk.slaMention), `sla:${entry.id}`);
  }
}
