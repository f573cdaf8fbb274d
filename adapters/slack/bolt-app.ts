/**
 * Bolt on the bridge: HTTP mode uses Bolt's ExpressReceiver on its own router (it reads the raw
 * body itself and verifies Slack's v0 signature with its 5-minute window), Socket Mode when an
 * app token is set. Authorisation is the one bot token, with the identity from a memoised
 * auth.test, so a Slack outage at start-up cannot crash the process.
 */
import { App, ExpressReceiver } from '@slack/bolt';
import { Router } from 'express';
import type { SlackEnv } from '../../src/config/env.js';
import { BridgeError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import { statusByErrorCode } from '../../src/http/http-errors.js';
import type { BotIdentitySource } from './bot-identity.js';
import { slackRequestGuard } from './request-guard.js';
import { sdkLogger, slackClientOptions } from './web-client.js';

/** The Slack Events API / interactivity / slash command route. */
export const slackEventsPath = '/slack/events';

/** Largest request body accepted on the Slack route (Slack's payloads are a few KB). */
const bodyLimitBytes = 1024 * 1024;

/** Retries of apps.connections.open when (re)connecting in Socket Mode (the socket-mode SDK's own default). */
const socketConnectRetry = { retries: 100, factor: 1.3 };

/** A Bolt app and, in HTTP mode, the receiver whose router serves the route. */
export interface BoltSetup {
  app: App;
  receiver?: ExpressReceiver;
}

/** The answer to Slack for a failed listener: 503 when the store could not answer (retry soon), else 500. */
export function failureStatus(error: unknown): number {
  const cause = (error as { original?: unknown }).original ?? error;
  return cause instanceof BridgeError ? (statusByErrorCode[cause.code] ?? 500) : 500;
}

/** Build the Bolt app for the environment. */
export function createBoltApp(env: SlackEnv, logger: Logger, identity: BotIdentitySource): BoltSetup {
  const common = {
    authorize: async () => {
      const { userId, botId, teamId } = await identity.get();
      return { botToken: env.botToken, botUserId: userId, botId, teamId };
    },
    logger: sdkLogger(logger),
    clientOptions: slackClientOptions(env, logger),
    // Conversation state lives in the bridge's store, not in Bolt's unbounded memory store.
    convoStore: false as const,
    ignoreSelf: true,
  };
  if (env.appToken) {
    // Bolt's own clients only open the socket here (our calls go through our one-attempt client):
    // keep the SDK's retries for apps.connections.open, or one network blip would end reconnection.
    const clientOptions = { ...common.clientOptions, retryConfig: socketConnectRetry };
    return { app: new App({ ...common, clientOptions, socketMode: true, appToken: env.appToken }) };
  }
  // The gate runs before Bolt's own handlers on the route: Bolt registers its routes after it.
  const router = Router();
  router.post(slackEventsPath, ...slackRequestGuard({ signingSecret: env.signingSecret, bodyLimit: bodyLimitBytes, logger }));
  const receiver = new ExpressReceiver({
    signingSecret: env.signingSecret,
    signatureVerification: true,
    endpoints: slackEventsPath,
    router,
    logger: common.logger,
    // Answer after the listener: listeners only journal the event (one store write, deduped on
    // event_id) or act on a ticket, so Slack's 200 means the event is durable, well within 3 s.
    processBeforeResponse: true,
    // A listener that failed (the store could not journal the event, say) must not be acked:
    // Slack then retries, and the dedupe on event_id makes the retry safe.
    processEventErrorHandler: async ({ error, response }) => {
      if (!response.headersSent) {
        response.writeHead(failureStatus(error));
        response.end();
      }
      return false;
    },
    bodyLimit: bodyLimitBytes,
  });
  return { app: new App({ ...common, receiver }), receiver };
}
