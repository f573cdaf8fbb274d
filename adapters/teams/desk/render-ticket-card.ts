/**
 * TicketView → the Adaptive Card of a ticket post in a Teams desk channel: requester, desk,
 * state and owner, the last turns of the bot conversation, and Claim / Resolve buttons while
 * they make sense (none once the ticket is closed). Pure: rendered again on every state change.
 */
import type { TicketState, TicketView, TranscriptTurn } from '../../../src/core/channel-adapter.js';
import type { FactSet, OutgoingActivity, SubmitAction } from '../activity-shapes.js';
import { teamsLimits } from '../limits.js';
import { adaptiveCard, cardActivity, textBlock } from '../render-activities.js';
import { truncate } from '../split-text.js';
import { encodeTicketAction } from './ticket-action-codec.js';

const stateLabels: Record<TicketState, string> = {
  queued: 'Waiting for an agent',
  assigned: 'Assigned',
  resolved: 'Resolved',
  failed: 'Failed',
  timed_out: 'Timed out (nobody claimed it)',
  cancelled: 'Cancelled by the requester',
};

const speakers: Record<TranscriptTurn['from'], string> = { requester: 'Requester', bot: 'Bot', agent: 'Agent', system: 'Bridge' };

/** The ticket post as an activity. */
export function renderTicketCard(ticket: TicketView): OutgoingActivity {
  const requester = ticket.requester.name ?? ticket.requester.id;
  const status = ticket.state === 'assigned' && ticket.assignee ? `${stateLabels.assigned} to ${ticket.assignee.name}` : stateLabels[ticket.state];
  const facts: FactSet = {
    type: 'FactSet',
    facts: [
      { title: 'Requester', value: `${requester} (${ticket.requesterChannel})` },
      ...(ticket.requesterLink ? [{ title: 'Thread', value: `[Open the conversation](${ticket.requesterLink})` }] : []),
      { title: 'Desk', value: ticket.deskId },
      { title: 'Status', value: status },
      { title: 'Opened', value: new Date(ticket.openedAt).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' },
    ],
  };
  const turns = ticket.transcript.slice(-teamsLimits.ticketTranscriptTurns);
  const body = [
    textBlock(`Ticket: ${requester} needs help`, { weight: 'Bolder', size: 'Medium' }),
    facts,
    ...(turns.length > 0 ? [textBlock('Conversation so far', { weight: 'Bolder', spacing: 'Medium' })] : []),
    ...turns.map((turn) => textBlock(`**${speakers[turn.from]}:** ${truncate(turn.text, teamsLimits.ticketTurnChars)}`, { spacing: 'Small' })),
    textBlock('Reply in this thread to answer the requester; start a reply with "note:" to keep it internal.', { isSubtle: true, spacing: 'Medium' }),
  ];
  return cardActivity(adaptiveCard(body, ticketButtons(ticket)), `Ticket: ${requester} (${status})`);
}

function ticketButtons(ticket: TicketView): SubmitAction[] {
  const claim: SubmitAction = { type: 'Action.Submit', title: 'Claim', data: encodeTicketAction({ action: 'claim', ticketId: ticket.ticketId }) };
  const resolve: SubmitAction = { type: 'Action.Submit', title: 'Resolve', data: encodeTicketAction({ action: 'resolve', ticketId: ticket.ticketId }) };
  if (ticket.state === 'queued') return [claim, resolve];
  if (ticket.state === 'assigned') return [resolve];
  return [];
}
