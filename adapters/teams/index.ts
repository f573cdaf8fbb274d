/**
 * The Microsoft Teams channel adapter: botbuilder's CloudAdapter at `POST /api/messages` for
 * inbound activities, pure rendering of bot messages to Adaptive Cards, proactive delivery into
 * stored conversations, and the desk side (tickets in a channel, agents' replies, presence).
 * Every botbuilder import of the bridge lives in this folder.
 */
import type { Router } from 'express';
import type { TeamsEnv } from '../../src/config/env.js';
import type { BotMessage } from '../../src/core/bot-message.js';
import type { ChannelAdapter, DeliveryContext, InboundSink } from '../../src/core/channel-adapter.js';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import type { ChannelAddress } from '../../src/core/visitor-event.js';
import { LRUCache } from 'lru-cache';
import { createBotFramework } from './bot-framework-client.js';
import { teamsChannel } from './conversation-address.js';
import { deskTurns } from './desk/desk-turns.js';
import { GraphPresence } from './desk/graph-presence.js';
import { globalTeamsServiceUrl, TeamDirectory } from './desk/team-directory.js';
import { createTeamsDesk } from './desk/teams-desk.js';
import { InboundTurns } from './inbound-turns.js';
import { teamsLimits } from './limits.js';
import { mountMessagesRoute } from './messages-route.js';
import { ProactiveSender } from './proactive-sender.js';
import { renderActivities } from './render-activities.js';
import { RequesterProfiles } from './requester-profiles.js';
import { withDeadline } from '../../src/core/deadline.js';

/** What the Teams adapter is built from. */
export interface TeamsAdapterDeps {
  env: TeamsEnv;
  sink: InboundSink;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
  /** Timeout of each Bot Framework connector call (tests shorten it). */
  connectorTimeoutMs?: number;
  /** Service URL for desk teams the adapter has not heard from yet (default: the global Teams one). */
  defaultServiceUrl?: string;
}

/** Create the Teams adapter. */
export function createTeamsAdapter(deps: TeamsAdapterDeps): ChannelAdapter {
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.connectorTimeoutMs ?? teamsLimits.connectorTimeoutMs;
  const framework = createBotFramework(deps.env, timeoutMs);
  const sender = new ProactiveSender(framework.adapter, framework.botAppId, now);
  const profiles = new RequesterProfiles();
  const postedThreads = new LRUCache<string, true>({ max: teamsLimits.postedTicketsMax });
  const directory = new TeamDirectory({
    serviceUrl: deps.defaultServiceUrl ?? globalTeamsServiceUrl,
    tenantId: deps.env.tenantId,
    botAppId: framework.botAppId,
    learnsFromTraffic: framework.authEnabled,
  });
  const presence = new GraphPresence({ graphApiUrl: deps.env.graphApiUrl, appId: deps.env.appId, appPassword: deps.env.appPassword, tenantId: deps.env.tenantId, now });
  const desk = createTeamsDesk({ sender, botAppId: framework.botAppId, directory, presence, postedThreads });
  const turns = new InboundTurns({
    sink: deps.sink,
    logger: deps.logger,
    interceptors: [deskTurns({ sink: deps.sink, postedThreads, logger: deps.logger })],
    observe: (activity) => directory.learn(activity),
  });
  // No onTurnError: a failed turn rejects, and the route (inbound) or the proactive sender
  // (outbound) answers and logs it once.
  if (!framework.authEnabled) deps.logger.warn('Teams adapter runs with auth off (no MicrosoftAppId): for the local Playground or emulator only');

  return {
    channel: teamsChannel,
    desk,
    mount(router: Router) {
      mountMessagesRoute(router, { adapter: framework.adapter, logic: (context) => turns.handle(context), authEnabled: framework.authEnabled, logger: deps.logger });
    },
    async checkReady() {
      await withDeadline(framework.fetchToken(), timeoutMs, 'obtaining a Bot Framework token');
    },
    async deliver(address: ChannelAddress, message: BotMessage, context: DeliveryContext) {
      await sender.send(address, renderActivities(message, { conversationId: context.conversationId }), context);
    },
    requesterProfile: (address, requester) => profiles.lookup(sender, address, requester),
  };
}
