/**
 * The `conversation` and `widget` destinations: a message to a requester, through the channel
 * adapter of the conversation's platform, or through Ultimate's widget API when the requester is
 * on the widget. One attempt per call; progress of multi-post messages is the adapter's to record.
 */
import type { BotMessage } from './bot-message.js';
import type { ChannelAdapter, DeliveryProgress } from './channel-adapter.js';
import type { ConversationRegistry } from './conversations.js';
import { DeliveryError } from './errors.js';
import type { Metrics } from './metrics.js';
import type { AttemptContext, DestinationHandler } from './outbox/destination-handler.js';
import { asJson, type RequesterEntry } from './outbox/outbox.js';
import type { OutboxEntry } from '../store/store.js';

/** Ultimate's widget API, as the core sees it. */
export interface WidgetSender {
  /** Send one message or hand-off notice to the widget conversation; throws `DeliveryError`. */
  send(conversationId: string, message: BotMessage): Promise<void>;
}

/** The handler of the `conversation` destination. */
export class ConversationDelivery implements DestinationHandler {
  constructor(
    private readonly conversations: ConversationRegistry,
    private readonly adapters: ReadonlyMap<string, Pick<ChannelAdapter, 'deliver'>>,
    private readonly metrics: Metrics,
  ) {}

  /** The conversation's platform. */
  async platformOf(entry: OutboxEntry): Promise<string> {
    return (await this.conversations.get(entry.key))?.address.channel ?? 'unknown';
  }

  async deliver(entry: OutboxEntry, attempt: AttemptContext): Promise<void> {
    const conversation = await this.conversations.get(entry.key);
    if (!conversation) throw new DeliveryError(`Conversation ${entry.key} not found`, { retryable: false, platformCode: 'conversation_not_found' });
    const channel = conversation.address.channel;
    const adapter = this.adapters.get(channel);
    if (!adapter) throw new DeliveryError(`No adapter for channel ${channel}`, { retryable: false, platformCode: 'no_adapter' });
    const { message } = entry.payload as unknown as RequesterEntry;
    await adapter.deliver(conversation.address, message, {
      conversationId: conversation.id,
      progress: attempt.progress as unknown as DeliveryProgress | undefined,
      saveProgress: (progress) => attempt.saveProgress(asJson(progress)),
    });
    this.metrics.eventsOut.inc({ platform: channel, type: message.kind });
  }
}

/** The handler of the `widget` destination. */
export class WidgetDelivery implements DestinationHandler {
  constructor(
    private readonly widget: WidgetSender | undefined,
    private readonly metrics: Metrics,
  ) {}

  /** Widget calls go to Ultimate. */
  platformOf(): string {
    return 'ultimate';
  }

  async deliver(entry: OutboxEntry): Promise<void> {
    if (!this.widget) throw new DeliveryError('The widget API needs ULTIMATE_API_KEY and ULTIMATE_BOT_ID', { retryable: false, platformCode: 'widget_unconfigured' });
    const { message } = entry.payload as unknown as RequesterEntry;
    await this.widget.send(entry.key, message);
    this.metrics.eventsOut.inc({ platform: 'widget', type: message.kind });
  }
}
