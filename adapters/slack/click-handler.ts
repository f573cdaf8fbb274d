/**
 * Button clicks (block_actions): acked at once, then a reply button's click becomes a message
 * event for the core (button text, card index, payload, the clicked conversation). Accepted
 * clicks update the clicked message in place so its buttons cannot send twice; a click on an
 * ended conversation gets an ephemeral note. Link buttons (Slack reports them too) only get
 * the ack. Desk buttons are handed to the desk side.
 */
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { InboundSink } from '../../src/core/channel-adapter.js';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import type { VisitorMessage } from '../../src/core/visitor-event.js';
import { decodeClick } from './click-codec.js';
import { blocksAfterClick } from './click-update.js';
import { ignored } from './inbound-handlers.js';
import { tokenFor, workspaceOfContext, type SlackTokens, type SlackWorkspace } from './slack-tokens.js';
import type { SlackUsers } from './slack-users.js';
import { conversationThread, isDirectMessageChannel } from './thread-address.js';
import { visitorEvent } from './visitor-events.js';
import type { SlackWebClient } from './web-client.js';

/** Told (only to the clicker) when a button belongs to a conversation that is over. */
export const endedClickNote = 'This conversation has ended, so that button does nothing any more. Send a new message to start again.';

const blockSchema = z.object({ type: z.string() }).passthrough();

/** The parts of a block_actions payload the bridge reads. */
export const blockActionsSchema = z
  .object({
    /** Slack's id of the click: the request id on its log lines (Bolt's error handler logs it too). */
    trigger_id: z.string().optional(),
    user: z.object({ id: z.string(), team_id: z.string().optional() }).passthrough(),
    container: z
      .object({ channel_id: z.string().optional(), message_ts: z.string().optional(), thread_ts: z.string().optional(), is_ephemeral: z.boolean().optional() })
      .passthrough(),
    channel: z.object({ id: z.string() }).passthrough().optional(),
    message: z.object({ ts: z.string(), text: z.string().optional(), thread_ts: z.string().optional(), blocks: z.array(blockSchema).optional() }).passthrough().optional(),
    actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() }).passthrough()).min(1),
  })
  .passthrough();

/** A parsed block_actions payload. */
export type BlockActions = z.infer<typeof blockActionsSchema>;

/** The desk side's buttons. */
export interface DeskButtons {
  /** Whether the action is one of the desk's (claim, resolve). */
  owns(actionId: string): boolean;
  /** Handle a click on a desk button (already acked) in `workspace`. */
  click(payload: BlockActions, workspace: SlackWorkspace): Promise<void>;
}

/** What the click handler needs. */
export interface ClickDeps {
  sink: InboundSink;
  users: SlackUsers;
  client: SlackWebClient;
  tokens: SlackTokens;
  logger: Logger;
  metrics: Metrics;
  desk?: DeskButtons;
}

/** Register the block_actions listener. */
export function registerClicks(app: App, deps: ClickDeps): void {
  app.action({ type: 'block_actions' }, async ({ ack, body, context }) => {
    await ack();
    const parsed = blockActionsSchema.safeParse(body);
    if (!parsed.success) return ignored(deps, 'unexpected block_actions shape', undefined);
    const payload = parsed.data;
    const workspace = workspaceOfContext(context);
    await (deps.desk?.owns(payload.actions[0]!.action_id) ? deps.desk.click(payload, workspace) : replyClick(deps, payload, workspace));
  });
}

async function replyClick(deps: ClickDeps, payload: BlockActions, workspace: SlackWorkspace): Promise<void> {
  const action = payload.actions[0]!;
  const click = decodeClick(action.action_id, action.value);
  const channel = payload.container.channel_id ?? payload.channel?.id;
  const messageTs = payload.container.message_ts ?? payload.message?.ts;
  if (!click || !channel || !messageTs) return ignored(deps, `click on ${action.action_id} (not a reply button)`, undefined);
  const threadTs = payload.container.thread_ts ?? payload.message?.thread_ts;
  const thread = conversationThread({ team: workspace.team, enterprise: workspace.enterprise, channel, ts: messageTs, threadTs, isDm: isDirectMessageChannel(channel) });
  const userTeam = payload.user.team_id;
  const origin = userTeam ? { thread, user: payload.user.id, userTeam } : { thread, user: payload.user.id };
  // One click per message and button: a quick second click on it is a duplicate, another card's button is not.
  const eventId = `click:${channel}:${messageTs}:${action.action_id}`;
  const outcome = await deps.sink.visitorEvent(visitorEvent(origin, clickMessage(click), eventId));
  switch (outcome.status) {
    case 'accepted':
      // Not awaited: Slack gets its answer once the click is journalled, the update follows.
      void showChoice(deps, { payload, workspace, channel, ts: messageTs }, click.text);
      return;
    case 'ended': {
      const token = await tokenFor(deps.tokens, workspace);
      await deps.client.chat.postEphemeral({ channel, user: payload.user.id, text: endedClickNote, token, ...(threadTs ? { thread_ts: threadTs } : {}) });
      return;
    }
    case 'duplicate':
      return;
  }
}

function clickMessage(click: NonNullable<ReturnType<typeof decodeClick>>): VisitorMessage {
  const message: VisitorMessage = { kind: 'message', text: click.text };
  if (click.cardIndex !== undefined) message.cardIndex = click.cardIndex;
  if (click.payload !== undefined) message.payload = click.payload;
  if (click.conversationId !== '') message.clickedConversationId = click.conversationId;
  return message;
}

/** The clicked message and where it is. */
interface ClickedMessage {
  payload: BlockActions;
  workspace: SlackWorkspace;
  channel: string;
  ts: string;
}

async function showChoice(deps: ClickDeps, { payload, workspace, channel, ts }: ClickedMessage, choice: string): Promise<void> {
  const blocks = payload.message?.blocks;
  if (!blocks || payload.container.is_ephemeral) return;
  try {
    const token = await tokenFor(deps.tokens, workspace);
    await deps.client.chat.update({ channel, ts, text: payload.message?.text ?? choice, blocks: blocksAfterClick(blocks, choice), token });
  } catch (error) {
    // The click reached the bot; a message that keeps its buttons is cosmetic, and a second click is deduped.
    deps.logger.warn({ requestId: payload.trigger_id, err: error, channel, ts }, 'could not update the clicked message');
  }
}
