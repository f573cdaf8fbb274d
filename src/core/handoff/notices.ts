/**
 * What requesters and desks read about a hand-off. Pure: text only, no I/O.
 */
import type { AgentRef, DeskNote } from '../channel-adapter.js';
import type { BotButton, TextMessage } from '../bot-message.js';
import { csatPayload, csatScores } from './csat.js';

/** Where a queued requester stands: position, expected wait, and when the desk opens when it is closed now. */
export interface QueueStanding {
  position: number;
  /** Expected wait in seconds. */
  waitSeconds: number;
  /** When the desk is out of its hours: when it opens next, as the desk says it (`Mon 08:00 (Europe/Berlin)`). */
  opensAt?: string;
}

/** Told to the requester when the ticket is opened. */
export function queuedNotice(standing: QueueStanding): TextMessage {
  return queueMessage(`I'm handing you over to a person from the team. ${standingText(standing)}`, standing);
}

/** Told to a queued requester whose place in the queue changed. */
export function queueUpdateNotice(standing: QueueStanding): TextMessage {
  return queueMessage(`Update: ${standingText(standing)}`, standing);
}

/** Told to the requester when the agent released the ticket back to the queue. */
export function releasedNotice(standing: QueueStanding): TextMessage {
  return queueMessage(`The agent handed your request back to the team's queue; the next free person will pick it up. ${standingText(standing)}`, standing);
}

/** Told to the requester when the ticket moved to another desk. */
export function transferredNotice(standing: QueueStanding): TextMessage {
  return queueMessage(`I've passed your request on to another team, who will continue from here. ${standingText(standing)}`, standing);
}

function queueMessage(text: string, standing: QueueStanding): TextMessage {
  return { kind: 'text', text, buttons: [], notice: { kind: 'queued', queuePosition: standing.position, waitingTime: standing.waitSeconds } };
}

/** "You are number 2 in the queue; the expected wait is about 5 minutes." */
function standingText(standing: QueueStanding): string {
  const minutes = Math.max(1, Math.ceil(standing.waitSeconds / 60));
  const wait = `the expected wait is about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const place = standing.position > 1 ? `You are number ${standing.position} in the queue; ${wait}.` : `You are next in the queue; ${wait}.`;
  return standing.opensAt ? `The team is away right now and back ${standing.opensAt}. ${place}` : place;
}

/** Told to the requester when an agent claims the ticket (or round-robin assigns it). */
export function joinedNotice(agent: AgentRef): TextMessage {
  return { kind: 'text', text: `${agent.name} joined the conversation.`, buttons: [], notice: { kind: 'joined', agent: sender(agent) } };
}

/** Told to the requester when the ticket is resolved. */
export function resolvedNotice(agent: AgentRef): TextMessage {
  return {
    kind: 'text',
    text: `${agent.name} marked this conversation as resolved. Write again any time to start over with the assistant.`,
    buttons: [],
    notice: { kind: 'resolved', agent: sender(agent) },
  };
}

/** Told to the requester on Back to bot: the assistant continues the same conversation. */
export function returnedNotice(agent: AgentRef): TextMessage {
  return {
    kind: 'text',
    text: `${agent.name} handed you back to the assistant. You are back with the assistant; just keep writing here.`,
    buttons: [],
    notice: { kind: 'returned', agent: sender(agent) },
  };
}

/** The rating question after a resolve: buttons 1 to 5 whose clicks the bridge keeps (never the bot). */
export function csatPrompt(ticketId: string): TextMessage {
  const buttons: BotButton[] = csatScores.map((score) => ({ kind: 'reply', text: String(score), payload: csatPayload(ticketId, score) }));
  return { kind: 'text', text: 'How did we do? Rate the help you got from 1 (poor) to 5 (great).', buttons };
}

/** Told to the requester after their rating. */
export function csatThanks(score: number): TextMessage {
  return { kind: 'text', text: `Thank you for your rating (${score} of 5)!`, buttons: [] };
}

/** Told to the requester when nobody claimed the ticket in time. */
export function timedOutNotice(): TextMessage {
  return {
    kind: 'text',
    text: 'Sorry, nobody from the team could pick this up in time. Please try again later; write again any time to start over with the assistant.',
    buttons: [],
    notice: { kind: 'failed' },
  };
}

/** Posted in the ticket thread while it waits unclaimed. */
export function reminderNote(minutesWaiting: number): TextMessage {
  return { kind: 'text', text: `Reminder: this ticket has been waiting for ${Math.round(minutesWaiting)} minutes. Claim it to help.`, buttons: [] };
}

/** Posted in the ticket thread when the requester leaves. */
export function requesterLeftNote(): TextMessage {
  return { kind: 'text', text: 'The requester ended the conversation; the ticket is cancelled.', buttons: [] };
}

/** Posted in the ticket thread when the ticket times out. */
export function timedOutNote(minutes: number): TextMessage {
  return { kind: 'text', text: `Nobody claimed this ticket within ${minutes} minutes; the requester was told to try again later.`, buttons: [] };
}

/** Posted in the old thread of a transferred ticket. */
export function transferredNote(agent: AgentRef, toDesk: string): TextMessage {
  return { kind: 'text', text: `${agent.name} transferred this ticket to ${toDesk}. Replies here are no longer sent to the requester.`, buttons: [] };
}

/** Posted in the ticket thread when round-robin assigned the ticket: mentions the agent. */
export function assignedNote(agent: AgentRef): DeskNote {
  return { text: 'this ticket is assigned to you (round-robin). Reply in this thread to answer the requester.', mention: { kind: 'member', id: agent.id, name: agent.name } };
}

/** Posted in the ticket thread once, when the first-response SLA is breached. */
export function slaBreachNote(minutes: number, slaMention: string | undefined): DeskNote {
  const note: DeskNote = { text: `SLA breached: the requester has had no answer within ${formatMinutes(minutes)}.` };
  if (slaMention !== undefined) note.mention = { kind: 'configured', value: slaMention };
  return note;
}

/** Why an agent's reply in a closed or transferred ticket's thread was not relayed. */
export function closedThreadReason(state: string, transferredTo?: string): string {
  return transferredTo ? `this ticket was transferred to ${transferredTo}` : `this ticket is ${state.replace('_', ' ')}`;
}

function formatMinutes(minutes: number): string {
  const rounded = Math.round(minutes * 10) / 10;
  return `${rounded} minute${rounded === 1 ? '' : 's'}`;
}

function sender(agent: AgentRef) {
  return agent.avatarUrl ? { name: agent.name, avatarUrl: agent.avatarUrl } : { name: agent.name };
}

/** Told to the requester when the ticket could not be posted in the desk: the assistant takes over again. */
export function escalationFailedNotice(): TextMessage {
  return {
    kind: 'text',
    text: 'Sorry, I could not reach the team right now. You are back with the assistant; please try again later.',
    buttons: [],
    notice: { kind: 'failed' },
  };
}
