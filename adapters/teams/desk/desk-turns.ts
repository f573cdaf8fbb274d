/**
 * Agents' side of inbound Teams turns: ticket card controls (Claim, Release, Resolve, Back to bot,
 * Transfer with its choice), and replies in a
 * ticket's thread (with an @mention of the bot, or any reply when the app has the RSC permission
 * ChannelMessage.Read.Group). Runs before the requester side and takes only what is the desk's.
 */
import { LRUCache } from 'lru-cache';
import type { AgentEvent, AgentRef, InboundSink } from '../../../src/core/channel-adapter.js';
import type { Logger } from '../../../src/core/logger.js';
import type { ChannelAddress } from '../../../src/core/visitor-event.js';
import { fileUrlsOf, isSharedConversation, textWithoutBotMention, type InboundActivity } from '../activity-fields.js';
import { addressOfTurn, inboundActivityOf, type TurnInterceptor } from '../inbound-turns.js';
import { decodeTicketAction } from './ticket-action-codec.js';

/** What the desk turns need. */
export interface DeskTurnsDeps {
  sink: InboundSink;
  postedThreads: LRUCache<string, true>;
  logger: Logger;
}

/** The interceptor that hands desk activity to the core as agent events. */
export function deskTurns(deps: DeskTurnsDeps): TurnInterceptor {
  return async (context) => {
    const activity = inboundActivityOf(context);
    if (!isSharedConversation(activity)) return false;
    const agent = agentOf(activity);
    const action = decodeTicketAction(activity.value);
    if (action) {
      const eventId = activity.id ? { eventId: activity.id } : {};
      const event: AgentEvent =
        action.action === 'transfer' ? { kind: 'transfer', ticketId: action.ticketId, toDeskId: action.toDeskId, agent, ...eventId } : { kind: action.action, ticketId: action.ticketId, agent, ...eventId };
      const outcome = await deps.sink.agentEvent(event);
      // Teams has no ephemeral messages: a short reply in the thread tells the clicker why nothing changed.
      if (outcome.status === 'ignored') await context.sendActivity({ type: 'message', text: `${agent.name}: ${outcome.reason}.` });
      return true;
    }
    const thread = addressOfTurn(context);
    if (!(await isTicketThread(deps, thread))) return false;
    const text = textWithoutBotMention(activity);
    const fileUrls = fileUrlsOf(activity);
    if (!text && fileUrls.length === 0) return true;
    const outcome = await deps.sink.agentEvent({ kind: 'reply', ticketThread: thread, agent, text, fileUrls, ...(activity.id ? { eventId: activity.id } : {}) });
    if (outcome.status === 'ignored') {
      deps.logger.info({ activityId: activity.id, reason: outcome.reason, thread: thread.key }, 'agent reply not relayed');
      // Teams has no ephemeral messages: a reply in the thread tells the agent it was not sent.
      await context.sendActivity({ type: 'message', text: `${agent.name}: not sent to the requester, ${outcome.reason}.` });
    }
    return true;
  };
}

async function isTicketThread(deps: DeskTurnsDeps, thread: ChannelAddress): Promise<boolean> {
  if (deps.postedThreads.has(thread.key)) return true;
  return (await deps.sink.knowsTicketThread?.(thread)) ?? false;
}

/** The agent who acted, as the desk platform knows them. */
function agentOf(activity: InboundActivity): AgentRef {
  const from = activity.from;
  return { id: from.aadObjectId || from.id, name: from.name || 'An agent' };
}
