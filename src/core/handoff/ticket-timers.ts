/**
 * Reminders and time-outs of unclaimed tickets, checked on an interval against the injected
 * clock (tests call `check()` after moving the clock).
 */
import type { Logger } from '../logger.js';
import type { DeskDirectory } from './desk-directory.js';
import type { HandoffService } from './handoff-service.js';
import { reminderNote, timedOutNote, timedOutNotice } from './notices.js';
import type { TicketBook } from './ticket-book.js';

/** What the timers need. */
export interface TicketTimerDeps {
  tickets: TicketBook;
  directory: DeskDirectory;
  handoff: HandoffService;
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

  /** Remind or time out every queued ticket that is due, and queue again the post of one a crash left unposted. */
  async check(): Promise<void> {
    const now = this.deps.now();
    for (const entry of await this.deps.tickets.open()) {
      if (entry.state !== 'queued') continue;
      const desk = this.deps.directory.find(entry.deskId);
      if (!desk) continue;
      const waitedMs = now - entry.openedAt;
      const ticket = await this.deps.tickets.get(entry.id);
      if (ticket && !ticket.thread) await this.deps.handoff.repostStale(ticket);
      if (waitedMs >= desk.timeoutMinutes * minuteMs) {
        await this.deps.handoff.closeUnclaimed(entry.id, 'timed_out', timedOutNotice(), timedOutNote(desk.timeoutMinutes));
      } else if (waitedMs >= desk.remindAfterMinutes * minuteMs) {
        const reminded = await this.deps.tickets.update(entry.id, (ticket) =>
          ticket.state === 'queued' && ticket.remindedAt === undefined ? { ...ticket, remindedAt: now } : undefined,
        );
        if (reminded) await this.deps.handoff.toDesk(reminded.after, reminderNote(waitedMs / minuteMs));
      }
    }
  }
}
