/**
 * The Slack channel adapter: `createSlackAdapter` wires Bolt (HTTP on POST /slack/events, or
 * Socket Mode when SLACK_APP_TOKEN is set), the Web API client (SLACK_API_URL, timeouts, one
 * attempt per call), inbound listeners, clicks, delivery, and the desk side (tickets, relay,
 * presence). With SLACK_CLIENT_ID it serves several workspaces: Bolt's OAuth installer keeps
 * their installations in the Store (tokens sealed under SECRETS_KEY), and every Web API call
 * takes the token of its workspace from `SlackTokens`. Every `@slack/*` import of the bridge
 * lives in this folder.
 */
import type { Router } from 'express';
import type { SlackEnv } from '../../src/config/env.js';
import type { ChannelAdapter, InboundSink } from '../../src/core/channel-adapter.js';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import { SecretBox } from '../../src/secrets/secret-box.js';
import type { RecordStore } from '../../src/store/store.js';
import { BotIdentitySource } from './bot-identity.js';
import { createBoltApp, isAuthorizationError, type BoltAuthorization } from './bolt-app.js';
import { registerClicks } from './click-handler.js';
import { ChatPoster } from './chat-poster.js';
import { LeanWebApi } from './lean-web-api.js';
import { SlackDelivery } from './delivery.js';
import type { EventAuthority } from './event-authorization.js';
import { hotEventHandler, ignored, registerInbound } from './inbound-handlers.js';
import { registerInstallationEvents } from './installation-events.js';
import { isMissingInstallation, StoredInstallations } from './installation-store.js';
import { RememberedKeys } from './remembered-keys.js';
import { toDeliveryError } from './slack-errors.js';
import { InstalledTokens, SingleWorkspaceTokens, type SlackTokens } from './slack-tokens.js';
import { registerUnknownCommands } from './unknown-commands.js';
import { requesterProfile, SlackUsers } from './slack-users.js';
import { isDirectMessageKey, parseThreadKey, slackChannel, threadAddress, threadOf } from './thread-address.js';
import { createWebClient, webApiTimeoutMs, type SlackWebClient } from './web-client.js';
import { resolveCommand, SlackDeskInbound } from './desk/desk-inbound.js';
import { SlackDeskPresence } from './desk/desk-presence.js';
import { SlackDeskSide } from './desk/desk-side.js';

/** What the Slack adapter is built from. */
export interface SlackAdapterDeps {
  env: SlackEnv;
  sink: InboundSink;
  logger: Logger;
  metrics: Metrics;
  /** Clock for the adapter's own time-based decisions (desk presence freshness, installation times). */
  now?: () => number;
  /** Where installations are kept; required with `env.oauth`. */
  records?: Pick<RecordStore, 'getRecord' | 'compareAndSet'>;
}

/** How the adapter authenticates: its tokens, Bolt's authorisation, and what start-up and /readyz check. */
interface SlackAuth {
  tokens: SlackTokens;
  bolt: BoltAuthorization;
  /** The same, for events taken before Bolt. */
  events: EventAuthority;
  installations?: StoredInstallations;
  checkReady(): Promise<void>;
}

/** Connections of each lean Web API pool: at max load 16 made new requesters' lookups queue for seconds (bench, path a-new). */
const connectionsPerPool = 64;

