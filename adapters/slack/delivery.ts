/**
 * One delivery attempt of a BotMessage to a Slack thread: render, post each Slack message in
 * order, and map failures to DeliveryError for the core's retry loop. A message split into
 * several posts remembers how many went out, so the core's retry continues instead of posting
 * them twice. A workspace that answers `invalid_blocks` to a native carousel gets the fallback
 * layout, posted within the same attempt, and keeps getting it for a while.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { BotMessage, MessageSender } from '../../src/core/bot-message.js';
import type { DeliveryContext } from '../../src/core/channel-adapter.js';
import type { Logger } from '../../src/core/logger.js';
import type { ChannelAddress } from '../../src/core/visitor-event.js';
import type { SlackMessage } from './block-kit.js';
import { SLACK_LIMITS } from './limits.js';
import { truncateText } from './mrkdwn.js';
import { renderMessage, type RenderOptions } from './render-blocks.js';
import { slackErrorName, toDeliveryError } from './slack-errors.js';
import { threadOf, type SlackThread } from './thread-address.js';
import type { ChatPoster } from './chat-poster.js';

/** What delivery needs. */
export interface SlackDeliveryDeps {
  poster: Pick<ChatPoster, 'postMessage'>;
  logger: Logger;
}

/** The ts of a posted Slack message. */
export interface PostedMessage {
  channel: string;
  ts: string;
}

/** Posts BotMessages to Slack threads. */
export class SlackDelivery {
  private readonly progress = new LRUCache<string, number>({ max: 1000, ttl: 3_600_000 });
  private readonly nativeCarouselRejected = new LRUCache<string, true>({ max: 1000, ttl: 3_600_000 });

  constructor(private readonly deps: SlackDeliveryDeps) {}

  /** Deliver one message (one attempt); throws DeliveryError. Returns the posts it made. */
  async deliver(address: ChannelAddress, message: BotMessage, context?: DeliveryContext): Promise<PostedMessage[]> {
    const thread = threadOf(address);
    const options: RenderOptions = {
      conversationId: context?.conversationId ?? '',
      carousel: this.nativeCarouselRejected.has(thread.team) ? 'fallback' : 'native',
    };
    let parts = renderMessage(message, options);
    const progressKey = `${address.key}|${digest(message)}`;
    const posted: PostedMessage[] = [];
    for (let index = this.progress.get(progressKey) ?? 0; index < parts.length; index++) {
      const part = parts[index]!;
      try {
        posted.push(await this.post(thread, part, message.sender));
      } catch (error) {
        if (slackErrorName(error) === 'invalid_blocks' && part.blocks.some((block) => block.type === 'carousel')) {
          this.deps.logger.warn({ team: thread.team }, 'Slack rejected the native carousel; using the section layout');
          this.nativeCarouselRejected.set(thread.team, true);
          parts = renderMessage(message, { ...options, carousel: 'fallback' });
          index -= 1; // post the same position again, now in the fallback layout
          continue;
        }
        throw toDeliveryError(error, 'chat.postMessage');
      }
      this.progress.set(progressKey, index + 1);
    }
    this.progress.delete(progressKey);
    return posted;
  }

  private async post(thread: SlackThread, part: SlackMessage, sender: MessageSender | undefined): Promise<PostedMessage> {
    const result = await this.deps.poster.postMessage({
      channel: thread.channel,
      ...(thread.threadTs ? { thread_ts: thread.threadTs } : {}),
      text: part.text,
      blocks: part.blocks,
      ...senderFields(sender),
    });
    return { channel: result.channel ?? thread.channel, ts: result.ts ?? '' };
  }
}

/** chat.write.customize: agents' replies show the agent's name and avatar. */
export function senderFields(sender: MessageSender | undefined): { username?: string; icon_url?: string } {
  if (!sender) return {};
  const fields: { username?: string; icon_url?: string } = { username: truncateText(sender.name.trim() || 'Agent', SLACK_LIMITS.username) };
  if (sender.avatarUrl && /^https?:\/\//i.test(sender.avatarUrl)) fields.icon_url = sender.avatarUrl;
  return fields;
}

function digest(message: BotMessage): string {
  return createHash('sha1').update(JSON.stringify(message)).digest('base64url');
}
