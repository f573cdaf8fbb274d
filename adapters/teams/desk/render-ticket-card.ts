/**
 * TicketView → the Adaptive Card of a ticket post in a Teams desk channel: requester, desk,
 * state and owner, the last turns of the bot conversation, and Claim / Resolve buttons while
 * they make sense (none once the ticket is closed). Pure: rendered again on every state change.
 * What requesters wrote (their name, their turns of the transcript) and agents' names are
 * escaped: Adaptive Card text is Markdown, and a requester must not be able to put a live
 * `[Verify your account](https://…)` link or an `<at>` mention in front of agents.
 */
import type { TicketState, TicketView, TranscriptTurn } from '../../../src/core/channel-adapter.js';
import type { FactSet, OutgoingActivity, SubmitAction } from '../activity-shapes.js';
import { teamsLimits } from '../limits.js';
import { adaptiveCard, cardActivity, textBlock } from '../render-activities.js';
import { escapeMarkdown } from '../safe-text.js';
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
  const requesterName = ticket.requester.name ?? ticket.requester.id;
  const requester = escapeMarkdown(requesterName);
  const owner = ticket.state === 'assigned' && ticket.assignee ? ticket.assignee.name : undefined;
  const statusOf = (name: string | undefined) => (name === undefined ? stateLabels[ticket.state] : `${stateLabels.assigned} to ${name}`);
  const status = statusOf(owner === undefined ? undefined : escapeMarkdown(owner));
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
    ...turns.map((turn) => textBlock(`**${speakers[turn.from]}:** ${turnText(turn)}`, { spacing: 'Small' })),
    textBlock('Reply in this thread to answer the requester; start a reply with "note:" to keep it internal.', { isSubtle: true, spacing: 'Medium' }),
  ];
  // The summary is a plain-text notification line, not Markdown: it shows the name as written.
  return cardActivity(adaptiveCard(body, ticketButtons(ticket)), `Ticket: ${requesterName} (${statusOf(owner)})`);
}

/** A transcript turn as shown: shortened, and escaped when the requester wrote it (the bot's own Markdown stays). */
function turnText(turn: TranscriptTurn): string {
  const text = truncate(turn.text, teamsLimits.ticketTurnChars);
  return turn.from === 'requester' ? escapeMarkdown(text) : text;
}

function ticketButtons(ticket: TicketView): SubmitAction[] {
  const claim: SubmitAction = { type: 'Action.Submit', title: 'Claim', data: encodeTicketAction({ action: 'claim', ticketId: ticket.ticketId }) };
  const resolve: SubmitAction = { type: 'Action.Submit', title: 'Resolve', data: encodeTicketAction({ action: 'resolve', ticketId: ticket.ticketId }) };
  if (ticket.state === 'queued') return [claim, resolve];
  if (ticket.state === 'assigned') return [resolve];
  return [];
}
