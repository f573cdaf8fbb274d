/**
 * What follows a ticket reaching a closed state, and the requester's rating after a resolve.
 * The session first (the requester must never stay escalated behind a closed ticket): Back to bot
 * gives the conversation back to the bot in the same session, every other close ends it. Then the
 * CSAT question (after `resolved` only, not to widget requesters) and the desk's `onResolve` action,
 * each queued once per ticket with a dedupe key. A rating is stored by compare-and-set, so a second
 * answer changes nothing.
 */
import type { ConversationRegistry } from '../conversations.js';
import type { Metrics } from '../metrics.js';
import { widgetChannel, type Outbox } from '../outbox/outbox.js';
import type { ConversationRecord } from '../../store/store.js';
import { csatValidForMs, type CsatAnswer } from './csat.js';
import type { DeskDirectory } from './desk-directory.js';
import { csatPrompt, csatThanks } from './notices.js';
import type { TicketBook } from './ticket-book.js';
import type { TicketRecord } from './ticket.js';

/** What the close-out needs. */
export interface CloseOutDeps {
  tickets: TicketBook;
  directory: DeskDirectory;
  conversations: ConversationRegistry;
  outbox: Outbox;
  metrics: Metrics;
  now: () => number;
}

/** What became of a rating click. */
export type CsatOutcome = 'accepted' | 'duplicate' | 'expired';

/** Close-out of closed tickets, and CSAT answers. */
export class CloseOut {
  constructor(private readonly deps: CloseOutDeps) {}

  /** Settle the conversation of a ticket that just closed, then queue the CSAT question and `onResolve`. */
  async closed(ticket: TicketRecord, conversation: ConversationRecord | undefined): Promise<void> {
    const desk = this.deps.directory.find(ticket.deskId);
    if (conversation) await this.settleSession(ticket, conversation);
    if (ticket.state === 'resolved' && conversation && conversation.address.channel !== widgetChannel && (desk?.csat ?? true)) {
      await this.deps.outbox.toRequester(conversation, [csatPrompt(ticket.id)], `csat:${ticket.id}`);
    }
    await this.queueOnResolve(ticket, false);
  }

  /** A requester's rating: stored once, within 24 hours of the resolve, for the conversation it was asked in. */
  async rate(conversationId: string, answer: CsatAnswer): Promise<CsatOutcome> {
    const now = this.deps.now();
    let outcome: CsatOutcome = 'duplicate';
    const change = await this.deps.tickets.update(answer.ticketId, (ticket) => {
      if (ticket.conversationId !== conversationId || ticket.state !== 'resolved' || ticket.csat) return undefined;
      if (now - (ticket.closedAt ?? 0) > csatValidForMs) {
        outcome = 'expired';
        return undefined;
      }
      return { ...ticket, csat: { score: answer.score, at: now } };
    });
    if (!change) return outcome;
    const ticket = change.after;
    this.deps.metrics.csatResponses.inc({ desk: ticket.deskId, score: String(answer.score) });
    const conversation = await this.deps.conversations.get(conversationId);
    if (conversation) await this.deps.outbox.toRequester(conversation, [csatThanks(answer.score)], `csat-thanks:${ticket.id}`);
    if (ticket.thread) await this.deps.outbox.toTicket(ticket.id, [{ op: 'update' }], `csat-update:${ticket.id}`);
    await this.queueOnResolve(ticket, true);
    return 'accepted';
  }

  private async settleSession(ticket: TicketRecord, conversation: ConversationRecord): Promise<void> {
    if (ticket.state === 'returned') {
      // Back to bot: the same session goes on with the bot, so no endSession.
      await this.deps.conversations.update(conversation.id, (record) => (record.ticketId === ticket.id ? { ...record, session: 'active', ticketId: undefined } : undefined));
      return;
    }
    const ended = await this.deps.conversations.update(conversation.id, (record) => (record.ticketId === ticket.id && record.session !== 'ended' ? { ...record, session: 'ended' } : undefined));
    if (ended && conversation.address.channel !== widgetChannel && ticket.state !== 'cancelled') {
      await this.deps.outbox.endBotSession(ended, `end:${ticket.id}`);
    }
  }

  /** Queue the desk's `onResolve` call for a closed ticket (again `withCsat` once rated), once each. */
  async queueOnResolve(ticket: TicketRecord, withCsat: boolean): Promise<void> {
    if (!this.deps.directory.find(ticket.deskId)?.onResolve) return;
    await this.deps.outbox.toTicket(ticket.id, [{ op: 'onResolve', withCsat }], `${withCsat ? 'onresolve-csat' : 'onresolve'}:${ticket.id}`);
  }
}
