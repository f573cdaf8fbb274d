/**
 * What requesters and desks read about a hand-off. Pure: text only, no I/O.
 */
import type { AgentRef } from '../channel-adapter.js';
import type { TextMessage } from '../bot-message.js';

/** Told to the requester when the ticket is opened. */
export function queuedNotice(queuePosition: number): TextMessage {
  const place = queuePosition > 1 ? ` You are number ${queuePosition} in the queue.` : '';
  return {
    kind: 'text',
    text: `I'm handing you over to a person from the team.${place} Someone will reply here shortly.`,
    buttons: [],
    notice: { kind: 'queued', queuePosition },
  };
}

/** Told to the requester when an agent claims the ticket. */
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
