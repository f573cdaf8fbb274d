/**
 * Agents' side of a Slack desk: replies in a ticket's thread are relayed to the requester, the
 * ticket controls (Claim, Release, Resolve, Back to bot, Transfer) and `/resolve <ticket id>`
 * reach the core as agent events, and when
 * the core does not act on them (already claimed, ticket closed, unknown ticket) the agent gets
 * an ephemeral note saying why. The ticket post itself is re-rendered by the core's updateTicket.
 */
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { AgentEvent, AgentEventOutcome, AgentRef, InboundSink } from '../../../src/core/channel-adapter.js';
import type { Logger } from '../../../src/core/logger.js';
import type { BlockActions, DeskButtons } from '../click-handler.js';
import type { InboundMessage } from '../inbound-classify.js';
import type { TicketThreadRelay } from '../inbound-handlers.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import type { RememberedKeys } from '../remembered-keys.js';
import { tokenFor, workspaceOfContext, type SlackTokens, type SlackWorkspace } from '../slack-tokens.js';
import { agentRef, type SlackUsers } from '../slack-users.js';
import { threadAddress, threadKey, type SlackThread } from '../thread-address.js';
import type { SlackWebClient } from '../web-client.js';
import { decodeTicketAction, isTicketActionId, isTicketId, type TicketAction } from './ticket-action-codec.js';

/** What the agent is told when a control did nothing, before the core's reason. */
const refusals: Record<TicketAction['kind'], string> = {
  claim: 'Could not claim this ticket',
  release: 'Could not release this ticket',
  resolve: 'Could not resolve this ticket',
  return: 'Could not hand this ticket back to the bot',
  transfer: 'Could not transfer this ticket',
};

/** The parts of a block_actions action a ticket control reads besides action_id and value (Slack's static_select payload). */
const controlSchema = z.looseObject({ block_id: z.string().optional(), selected_option: z.looseObject({ value: z.string() }).optional() });

/** The slash command agents resolve tickets with. */
export const resolveCommand = '/resolve';

/** What the agents' side needs. */
export interface DeskInboundDeps {
  sink: InboundSink;
  users: SlackUsers;
  client: SlackWebClient;
  /** The token of the workspace an agent acted in. */
  tokens: SlackTokens;
  /** Ticket threads (opened here, or known to the core). */
  tickets: RememberedKeys;
  logger: Logger;
}

/** Where an ephemeral note goes. */
interface NoteTarget {
  /** Slack's id of the agent's action (the event's `event_id`, the click's or command's `trigger_id`), on the note's log line. */
  requestId?: string;
  workspace: SlackWorkspace;
  channel: string;
  user: string;
  threadTs?: string;
}

/** Replies in ticket threads, and ticket buttons. */
export class SlackDeskInbound implements TicketThreadRelay, DeskButtons {
  constructor(private readonly deps: DeskInboundDeps) {}

  /** Whether a thread is a ticket thread. */
  isTicketThread(thread: SlackThread): Promise<boolean> {
    return this.deps.tickets.has(threadKey(thread));
  }

  /** Relay an agent's reply in a ticket thread; false when the thread is not a ticket's. */
  async relay(message: InboundMessage, eventId: string | undefined): Promise<boolean> {
    if (!(await this.isTicketThread(message.thread))) return false;
    const agent = await this.agent(message.user, message.thread, eventId);
    const event: AgentEvent = { kind: 'reply', ticketThread: threadAddress(message.thread), agent, text: message.text, fileUrls: message.fileUrls };
    if (eventId) event.eventId = eventId;
    const target: NoteTarget = { workspace: message.thread, channel: message.channel, user: message.user };
    if (eventId) target.requestId = eventId;
    if (message.thread.threadTs) target.threadTs = message.thread.threadTs;
    await this.send(event, target, 'Not sent to the requester');
    return true;
  }

  /** Whether a button is a ticket button. */
  owns(actionId: string): boolean {
    return isTicketActionId(actionId);
  }

