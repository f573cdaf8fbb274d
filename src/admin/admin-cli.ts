/**
 * What each admin command does against a store, writing to `out`. Lists print one JSON array
 * with `--json` (one JSON object for a show), else one line per item for a terminal. Nothing here
 * prints a secret or an email: conversations show their address and session, not the requester.
 */
import { TicketBook } from '../core/handoff/ticket-book.js';
import type { Logger } from '../core/logger.js';
import type { DeadLetter, Store } from '../store/store.js';
import type { AdminCommand } from './admin-args.js';

/** Where the tool writes. */
export interface AdminOutput {
  line(text: string): void;
}

/** The most dead letters one listing or `replay --all` handles. */
const maxListed = 10_000;

/** Run one command; resolves with the process exit code (0, or 1 when the thing asked for does not exist). */
export async function runAdminCommand(command: AdminCommand, store: Store, out: AdminOutput, logger: Logger, now: () => number = Date.now): Promise<number> {
  const print = (value: unknown) => out.line(JSON.stringify(value));
  switch (command.kind) {
    case 'dead-letters-list': {
      const letters = (await store.deadLetters(maxListed)).map(deadLetterSummary);
      if (command.json) print(letters);
      else for (const letter of letters) out.line(`${letter.id}\t${letter.destination}\t${letter.key}\t${new Date(letter.failedAt).toISOString()}\t${letter.reason}`);
      return 0;
    }
    case 'dead-letters-show': {
      const letter = await store.getDeadLetter(command.id);
      if (!letter) return notFound(out, `dead letter ${command.id}`);
      print({ ...deadLetterSummary(letter), seq: letter.seq, attempts: letter.attempts, enqueuedAt: letter.enqueuedAt, payload: letter.payload, progress: letter.progress ?? null });
      return 0;
    }
    case 'dead-letters-replay': {
      // --all keeps the order they failed in, so a queue's entries go back in their original order.
      const ids = command.id === 'all' ? (await store.deadLetters(maxListed)).map((letter) => letter.id) : [command.id];
      const replayed = [];
      for (const id of ids) {
        const entry = await store.replayDeadLetter(id, now());
        if (!entry && command.id !== 'all') return notFound(out, `dead letter ${id}`);
        if (entry) replayed.push({ id, destination: entry.destination, key: entry.key, seq: entry.seq });
      }
      logger.info({ replayed: replayed.length }, 'dead letters replayed');
      if (command.json) print(replayed);
      else out.line(`replayed ${replayed.length} dead letter${replayed.length === 1 ? '' : 's'}; the running bridge delivers them`);
      return 0;
    }
    case 'dead-letters-purge': {
      const purged = await store.purgeDeadLetters();
      if (command.json) print({ purged });
      else out.line(`purged ${purged} dead letter${purged === 1 ? '' : 's'}`);
      return 0;
    }
    case 'tickets-list': {
      const tickets = (await new TicketBook(store, logger).recent())
        .filter((ticket) => command.state === undefined || ticket.state === command.state)
        .map((ticket) => ({ id: ticket.id, state: ticket.state, desk: ticket.deskId, conversationId: ticket.conversationId, openedAt: ticket.openedAt, assignee: ticket.assignee?.name ?? null }));
      if (command.json) print(tickets);
      else for (const ticket of tickets) out.line(`${ticket.id}\t${ticket.state}\t${ticket.desk}\t${new Date(ticket.openedAt).toISOString()}\t${ticket.assignee ?? '-'}`);
      return 0;
    }
    case 'conversation-show': {
      const found = await store.getConversation(command.id);
      if (!found) return notFound(out, `conversation ${command.id}`);
      const { id, session, address, ticketId, createdAt, updatedAt } = found.value;
      print({ id, session, address, ticketId: ticketId ?? null, createdAt, updatedAt });
      return 0;
    }
  }
}

function deadLetterSummary(letter: DeadLetter) {
  return { id: letter.id, destination: letter.destination, key: letter.key, reason: letter.reason, failedAt: letter.failedAt };
}

function notFound(out: AdminOutput, what: string): number {
  out.line(`no ${what}`);
  return 1;
}
