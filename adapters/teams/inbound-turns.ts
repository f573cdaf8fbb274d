/**
 * One inbound Teams turn → what the core hears. Messages (personal chat, group chat, channel
 * messages that @mention the bot, or any message in a thread the core already talks in),
 * button clicks in both shapes Teams and the Playground send, and the personal-chat install
 * that opens a conversation. Transport stays in the route; this file decides, the core acts.
 */
import { TurnContext } from 'botbuilder';
import type { InboundSink } from '../../src/core/channel-adapter.js';
import type { Logger } from '../../src/core/logger.js';
import type { ChannelAddress, VisitorAction, VisitorEventOutcome } from '../../src/core/visitor-event.js';
import { fileUrlsOf, isPersonalInstall, isSharedConversation, mentionsBot, requesterOf, teamOf, tenantOf, textWithFiles, textWithoutBotMention, type InboundActivity } from './activity-fields.js';
import { decodeClick, type DecodedClick } from './click-codec.js';
import { addressOf, teamsChannel } from './conversation-address.js';
import { endedNote, renderClickUpdate } from './render-click-update.js';

/** Something that may take a turn before the requester side (the desk side, for ticket threads). */
export type TurnInterceptor = (context: TurnContext) => Promise<boolean>;

/** What the turn handler needs. */
export interface InboundTurnsDeps {
  sink: InboundSink;
  logger: Logger;
  /** Checked first for every message; the first that returns true has handled the turn. */
  interceptors?: TurnInterceptor[];
  /** Sees every inbound activity first (the desk side learns teams' service URLs from them). */
  observe?: (activity: InboundActivity) => void;
}

/** Handles inbound turns for the requester side. */
export class InboundTurns {
  constructor(private readonly deps: InboundTurnsDeps) {}

  /** The CloudAdapter logic for one inbound activity. */
  async handle(context: TurnContext): Promise<void> {
    const activity = inboundActivityOf(context);
    this.deps.observe?.(activity);
    switch (activity.type) {
      case 'message':
        for (const intercept of this.deps.interceptors ?? []) if (await intercept(context)) return;
        return this.message(context);
      case 'conversationUpdate':
      case 'installationUpdate':
        if (isPersonalInstall(activity)) await this.visitor(context, { kind: 'startSession' });
        return;
      default:
        // Typing, reactions, read receipts and future activity types need no answer beyond 200.
        this.deps.logger.debug({ activityId: activity.id, activityType: activity.type }, 'teams activity ignored');
    }
  }

  private async message(context: TurnContext): Promise<void> {
    const activity = inboundActivityOf(context);
    const click = decodeClick(activity.value);
    if (click) return this.click(context, click);
    const text = textWithFiles(textWithoutBotMention(activity), fileUrlsOf(activity));
    if (!text) return;
    if (isSharedConversation(activity) && !mentionsBot(activity)) {
      // Without a mention, a channel message is for the bot only in a thread it already talks in.
      const address = addressOfTurn(context);
      if (!(await this.deps.sink.knowsAddress?.(teamsChannel, address.key))) return;
    }
    await this.visitor(context, { kind: 'message', text });
  }

  private async click(context: TurnContext, click: DecodedClick): Promise<void> {
    const { payload } = click;
    const action: VisitorAction = { kind: 'message', text: payload.text };
    if (payload.cardIndex !== undefined) action.cardIndex = payload.cardIndex;
    if (payload.payload !== undefined) action.payload = payload.payload;
    if (payload.conversationId) action.clickedConversationId = payload.conversationId;
    const replyToId = context.activity.replyToId;
    // One click per message and button (the button's card and text): a second click on it is a duplicate.
    const eventId = replyToId ? `click:${replyToId}:${payload.cardIndex ?? '-'}:${payload.text}` : undefined;
    const outcome = await this.visitor(context, action, eventId);
    if (outcome.status === 'duplicate') return;
    if (replyToId) await this.updateClickedCard(context, replyToId, click, outcome.status === 'ended' ? 'ended' : 'chosen');
    if (outcome.status === 'ended') await context.sendActivity({ type: 'message', text: endedNote });
  }

  private async updateClickedCard(context: TurnContext, activityId: string, click: DecodedClick, outcome: 'chosen' | 'ended'): Promise<void> {
    try {
      await context.updateActivity({ ...renderClickUpdate(click, outcome), id: activityId });
    } catch (error) {
      // The click already reached the bot; a card that keeps its buttons is cosmetic, so log and go on.
      this.deps.logger.warn({ activityId: context.activity.id, err: error, cardActivityId: activityId }, 'could not update the clicked card');
    }
  }

  private visitor(context: TurnContext, action: VisitorAction, clickId?: string): Promise<VisitorEventOutcome> {
    const activity = inboundActivityOf(context);
    const requester = requesterOf(activity);
    const eventId = clickId ?? activity.id;
    return this.deps.sink.visitorEvent({
      address: addressOfTurn(context),
      requester,
      action,
      ...(eventId ? { eventId } : {}),
    });
  }
}

/** The turn's activity, as the route validated it against `inboundActivitySchema`. */
export function inboundActivityOf(context: TurnContext): InboundActivity {
  // botbuilder types it as its own Activity; the route ran this very object through the schema.
  return context.activity as unknown as InboundActivity;
}

/** The address of the turn's conversation, with its current serviceUrl. */
export function addressOfTurn(context: TurnContext): ChannelAddress {
  const activity = inboundActivityOf(context);
  return addressOf({
    reference: TurnContext.getConversationReference(context.activity) as Record<string, unknown>,
    teamId: teamOf(activity),
    tenantId: tenantOf(activity),
  });
}
