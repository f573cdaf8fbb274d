/**
 * The Slack channel adapter: `createSlackAdapter` wires Bolt (HTTP on POST /slack/events, or
 * Socket Mode when SLACK_APP_TOKEN is set), the Web API client (SLACK_API_URL, timeouts, one
 * attempt per call), inbound listeners, clicks, delivery, and the desk side (tickets, relay,
 * presence). Every `@slack/*` import of the bridge lives in this folder.
 */
import type { Router } from 'express';
import type { SlackEnv } from '../../src/config/env.js';
import type { ChannelAdapter, InboundSink } from '../../src/core/channel-adapter.js';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import { BotIdentitySource } from './bot-identity.js';
import { createBoltApp } from './bolt-app.js';
import { registerClicks } from './click-handler.js';
import { ChatPoster } from './chat-poster.js';
import { SlackDelivery } from './delivery.js';
import { registerInbound } from './inbound-handlers.js';
import { RememberedKeys } from './remembered-keys.js';
import { toDeliveryError } from './slack-errors.js';
import { registerUnknownCommands } from './unknown-commands.js';
import { requesterProfile, SlackUsers } from './slack-users.js';
import { parseThreadKey, slackChannel, threadAddress, threadOf } from './thread-address.js';
import { createWebClient, webApiTimeoutMs } from './web-client.js';
import { resolveCommand, SlackDeskInbound } from './desk/desk-inbound.js';
import { SlackDeskPresence } from './desk/desk-presence.js';
import { SlackDeskSide } from './desk/desk-side.js';

/** What the Slack adapter is built from. */
export interface SlackAdapterDeps {
  env: SlackEnv;
  sink: InboundSink;
  logger: Logger;
  metrics: Metrics;
  /** Clock for the adapter's own time-based decisions (desk presence freshness). */
  now?: () => number;
}

/** The Slack adapter. */
export function createSlackAdapter(deps: SlackAdapterDeps): ChannelAdapter {
  const { env, sink, logger, metrics } = deps;
  const client = createWebClient(env, logger);
  const identity = new BotIdentitySource(client);
  const users = new SlackUsers(client);
  const threads = new RememberedKeys(sink.knowsAddress ? (key) => sink.knowsAddress!(slackChannel, key) : undefined);
  const tickets = new RememberedKeys(sink.knowsTicketThread ? (key) => knowsTicketThread(sink, key) : undefined);
  const poster = new ChatPoster({ apiUrl: env.apiUrl, token: env.botToken, timeoutMs: webApiTimeoutMs });
  const delivery = new SlackDelivery({ poster, logger });
  const presence = new SlackDeskPresence({ client, users, identity, logger, now: deps.now ?? Date.now });
  const desk = new SlackDeskSide({ client, poster, identity, delivery, presence, tickets });
  const deskInbound = new SlackDeskInbound({ sink, users, client, tickets, logger });
  const { app, receiver } = createBoltApp(env, logger, identity);
  app.error(async (error) => {
    logger.error({ err: error.original ?? error, code: error.code }, 'Slack event handling failed');
    // Rethrown, so the receiver answers 5xx and Slack retries instead of taking a 200 for a lost event.
    throw error;
  });
  registerInbound(app, { sink, identity, users, threads, logger, metrics, tickets: deskInbound });
  registerClicks(app, { sink, identity, users, client, logger, metrics, desk: deskInbound });
  deskInbound.registerResolveCommand(app);
  registerUnknownCommands(app, [resolveCommand]);

  const adapter: ChannelAdapter = {
    channel: slackChannel,
    mount(router: Router) {
      if (receiver) router.use(receiver.router);
      else logger.info('Slack runs in Socket Mode: no HTTP route mounted');
    },
    deliver: async (address, message, context) => {
      await delivery.deliver(address, message, context);
      // A thread the bot answers in is one it follows without a mention (ticket threads are not).
      threads.remember(address.key);
    },
    requesterProfile: async (address, requester) => requesterProfile(await users.get(requester.id), requester.extra?.slackTeamId ?? threadOf(address).team),
    checkReady: async () => {
      try {
        await identity.check();
      } catch (error) {
        throw toDeliveryError(error, 'auth.test');
      }
    },
    desk,
    stop: async () => poster.close(),
  };
  if (!receiver) {
    return {
      ...adapter,
      start: () => app.start().then(() => undefined),
      stop: async () => {
        await app.stop();
        poster.close();
      },
    };
  }
  return adapter;
}

/** Ask the core whether a thread key is an open ticket's thread. */
function knowsTicketThread(sink: InboundSink, key: string): Promise<boolean> {
  const thread = parseThreadKey(key);
  return thread && sink.knowsTicketThread ? sink.knowsTicketThread(threadAddress(thread)) : Promise.resolve(false);
}
