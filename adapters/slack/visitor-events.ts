/**
 * Building the core's VisitorEvent for a Slack user in a thread: the address from the thread
 * codec and the requester as far as the event tells (the core asks the adapter's
 * `requesterProfile` for the rest, only when the event starts a conversation).
 */
import type { VisitorAction, VisitorEvent } from '../../src/core/visitor-event.js';
import { threadAddress, type SlackThread } from './thread-address.js';

/** Who acted where. */
export interface VisitorOrigin {
  thread: SlackThread;
  user: string;
  /** The user's own workspace when it differs (shared channels); else the thread's. */
  userTeam?: string;
}

/** A VisitorEvent for the core. */
export function visitorEvent(origin: VisitorOrigin, action: VisitorAction, eventId: string | undefined): VisitorEvent {
  const teamId = origin.userTeam ?? origin.thread.team;
  const event: VisitorEvent = {
    address: threadAddress(origin.thread),
    requester: { id: origin.user, extra: { slackTeamId: teamId } },
    action,
  };
  if (eventId) event.eventId = eventId;
  return event;
}
