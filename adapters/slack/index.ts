/**
 * The Slack channel adapter: `createSlackAdapter` wires Bolt (HTTP on POST /slack/events, or
 * Socket Mode when SLACK_APP_TOKEN is set), the Web API client (SLACK_API_URL, timeouts, one
 * attempt per call), inbound listeners, clicks and delivery. Every `@slack/*` import of the
 * bridge lives in this folder.
 */
import type { Router } from 'express';
import type { SlackEnv } from '../../src/config/env.js';
import type { ChannelAdapter, InboundSink } from '../../src/core/channel-adapter.js';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import { BotIdentitySource } from './bot-identity.js';
import { createBoltApp } from './bolt-app.js';
import { registerClicks } from './click-handler.js';
import { SlackDelivery } from './delivery.js';
import { registerInbound } from './inbound-handlers.js';
import { RememberedKeys } from './remembered-keys.js';
import { toDeliveryError } from './slack-errors.js';
import { SlackUsers } from './slack-users.js';
import { slackChannel } from './thread-address.js';
import { createWebClient } from './web-client.js';

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
  const delivery = new SlackDelivery({ client, logger, threads });
  const { app, receiver } = createBoltApp(env, logger, identity);
  app.error(async (error) => {
    logger.error({ err: error.original ?? error, code: error.code }, 'Slack event handling failed');
  });
  registerInbound(app, { sink, identity, users, threads, logger, metrics });
  registerClicks(app, { sink, identity, users, client, logger, metrics });

  const adapter: ChannelAdapter = {
    channel: slackChannel,
    mount(router: Router) {
      if (receiver) router.use(receiver.router);
      else logger.info('Slack runs in Socket Mode: no HTTP route mounted');
    },
    deliver: async (address, message, context) => {
      await delivery.deliver(address, message, context);
    },
    checkReady: async () => {
      try {
        await identity.check();
      } catch (error) {
        throw toDeliveryError(error, 'auth.test');
      }
    },
  };
  if (!receiver) {
    return { ...adapter, start: () => app.start().then(() => undefined), stop: () => app.stop().then(() => undefined) };
  }
  return adapter;
}
