/**
 * Builds the bridge core from a store and bridge.yaml: conversations, the delivery loop, the
 * hand-off (desks, tickets, presence, timers) and the bridge itself. Channel adapters and the
 * bot backend are attached afterwards, because they are built with the bridge as their sink.
 */
import type { BridgeConfig } from '../config/bridge-config.js';
import { Bridge } from './bridge.js';
import type { ChannelAdapter } from './channel-adapter.js';
import { ConversationRegistry } from './conversations.js';
import { DeliveryService, type DeliveryDeps } from './delivery.js';
import { DeskDirectory } from './handoff/desk-directory.js';
import { HandoffService, deskChannelPrefix } from './handoff/handoff-service.js';
import { PresenceService } from './handoff/presence.js';
import { TicketBook } from './handoff/ticket-book.js';
import { TicketTimers } from './handoff/ticket-timers.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { Transcripts } from './transcripts.js';
import type { Store } from '../store/store.js';

/** What the core is built from. Clock, ids and waits are parameters so tests fix them. */
export interface CoreDeps {
  store: Store;
  config: BridgeConfig;
  logger: Logger;
  metrics: Metrics;
  now: () => number;
  newId: () => string;
  random?: () => number;
  deliverySleep?: DeliveryDeps['sleep'];
}

/** The assembled core. */
export interface Core {
  bridge: Bridge;
  handoff: HandoffService;
  delivery: DeliveryService;
  presence: PresenceService;
  timers: TicketTimers;
  /** Enabled channel adapters by channel name. */
  adapters: ReadonlyMap<string, ChannelAdapter>;
  /** Attach a channel adapter: its threads and, if it has a desk side, its ticket threads. */
  addAdapter(adapter: ChannelAdapter): void;
  /** Attach a delivery-only channel (Ultimate's widget). */
  addDeliveryTarget(channel: string, target: Pick<ChannelAdapter, 'deliver'>): void;
}

/** Build the core. */
export function createCore(deps: CoreDeps): Core {
  const { store, config, logger, metrics, now, newId } = deps;
  const adapters = new Map<string, ChannelAdapter>();
  const targets = new Map<string, Pick<ChannelAdapter, 'deliver'>>();
  const conversations = new ConversationRegistry({ store, logger, now, newId });
  const transcripts = new Transcripts(store, now);
  const directory = new DeskDirectory(config);
  const tickets = new TicketBook(store, logger);
  const delivery = new DeliveryService({ store, adapters: targets, logger, metrics, now, random: deps.random, sleep: deps.deliverySleep });
  const presence = new PresenceService({ store, directory, deskSide: (platform) => adapters.get(platform)?.desk, logger, metrics, now, newId });
  const handoff: HandoffService = new HandoffService({
    directory,
    tickets,
    presence,
    conversations,
    transcripts,
    adapters,
    queue: (conversation, messages) => bridge.queue(conversation, messages),
    endBotSession: (conversation) => bridge.endBotSession(conversation),
    metrics,
    logger,
    now,
    newId,
  });
  const bridge = new Bridge({ store, conversations, transcripts, delivery, handoff, logger, metrics, newOwnerId: newId, now });
  const timers = new TicketTimers({ tickets, directory, handoff, logger, now });
  return {
    bridge,
    handoff,
    delivery,
    presence,
    timers,
    adapters,
    addAdapter(adapter) {
      adapters.set(adapter.channel, adapter);
      targets.set(adapter.channel, adapter);
      const desk = adapter.desk;
      if (desk) {
        targets.set(`${deskChannelPrefix}${adapter.channel}`, {
          deliver: (address, message) => desk.postToTicket({ ...address, channel: adapter.channel }, message),
        });
      }
    },
    addDeliveryTarget(channel, target) {
      targets.set(channel, target);
    },
  };
}
