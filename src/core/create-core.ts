/**
 * Builds the bridge core, in dependency order: conversations, the outbox, the hand-off (desks,
 * tickets, presence, timers), the bridge, then the channel adapters and the bot backend (both
 * built with the bridge as their sink or output), then the one delivery loop with a handler per
 * destination.
 */
import type { ActionRunner } from '../actions/action-handler.js';
import type { BotBackend, BotOutput } from '../bot/bot-backend.js';
import type { BridgeConfig } from '../config/bridge-config.js';
import { BotDelivery } from './bot-delivery.js';
import { Bridge } from './bridge.js';
import type { ChannelAdapter, DeskSide, InboundSink } from './channel-adapter.js';
import { ConversationRegistry } from './conversations.js';
import { DeskDirectory } from './handoff/desk-directory.js';
import { HandoffService } from './handoff/handoff-service.js';
import { PresenceService } from './handoff/presence.js';
import { TicketBook } from './handoff/ticket-book.js';
import { TicketDelivery } from './handoff/ticket-delivery.js';
import { TicketTimers } from './handoff/ticket-timers.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { Outbox, QueueSignal } from './outbox/outbox.js';
import { OutboxWorker, type OutboxTiming } from './outbox/outbox-worker.js';
import { ConversationDelivery, WidgetDelivery, type WidgetSender } from './requester-delivery.js';
import { defaultRetryTable, type RetryTable } from './retry-policy.js';
import { Transcripts } from './transcripts.js';
import type { Store } from '../store/store.js';

/** What the core is built from. Clock, ids, randomness and waits are parameters so tests fix them. */
export interface CoreDeps {
  store: Store;
  config: BridgeConfig;
  logger: Logger;
  metrics: Metrics;
  now: () => number;
  newId: () => string;
  /** The channel adapters, built with the bridge as their inbound sink. */
  createAdapters: (sink: InboundSink) => ChannelAdapter[] | Promise<ChannelAdapter[]>;
  /** The bot backend, built with the bridge as its output. */
  createBackend: (output: BotOutput) => BotBackend;
  /** Runs desks' `onResolve` actions (the same registry as the Actions webhook). */
  actions?: ActionRunner;
  /** Ultimate's widget API, when configured. */
  widget?: WidgetSender;
  /** How long a visitor event is retried to an unreachable bot (BOT_RETRY_MINUTES). */
  botRetryMinutes?: number;
  retry?: Partial<RetryTable>;
  timing?: Partial<OutboxTiming>;
  random?: () => number;
  /** Replaces the waits between delivery retries (tests). */
  sleep?: (ms: number) => Promise<void>;
}

/** The assembled core. */
export interface Core {
  bridge: Bridge;
  backend: BotBackend;
  handoff: HandoffService;
  outbox: Outbox;
  worker: OutboxWorker;
  presence: PresenceService;
  timers: TicketTimers;
  /** Enabled channel adapters by channel name. */
  adapters: ReadonlyMap<string, ChannelAdapter>;
}

/** Build the core. */
export async function createCore(deps: CoreDeps): Promise<Core> {
  const { store, config, logger, metrics, now, newId } = deps;
  const adapters = new Map<string, ChannelAdapter>();
  const deskSides = new Map<string, DeskSide>();
  const conversations = new ConversationRegistry({ store, logger, now, newId });
  const transcripts = new Transcripts(store, now);
  const directory = new DeskDirectory(config);
  const tickets = new TicketBook(store, logger);
  const signal = new QueueSignal();
  const outbox = new Outbox(store, signal, now);
  const presence = new PresenceService({ store, directory, deskSide: (platform) => deskSides.get(platform), logger, metrics, now, newId });
  const handoff = new HandoffService({ directory, tickets, presence, conversations, transcripts, outbox, store, deskSides, metrics, logger, now, newId });
  const bridge = new Bridge({ store, outbox, conversations, transcripts, handoff, logger, metrics, newOwnerId: newId });
  // The adapters and the backend exist before anything runs; the maps above are complete from here on.
  for (const adapter of await deps.createAdapters(bridge)) {
    adapters.set(adapter.channel, adapter);
    if (adapter.desk) deskSides.set(adapter.channel, adapter.desk);
  }
  const backend = deps.createBackend(bridge);
  const worker = new OutboxWorker({
    store,
    handlers: {
      bot: new BotDelivery({ backend, conversations, transcripts, handoff, outbox, adapters, logger }),
      conversation: new ConversationDelivery(conversations, adapters, metrics),
      ticket: new TicketDelivery({ tickets, directory, handoff, actions: deps.actions, conversations, transcripts, outbox, deskSides, metrics, now }),
      widget: new WidgetDelivery(deps.widget, metrics),
    },
    retry: { ...defaultRetryTable(deps.botRetryMinutes ?? 10), ...deps.retry },
    logger,
    metrics,
    timing: deps.timing,
    now,
    random: deps.random,
    sleep: deps.sleep,
  });
  signal.listen((queue) => worker.notify(queue));
  const timers = new TicketTimers({ tickets, directory, handoff, metrics, logger, now });
  return { bridge, backend, handoff, outbox, worker, presence, timers, adapters };
}
