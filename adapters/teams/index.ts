/**
 * The Microsoft Teams channel adapter: botbuilder's CloudAdapter at `POST /api/messages` for
 * inbound activities, pure rendering of bot messages to Adaptive Cards, and proactive delivery
 * into stored conversations. Every botbuilder import of the bridge lives in this folder.
 */
import type { Router } from 'express';
import type { TeamsEnv } from '../../src/config/env.js';
import type { BotMessage } from '../../src/core/bot-message.js';
import type { ChannelAdapter, DeliveryContext, InboundSink } from '../../src/core/channel-adapter.js';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import type { ChannelAddress } from '../../src/core/visitor-event.js';
import { createBotFramework } from './bot-framework-client.js';
import { teamsChannel } from './conversation-address.js';
import { InboundTurns, type TurnInterceptor } from './inbound-turns.js';
import { teamsLimits } from './limits.js';
import { mountMessagesRoute } from './messages-route.js';
import { ProactiveSender } from './proactive-sender.js';
import { renderActivities } from './render-activities.js';
import { RequesterProfiles } from './requester-profiles.js';
import { withDeadline } from './with-deadline.js';

/** What the Teams adapter is built from. */
export interface TeamsAdapterDeps {
  env: TeamsEnv;
  sink: InboundSink;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
  /** Timeout of each Bot Framework connector call (tests shorten it). */
  connectorTimeoutMs?: number;
}

/** Create the Teams adapter. */
export function createTeamsAdapter(deps: TeamsAdapterDeps): ChannelAdapter {
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.connectorTimeoutMs ?? teamsLimits.connectorTimeoutMs;
  const framework = createBotFramework(deps.env, timeoutMs);
  const sender = new ProactiveSender(framework.adapter, framework.botAppId, now);
  const interceptors: TurnInterceptor[] = [];
  const turns = new InboundTurns({ sink: deps.sink, profiles: new RequesterProfiles(), logger: deps.logger, interceptors });
  framework.adapter.onTurnError = async (_context, error) => {
    deps.logger.error({ err: error }, 'teams turn failed');
    // Rethrown so the channel gets a 500 and knows the activity was not processed.
    throw error;
  };
  if (!framework.authEnabled) deps.logger.warn('Teams adapter runs with auth off (no MicrosoftAppId): for the local Playground or emulator only');

  return {
    channel: teamsChannel,
    mount(router: Router) {
      mountMessagesRoute(router, framework.adapter, (context) => turns.handle(context), deps.logger);
    },
    async checkReady() {
      await withDeadline(framework.fetchToken(), timeoutMs, 'obtaining a Bot Framework token');
    },
    async deliver(address: ChannelAddress, message: BotMessage, context?: DeliveryContext) {
      await sender.send(address, renderActivities(message, { conversationId: context?.conversationId }));
      deps.metrics.eventsOut.inc({ platform: teamsChannel, type: message.kind });
    },
  };
}
