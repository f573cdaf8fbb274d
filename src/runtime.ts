/**
 * Assembles and runs the bridge: store, bot backend, channel adapters, core, hand-off and the
 * HTTP server, from a resolved configuration. `main.ts` calls it with the process environment;
 * tests call it with their own (loopback URLs, a fixed clock) and talk to the real routes.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActionRegistry } from './actions/action-registry.js';
import type { BotBackend } from './bot/bot-backend.js';
import { createBotBackend, createBotRoutes } from './bot/backend-factory.js';
import { WidgetApiClient } from './bot/ultimate/widget-api-client.js';
import type { BridgeConfig } from './config/bridge-config.js';
import { secretsOf, type Env } from './config/env.js';
import type { Bridge } from './core/bridge.js';
import type { ChannelAdapter, InboundSink } from './core/channel-adapter.js';
import { createCore } from './core/create-core.js';
import type { OutboxTiming, OutboxWorker } from './core/outbox/outbox-worker.js';
import type { HandoffService } from './core/handoff/handoff-service.js';
import type { PresenceService } from './core/handoff/presence.js';
import { withDeadline } from './core/deadline.js';
import type { TicketTimers } from './core/handoff/ticket-timers.js';
import { createLogger, type Logger } from './core/logger.js';
import { Metrics } from './core/metrics.js';
import { createApp } from './http/create-app.js';
import type { ReadinessCheck } from './http/health-routes.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';

/** How to run the bridge. Everything but `env` and `config` has a production default. */
export interface BridgeRuntimeOptions {
  env: Env;
  config: BridgeConfig;
  logger?: Logger;
  metrics?: Metrics;
  now?: () => number;
  random?: () => number;
  newId?: () => string;
  /** Replaces the waits between delivery retries (tests shorten them). */
  deliverySleep?: (ms: number) => Promise<void>;
  /** Outbox lease and sweep timing (tests shorten them). */
  outboxTiming?: Partial<OutboxTiming>;
  /** Interface to listen on; all interfaces by default. */
  host?: string;
}

/** A running bridge. */
export interface BridgeRuntime {
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:3000. */
  url: string;
  server: Server;
  store: Store;
  bridge: Bridge;
  backend: BotBackend;
  worker: OutboxWorker;
  handoff: HandoffService;
  timers: TicketTimers;
  presence: PresenceService;
  actions: ActionRegistry;
  metrics: Metrics;
  logger: Logger;
  /** Stop accepting, finish events in flight, drain deliveries, stop the adapters, close the store. */
  shutdown(): Promise<void>;
}

/** How long shutdown waits for each stage; what is left stays in the store for the next start. */
/** Deliveries get longer than the longest whole-request deadline (a Teams turn, 12 s), so calls in flight end by themselves. */
export const shutdownDeadlinesMs = { events: 5_000, deliveries: 20_000, presence: 5_000 };

/** Build every part and start listening. */
export async function startBridge(options: BridgeRuntimeOptions): Promise<BridgeRuntime> {
  const { env, config } = options;
  const now = options.now ?? Date.now;
  const newId = options.newId ?? randomUUID;
  const logger = options.logger ?? createLogger({ level: env.logLevel, secrets: secretsOf(env) });
  const metrics = options.metrics ?? new Metrics({ collectDefaults: true });
  const store = await openStore(env.storeUrl, { now });
  const actions = ActionRegistry.fromConfig(config.actions, { getConversation: async (id) => (await store.getConversation(id))?.value });
  const { apiKey, botId, apiUrl } = env.ultimate;
  const core = await createCore({
    store,
    config,
    logger,
    metrics,
    now,
    newId,
    createAdapters: (sink) => channelAdapters(env, { sink, store }, logger, metrics, now),
    createBackend: (output) => createBotBackend({ env, config, output, actions, logger, metrics }),
    actions,
    widget: apiKey && botId ? new WidgetApiClient({ apiUrl, apiKey, botId }) : undefined,
    botRetryMinutes: env.botRetryMinutes,
    timing: options.outboxTiming,
    random: options.random,
    sleep: options.deliverySleep,
  });
  const { bridge, backend, handoff, worker, presence, timers } = core;

  let shuttingDown = false;
  const readiness: ReadinessCheck[] = [{ name: 'store', check: () => store.ping() }];
  for (const adapter of core.adapters.values()) {
    if (adapter.checkReady) readiness.push({ name: adapter.channel, check: () => adapter.checkReady!() });
  }
  if (backend.checkReady) readiness.push({ name: 'bot', check: () => backend.checkReady!() });
  const app = createApp({
    adapters: [...core.adapters.values()],
    botRoutes: createBotRoutes({ env, config, output: bridge, widget: handoff.widget, actions, logger, metrics }),
    readiness,
    metrics,
    logger,
    isShuttingDown: () => shuttingDown,
  });

  const server = await listen(app, env.port, options.host);
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  for (const adapter of core.adapters.values()) await adapter.start?.();
  await handoff.restoreTicketGauge();
  timers.start();
  presence.start();
  await worker.start();
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  logger.info({ port, botBackend: backend.name, store: store.kind, channels: [...core.adapters.keys()], desks: config.desks.length }, 'bridge started');

  const shutdown = async () => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('shutting down: no new requests, finishing events in flight, draining deliveries');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    timers.stop();
    // Platforms were acked once their events were journalled: finish what is in flight (they may
    // ask who is present), then drain deliveries under their leases while the adapters'
    // connections are still open, and meanwhile let the last presence round end.
    await bridge.settle(shutdownDeadlinesMs.events);
    const presenceStopped = withDeadline(presence.stop(), shutdownDeadlinesMs.presence, 'the last presence round').catch((error: unknown) => {
      logger.warn({ err: error }, 'stopping with a presence round still in flight');
    });
    await Promise.all([worker.stop(shutdownDeadlinesMs.deliveries), presenceStopped]);
    for (const adapter of core.adapters.values()) await adapter.stop?.();
    server.closeAllConnections();
    await closed;
    await store.close();
    logger.info('bridge stopped');
  };
  return { url, server, store, bridge, backend, worker, handoff, timers, presence, actions, metrics, logger, shutdown };
}

/** The enabled adapters. Each platform's SDK is loaded only when its adapter is enabled. */
async function channelAdapters(env: Env, { sink, store }: { sink: InboundSink; store: Store }, logger: Logger, metrics: Metrics, now: () => number): Promise<ChannelAdapter[]> {
  const adapters: ChannelAdapter[] = [];
  if (env.slack) {
    const { createSlackAdapter } = await import('../adapters/slack/index.js');
    // The store keeps the installations of a multi-workspace Slack app.
    adapters.push(createSlackAdapter({ env: env.slack, sink, logger: logger.child({ channel: 'slack' }), metrics, now, records: store }));
  }
  if (env.teams) {
    const { createTeamsAdapter } = await import('../adapters/teams/index.js');
    adapters.push(createTeamsAdapter({ env: env.teams, sink, logger: logger.child({ channel: 'teams' }), metrics, now }));
  }
  return adapters;
}

function listen(app: ReturnType<typeof createApp>, port: number, host: string | undefined): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(app).listen(port, host ?? '0.0.0.0');
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}