  /** A ticket control used on a ticket post in `workspace`: Claim, Release, Resolve, Back to bot, or the Transfer select. */
  async click(payload: BlockActions, workspace: SlackWorkspace): Promise<void> {
    const action = payload.actions[0]!;
    const control = controlSchema.safeParse(action);
    const decoded = control.success
      ? decodeTicketAction({ actionId: action.action_id, value: action.value, blockId: control.data.block_id, selected: control.data.selected_option?.value })
      : undefined;
    const channel = payload.container.channel_id ?? payload.channel?.id;
    if (!decoded || !channel) {
      this.deps.logger.warn({ requestId: payload.trigger_id, actionId: action.action_id }, 'ticket button without a ticket');
      return;
    }
    const messageTs = payload.container.message_ts ?? payload.message?.ts ?? '';
    const what = decoded.kind === 'transfer' ? `transfer:${decoded.toDeskId}` : decoded.kind;
    const eventId = `ticket:${channel}:${messageTs}:${what}:${payload.user.id}`;
    const agent = await this.agent(payload.user.id, workspace, payload.trigger_id);
    const event: AgentEvent = decoded.kind === 'transfer' ? { ...decoded, agent, eventId } : { kind: decoded.kind, ticketId: decoded.ticketId, agent, eventId };
    await this.send(event, { requestId: payload.trigger_id, workspace, channel, user: payload.user.id }, refusals[decoded.kind]);
  }

  /** Register `/resolve <ticket id>`: acked at once, the outcome told only to the agent. */
  registerResolveCommand(app: App): void {
    app.command(resolveCommand, async ({ ack, command, context }) => {
      // Slack omits `text` when the command has no arguments; Bolt's type says string regardless.
      const ticketId = String(command.text ?? '').trim().replace(/^[`'"]+|[`'"]+$/g, '');
      if (!isTicketId(ticketId)) {
        await ack({ response_type: 'ephemeral', text: `Usage: ${resolveCommand} <ticket id>. The id is at the bottom of the ticket post.` });
        return;
      }
      await ack();
      const eventId = `resolve:${command.trigger_id}`;
      const workspace = workspaceOfContext(context);
      const agent = await this.agent(command.user_id, workspace, command.trigger_id);
      const target = { requestId: command.trigger_id, workspace, channel: command.channel_id, user: command.user_id };
      const outcome = await this.send({ kind: 'resolve', ticketId, agent, eventId }, target, 'Could not resolve this ticket');
      if (outcome.status === 'accepted') this.note(target, `Ticket \`${ticketId}\` is resolved.`);
    });
  }

  /** Hand an agent event to the core and tell the agent when it was not acted on. */
  private async send(event: AgentEvent, target: NoteTarget, refusal: string): Promise<AgentEventOutcome> {
    const outcome = await this.deps.sink.agentEvent(event);
    if (outcome.status === 'ignored') this.note(target, `${refusal}: ${escapeMrkdwn(outcome.reason)}.`);
    return outcome;
  }

  /**
   * The agent as the desk shows them. A failed users.info must not lose the agent's action (it is
   * handled before Slack's answer): the agent is then named by their id.
   */
  private async agent(userId: string, workspace: Parameters<SlackUsers['get']>[1], requestId: string | undefined): Promise<AgentRef> {
    try {
      return agentRef(await this.deps.users.get(userId, workspace));
    } catch (error) {
      this.deps.logger.warn({ requestId, err: error }, 'agent profile lookup failed; naming the agent by id');
      return { id: userId, name: userId };
    }
  }

  /** An ephemeral note to the agent, not awaited: Slack gets its answer without waiting for it. */
  private note(target: NoteTarget, text: string): void {
    void tokenFor(this.deps.tokens, target.workspace)
      .then((token) => this.deps.client.chat.postEphemeral({ channel: target.channel, user: target.user, text, token, ...(target.threadTs ? { thread_ts: target.threadTs } : {}) }))
      .catch((error: unknown) => this.deps.logger.warn({ requestId: target.requestId, err: error }, 'could not post an ephemeral note to the agent'));
  }
}