/** The Slack adapter. */
export function createSlackAdapter(deps: SlackAdapterDeps): ChannelAdapter {
  const { env, sink, logger, metrics } = deps;
  const now = deps.now ?? Date.now;
  const client = createWebClient(env, logger);
  const auth = slackAuth(deps, client);
  const { tokens } = auth;
  // Lookups and posts have a pool each, so neither waits for the other's sockets.
  const lookups = new LeanWebApi({ apiUrl: env.apiUrl, timeoutMs: webApiTimeoutMs, maxSockets: connectionsPerPool });
  const posts = new LeanWebApi({ apiUrl: env.apiUrl, timeoutMs: webApiTimeoutMs, maxSockets: connectionsPerPool });
  const closeConnections = () => [lookups, posts].forEach((api) => api.close());
  const users = new SlackUsers(lookups, tokens);
  const threads = new RememberedKeys(sink.knowsAddress ? (key) => sink.knowsAddress!(slackChannel, key) : undefined);
  const tickets = new RememberedKeys(sink.knowsTicketThread ? (key) => knowsTicketThread(sink, key) : undefined);
  const poster = new ChatPoster(posts);
  const delivery = new SlackDelivery({ poster, tokens, logger });
  const presence = new SlackDeskPresence({ client, users, tokens, logger, now });
  const desk = new SlackDeskSide({ client, poster, tokens, delivery, presence, tickets });
  const deskInbound = new SlackDeskInbound({ sink, users, client, tokens, tickets, logger });
  const inbound = { sink, users, threads, logger, metrics, tickets: deskInbound };
  const { app, http } = createBoltApp(env, logger, auth.bolt, hotEventHandler(inbound, auth.events));
  app.error(async ({ error, body }: { error: Error & { code?: string; original?: unknown }; body: unknown }) => {
    const requestId = slackRequestId(body);
    if (isAuthorizationError(error)) {
      if (isMissingInstallation(error)) return ignored({ logger, metrics }, 'workspace without an installation', requestId);
      throw error; // the store failed: the receiver answers 503 and Slack retries
    }
    logger.error({ requestId, err: error.original ?? error, code: error.code }, 'Slack event handling failed');
    // Rethrown, so the receiver answers 5xx and Slack retries instead of taking a 200 for a lost event.
    throw error;
  });
  registerInbound(app, inbound, { hotPath: http !== undefined });
  registerClicks(app, { sink, users, client, tokens, logger, metrics, desk: deskInbound });
  if (auth.installations) registerInstallationEvents(app, { installations: auth.installations, tokens, logger, metrics });
  deskInbound.registerResolveCommand(app);
  registerUnknownCommands(app, [resolveCommand]);

  const adapter: ChannelAdapter = {
    channel: slackChannel,
    mount(router: Router) {
      if (http) router.use(http.receiver.router);
      else logger.info('Slack runs in Socket Mode: no HTTP route mounted');
    },
    frontRoutes: http ? [http.front] : [],
    deliver: async (address, message, context) => {
      await delivery.deliver(address, message, context);
      // A thread the bot answers in is one it follows without a mention (ticket threads are not); a DM is followed anyway.
      if (!isDirectMessageKey(address.key)) threads.remember(address.key);
    },
    requesterProfile: async (address, requester) => {
      const thread = threadOf(address);
      return requesterProfile(await users.get(requester.id, thread), requester.extra?.slackTeamId ?? thread.team);
    },
    checkReady: () => auth.checkReady(),
    desk,
    stop: async () => closeConnections(),
  };
  if (auth.installations) {
    const installations = auth.installations;
    return { ...adapter, start: () => installations.checkKey() };
  }
  if (!http) {
    return {
      ...adapter,
      start: () => app.start().then(() => undefined),
      stop: async () => {
        await app.stop();
        closeConnections();
      },
    };
  }
  return adapter;
}

/** One workspace's token (SLACK_BOT_TOKEN), or each workspace's installation (SLACK_CLIENT_ID). */
function slackAuth(deps: SlackAdapterDeps, client: SlackWebClient): SlackAuth {
  const { env } = deps;
  if (env.oauth) {
    if (!deps.records) throw new Error('multi-workspace Slack needs the store for its installations');
    const installations = new StoredInstallations({ records: deps.records, box: new SecretBox(env.oauth.secretsKey), now: deps.now ?? Date.now });
    const tokens = new InstalledTokens(installations);
    return {
      tokens,
      bolt: { kind: 'installations', oauth: env.oauth, store: installations },
      events: { kind: 'installations', tokens },
      installations,
      // No token of its own: whether Slack's Web API answers at all.
      checkReady: () => readyCall(() => client.api.test(), 'api.test'),
    };
  }
  if (!env.botToken) throw new Error('the Slack adapter needs SLACK_BOT_TOKEN or SLACK_CLIENT_ID');
  const identity = new BotIdentitySource(client);
  return {
    tokens: new SingleWorkspaceTokens(env.botToken, identity),
    bolt: { kind: 'token', token: env.botToken, identity },
    events: { kind: 'token', identity },
    checkReady: () => readyCall(() => identity.check(), 'auth.test'),
  };
}

async function readyCall(call: () => Promise<unknown>, method: string): Promise<void> {
  try {
    await call();
  } catch (error) {
    throw toDeliveryError(error, method);
  }
}

/** Ask the core whether a thread key is an open ticket's thread. */
function knowsTicketThread(sink: InboundSink, key: string): Promise<boolean> {
  const thread = parseThreadKey(key);
  return thread && sink.knowsTicketThread ? sink.knowsTicketThread(threadAddress(thread)) : Promise.resolve(false);
}

/** The id Slack gave a request Bolt handled: an event's `event_id`, a command's or a click's `trigger_id`. */
function slackRequestId(body: unknown): string | undefined {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as { event_id?: unknown; trigger_id?: unknown };
  const id = fields.event_id ?? fields.trigger_id;
  return typeof id === 'string' ? id : undefined;
}
