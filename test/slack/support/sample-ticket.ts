/**
 * A ticket view as the core renders it, for desk tests; each test overrides what it is about.
 */
import type { TicketView } from '../../../src/core/channel-adapter.js';

/** The id of the sample ticket. */
export const sampleTicketId = '3f2b8c1e-5d4a-4f6e-9b7c-2a1d0e9f8c7b';

/** A queued ticket from a Slack requester. */
export function sampleTicket(overrides: Partial<TicketView> = {}): TicketView {
  return {
    ticketId: sampleTicketId,
    conversationId: 'conv-1',
    deskId: 'it-helpdesk',
    state: 'queued',
    requester: { id: 'U2147483697', name: 'Egon Spengler' },
    requesterChannel: 'slack',
    transcript: [],
    openedAt: Date.UTC(2026, 0, 5, 9, 30),
    ...overrides,
  };
}
