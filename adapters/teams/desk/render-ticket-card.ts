/**
 * TicketView → the Adaptive Card of a ticket post in a Teams desk channel: requester, desk,
 * state and owner, since when the requester waits and the SLA due time, the rating, the last
 * turns of the bot conversation, and the controls while they make sense: Claim (queued) or
 * Release (assigned), Resolve, Back to bot, and a Transfer choice (`Input.ChoiceSet`) with its
 * button; none once the ticket is closed or transferred away. Pure: rendered again on every change.
 * What requesters wrote (their name, their turns of the transcript) and agents' names are
 * escaped: Adaptive Card text is Markdown, and a requester must not be able to put a live
 * `[Verify your account](https://…)` link or an `<at>` mention in front of agents.
 */
import type { TicketState, TicketView, TranscriptTurn } from '../../../src/core/channel-adapter.js';
import type { CardElement, ChoiceSetInput, FactSet, OutgoingActivity, SubmitAction } from '../activity-shapes.js';
import { teamsLimits } from '../limits.js';
import { adaptiveCard, cardActivity, textBlock } from '../render-activities.js';
import { escapeMarkdown } from '../safe-text.js';
import { truncate } from '../split-text.js';
import { encodeTicketAction, transferInputId, type TicketButtonAction } from './ticket-action-codec.js';

const stateLabels: Record<TicketState, string> = {
  queued: 'Waiting for an agent',
  assigned: 'Assigned',
  resolved: 'Resolved',
  returned: 'Back with the bot',
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
  const status = ticket.transferredTo !== undefined ? `Transferred to ${escapeMarkdown(ticket.transferredTo)}` : statusOf(owner === undefined ? undefined : escapeMarkdown(owner));
  const facts: FactSet = {
    type: 'FactSet',
    facts: [
      { title: 'Requester', value: `${requester} (${ticket.requesterChannel})` },
      ...(ticket.requesterLink ? [{ title: 'Thread', value: `[Open the conversation](${ticket.requesterLink})` }] : []),
      { title: 'Desk', value: ticket.deskId },
      { title: 'Status', value: status },
      { title: 'Opened', value: utc(ticket.openedAt) },
      ...(ticket.waitingSince !== undefined && ticket.transferredTo === undefined ? [{ title: 'Waiting since', value: utc(ticket.waitingSince) }] : []),
      ...(ticket.slaDueAt !== undefined && ticket.waitingSince !== undefined && ticket.transferredTo === undefined ? [{ title: 'First reply due', value: utc(ticket.slaDueAt) }] : []),
      ...(ticket.csat !== undefined ? [{ title: 'Rating', value: `${ticket.csat}/5` }] : []),
    ],
  };
  const turns = ticket.transcript.slice(-teamsLimits.ticketTranscriptTurns);
  const body = [
    textBlock(`Ticket: ${requester} needs help`, { weight: 'Bolder', size: 'Medium' }),
    facts,
    ...(turns.length > 0 ? [textBlock('Conversation so far', { weight: 'Bolder', spacing: 'Medium' })] : []),
    ...turns.map((turn) => textBlock(`**${speakers[turn.from]}:** ${turnText(turn)}`, { spacing: 'Small' })),
    textBlock('Reply in this thread to answer the requester; start a reply with "note:" to keep it internal.', { isSubtle: true, spacing: 'Medium' }),
    ...transferChoice(ticket),
  ];
  // The summary is a plain-text notification line, not Markdown: it shows the name as written.
  return cardActivity(adaptiveCard(body, ticketButtons(ticket)), `Ticket: ${requesterName} (${statusOf(owner)})`);
}

/** A transcript turn as shown: shortened, and escaped when the requester wrote it (the bot's own Markdown stays). */
function turnText(turn: TranscriptTurn): string {
  const text = truncate(turn.text, teamsLimits.ticketTurnChars);
  return turn.from === 'requester' ? escapeMarkdown(text) : text;
}

/** Whether the ticket still takes controls here. */
function isWorkable(ticket: TicketView): boolean {
  return ticket.transferredTo === undefined && (ticket.state === 'queued' || ticket.state === 'assigned');
}

function ticketButtons(ticket: TicketView): SubmitAction[] {
  if (!isWorkable(ticket)) return [];
  const button = (title: string, action: TicketButtonAction): SubmitAction => ({ type: 'Action.Submit', title, data: encodeTicketAction({ action, ticketId: ticket.ticketId }) });
  const buttons = [ticket.state === 'queued' ? button('Claim', 'claim') : button('Release', 'release'), button('Resolve', 'resolve'), button('Back to bot', 'return')];
  if ((ticket.transferTargets ?? []).length > 0) buttons.push(button('Transfer', 'transfer'));
  return buttons;
}

/** The Transfer choice: the other desks' ids, submitted with the Transfer button. */
function transferChoice(ticket: TicketView): CardElement[] {
  const targets = ticket.transferTargets ?? [];
  if (!isWorkable(ticket) || targets.length === 0) return [];
  const choice: ChoiceSetInput = { type: 'Input.ChoiceSet', id: transferInputId, label: 'Transfer to', placeholder: 'Transfer', style: 'compact', choices: targets.map((deskId) => ({ title: deskId, value: deskId })) };
  return [choice];
}

function utc(epochMs: number): string {
  return `${new Date(epochMs).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}
