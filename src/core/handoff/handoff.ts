/**
 * The hand-off to human agents, as the rest of the core sees it. The bridge calls it when the bot
 * escalates, while a conversation is escalated, and for agents' actions in desk channels.
 */
import type { AgentEvent, AgentEventOutcome } from '../channel-adapter.js';
import type { WidgetOutput } from '../../bot/bot-backend.js';
import type { ConversationRecord } from '../../store/store.js';
import type { ChannelAddress } from '../visitor-event.js';
import type { CsatOutcome } from './close-out.js';
import type { CsatAnswer } from './csat.js';

/** Hand-off operations. */
export interface Handoff {
  /** Open a ticket in the desk for `escalateTo` (or the default desk); throws `DeskNotFoundError`. */
  escalate(conversation: ConversationRecord, escalateTo?: string): Promise<void>;
  /** Relay a requester's message into the open ticket; false when the conversation has none. */
  requesterMessage(conversation: ConversationRecord, text: string, dedupeKey?: string): Promise<boolean>;
  /** The requester ended an escalated conversation. */
  requesterEnded(conversation: ConversationRecord): Promise<void>;
  /** An agent claimed, released, resolved, returned to the bot, transferred or replied. */
  agentEvent(event: AgentEvent): Promise<AgentEventOutcome>;
  /** A requester's CSAT click: stored once on the ticket, never sent to the bot. */
  rate(conversationId: string, answer: CsatAnswer): Promise<CsatOutcome>;
  /** The open ticket whose desk thread this is, if any. */
  ticketOfThread(thread: ChannelAddress): Promise<{ id: string } | undefined>;
  /** Whether the desk for `teamId` (or the default desk) is open and has someone present. */
  isTeamOnline(teamId?: string): Promise<boolean>;
  /** Escalations of Ultimate's own chat widget. */
  readonly widget: WidgetOutput;
}
