/**
 * Bolt on the bridge: HTTP mode uses Bolt's ExpressReceiver behind the front route of
 * POST /slack/events (request-guard.ts: it reads the raw body, which Bolt then verifies with
 * Slack's v0 signature and its 5-minute window), Socket Mode when an app token is set. With one workspace, authorisation is the one bot token, with the identity
 * from a memoised auth.test, so a Slack outage at start-up cannot crash the process. With several
 * (SLACK_CLIENT_ID), the receiver also serves Bolt's OAuth installer (`@slack/oauth`
 * InstallProvider) at /slack/install and /slack/oauth_redirect, and Bolt authorises each event
 * from the installation store.
 */
import { App, ErrorCode, ExpressReceiver, type ExpressReceiverOptions, type InstallationStore } from '@slack/bolt';
import type { SlackEnv, SlackOAuthEnv } from '../../src/config/env.js';
import { BridgeError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import { statusByErrorCode } from '../../src/http/http-errors.js';
import type { BotIdentitySource } from './bot-identity.js';
import { slackBotScopes } from './oauth-scopes.js';
import { EventAuthorizationError } from './event-authorization.js';
import type { FrontRoute } from '../../src/http/front-route.js';
import { slackEventsRoute, type HotEventHandler } from './request-guard.js';
import { sdkLogger, slackClientOptions } from './web-client.js';
import { AckAfterProcessingReceiver } from './socket-mode-receiver.js';

/** The Slack Events API / interactivity / slash command route. */
export const slackEventsPath = '/slack/events';
/** Where a Slack admin starts installing the app in their workspace (multi-workspace only). */
export const slackInstallPath = '/slack/install';
/** Where Slack sends the admin back with the OAuth code: PUBLIC_URL plus this is the redirect URI. */
export const slackOAuthRedirectPath = '/slack/oauth_redirect';

/** How events are authorised: the one workspace's token, or each workspace's installation. */
export type BoltAuthorization = { kind: 'token'; token: string; identity: BotIdentitySource } | { kind: 'installations'; oauth: SlackOAuthEnv; store: InstallationStore };

/** Largest request body accepted on the Slack route (Slack's payloads are a few KB). */
const bodyLimitBytes = 1024 * 1024;

/** Retries of apps.connections.open when (re)connecting in Socket Mode (the socket-mode SDK's own default). */
const socketConnectRetry = { retries: 100, factor: 1.3 };

/** A Bolt app and, in HTTP mode, the receiver whose router serves the route behind the front route. */
export interface BoltSetup {
  app: App;
  http?: { receiver: ExpressReceiver; front: FrontRoute };
}

/**
 * The answer to Slack for a failed listener: 503 when the store could not answer (retry soon),
 * else 500. A failed installation lookup (authorize threw for anything but a missing
 * installation, which Bolt acks and the bridge ignores) is the store not answering too.
 */
export function failureStatus(error: unknown): number {
  if (isAuthorizationError(error) || error instanceof EventAuthorizationError) return 503;
  const cause = (error as { original?: unknown }).original ?? error;
  return cause instanceof BridgeError ? (statusByErrorCode[cause.code] ?? 500) : 500;
}

/**
 * Build the Bolt app for the environment. In HTTP mode `hotEvent` takes requesters' messages and
 * mentions before Bolt (request-guard.ts); in Socket Mode Bolt's listeners get them.
 */
export function createBoltApp(env: SlackEnv, logger: Logger, authorization: BoltAuthorization, hotEvent: HotEventHandler): BoltSetup {
  const common = {
    logger: sdkLogger(logger),
    clientOptions: slackClientOptions(env, logger),
    // Conversation state lives in the bridge's store, not in Bolt's unbounded memory store.
    convoStore: false as const,
    ignoreSelf: true,
    // The error handler gets the body too, so its line names the event (adapters/slack/index.ts).
    extendedErrorHandler: true,
  };
  if (authorization.kind === 'installations') {
    const receiver = new ExpressReceiver({ ...receiverOptions(env, logger), ...oauthReceiverOptions(env, authorization, logger) });
    return { app: new App({ ...common, receiver }), http: { receiver, front: frontRoute(env, logger, hotEvent) } };
  }
  const { token, identity } = authorization;
  const authorize = async () => {
    const { userId, botId, teamId } = await identity.get();
    return { botToken: token, botUserId: userId, botId, teamId };
  };
  if (env.appToken) {
    // Bolt's own clients only open the socket here (our calls go through our one-attempt client):
    // keep the SDK's retries for apps.connections.open, or one network blip would end reconnection.
    const clientOptions = { ...common.clientOptions, retryConfig: socketConnectRetry };
    // Acked once the listener has journalled the event, as processBeforeResponse does over HTTP.
    const receiver = new AckAfterProcessingReceiver({ appToken: env.appToken, logger, clientOptions });
    return { app: new App({ ...common, authorize, clientOptions, receiver }) };
  }
  const receiver = new ExpressReceiver(receiverOptions(env, logger));
  return { app: new App({ ...common, authorize, receiver }), http: { receiver, front: frontRoute(env, logger, hotEvent) } };
}

/** POST /slack/events ahead of express: it reads and checks every request before Bolt sees it. */
function frontRoute(env: SlackEnv, logger: Logger, hotEvent: HotEventHandler): FrontRoute {
  return slackEventsRoute(slackEventsPath, { signingSecret: env.signingSecret, bodyLimit: bodyLimitBytes, logger, hotEvent, failureStatus });
}

/** The receiver of what the front route passes on of POST /slack/events (and of OAuth's routes). */
function receiverOptions(env: SlackEnv, logger: Logger): ExpressReceiverOptions {
  return {
    signingSecret: env.signingSecret,
    signatureVerification: true,
    endpoints: slackEventsPath,
    logger: sdkLogger(logger),
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
  };
}

/**
 * Bolt's OAuth installer: the install path redirects straight to Slack's consent screen with a
 * signed `state` (also set as a cookie, which the redirect must bring back, as Bolt checks), and
 * the redirect exchanges the code with oauth.v2.access at SLACK_API_URL and stores the installation.
 */
function oauthReceiverOptions(env: SlackEnv, { oauth, store }: Extract<BoltAuthorization, { kind: 'installations' }>, logger: Logger): Partial<ExpressReceiverOptions> {
  return {
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    stateSecret: oauth.stateSecret,
    scopes: [...slackBotScopes],
    installationStore: store,
    redirectUri: `${oauth.publicUrl}${slackOAuthRedirectPath}`,
    installerOptions: {
      installPath: slackInstallPath,
      redirectUriPath: slackOAuthRedirectPath,
      directInstall: true,
      clientOptions: slackClientOptions(env, logger),
    },
  };
}

/** Bolt's AuthorizationError: authorize threw `original`. */
export function isAuthorizationError(error: unknown): error is { code: ErrorCode; original?: unknown } {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === ErrorCode.AuthorizationError;
}
