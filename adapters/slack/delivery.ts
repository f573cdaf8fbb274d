/**
 * One delivery attempt of a BotMessage to a Slack thread: render, post each Slack message in
 * order, and map failures to DeliveryError for the core's retry loop. A message split into
 * several posts records each post as progress in the store (through the core's DeliveryContext),
 * so a retry, also on another replica, continues with the next one and never reposts.
 *
 * Slack refuses a whole post (`invalid_blocks`) when it cannot fetch an image; the post is made
 * again without images, in the same attempt, rather than lost. When even that is refused and the
 * post holds a native carousel, the workspace gets the section layout, and keeps getting it for
 * a while; a bad image alone never turns native carousels off.
 */
import { LRUCache } from 'lru-cache';
import type { BotMessage, MessageSender } from '../../src/core/bot-message.js';
import type { DeliveryContext, DeliveryProgress } from '../../src/core/channel-adapter.js';
import type { Logger } from '../../src/core/logger.js';
import type { ChannelAddress } from '../../src/core/visitor-event.js';
import type { SlackMessage } from './block-kit.js';
import { SLACK_LIMITS } from './limits.js';
import { truncateText } from './mrkdwn.js';
import { renderMessage } from './render-blocks.js';
import { slackErrorName, toDeliveryError } from './slack-errors.js';
import { threadOf, type SlackThread } from './thread-address.js';
import type { ChatPoster } from './chat-poster.js';
import { tokenFor, type SlackTokens } from './slack-tokens.js';

/** What delivery needs. */
export interface SlackDeliveryDeps {
  poster: Pick<ChatPoster, 'postMessage'>;
  /** The token of the thread's workspace (its team, and org, are on the address). */
  tokens: SlackTokens;
  logger: Logger;
}

/** The ts of a posted Slack message. */
export interface PostedMessage {
  channel: string;
  ts: string;
}

/** How a message is laid out; a retry keeps the layout its first posts used. */
interface Layout {
  carousel: 'native' | 'fallback';
  images: boolean;
}

/** Posts BotMessages to Slack threads. */
export class SlackDelivery {
  private readonly nativeCarouselRejected = new LRUCache<string, true>({ max: 1000, ttl: 3_600_000 });

  constructor(private readonly deps: SlackDeliveryDeps) {}

  /** Deliver one message (one attempt); throws DeliveryError. Returns the posts it made. */
  async deliver(address: ChannelAddress, message: BotMessage, context: DeliveryContext): Promise<PostedMessage[]> {
    const thread = threadOf(address);
    const token = await tokenFor(this.deps.tokens, thread);
    let layout = parseLayout(context.progress) ?? { carousel: this.nativeCarouselRejected.has(thread.team) ? 'fallback' : 'native', images: true };
    let parts = render(message, context.conversationId, layout);
    const posted: PostedMessage[] = [];
    for (let index = context.progress?.posted ?? 0; index < parts.length; index++) {
      const part = parts[index]!;
      try {
        posted.push(await this.post({ thread, token }, part, message.sender));
      } catch (error) {
        const next = slackErrorName(error) === 'invalid_blocks' ? this.relaxedLayout(layout, part, thread, context.conversationId) : undefined;
        if (!next) throw toDeliveryError(error, 'chat.postMessage');
        layout = next;
        parts = render(message, context.conversationId, layout);
        index -= 1; // post the same position again, in the relaxed layout
        continue;
      }
      // After the last post the entry is completed: a record of it would narrow no window for a repeat.
      if (index + 1 < parts.length) await context.saveProgress({ posted: index + 1, layout: formatLayout(layout) });
    }
    return posted;
  }

  /** The layout to try after Slack refused `part`'s blocks, or undefined when nothing is left to relax. */
  private relaxedLayout(layout: Layout, part: SlackMessage, thread: SlackThread, conversationId: string): Layout | undefined {
    if (layout.images && hasImages(part)) {
      this.deps.logger.warn({ conversationId, team: thread.team }, 'Slack refused a post with images; posting it without them');
      return { ...layout, images: false };
    }
    if (layout.carousel === 'native' && part.blocks.some((block) => block.type === 'carousel')) {
      this.deps.logger.warn({ conversationId, team: thread.team }, 'Slack rejected the native carousel; using the section layout');
      this.nativeCarouselRejected.set(thread.team, true);
      return { ...layout, carousel: 'fallback' };
    }
    return undefined;
  }

  private async post({ thread, token }: { thread: SlackThread; token: string }, part: SlackMessage, sender: MessageSender | undefined): Promise<PostedMessage> {
    const result = await this.deps.poster.postMessage({
      channel: thread.channel,
      ...(thread.threadTs ? { thread_ts: thread.threadTs } : {}),
      text: part.text,
      blocks: part.blocks,
      ...senderFields(sender),
    }, token);
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

function render(message: BotMessage, conversationId: string, layout: Layout): SlackMessage[] {
  return renderMessage(layout.images ? message : withoutImages(message), { conversationId, carousel: layout.carousel });
}

/** The message with card images dropped and an image shown as a link to it. */
export function withoutImages(message: BotMessage): BotMessage {
  switch (message.kind) {
    case 'carousel':
      return { ...message, cards: message.cards.map(({ imageUrl: _dropped, ...card }) => card) };
    case 'media':
      return message.mediaType === 'image' ? { ...message, mediaType: 'file' } : message;
    case 'text':
      return message;
  }
}

function hasImages(part: SlackMessage): boolean {
  return JSON.stringify(part.blocks).includes('"image_url"');
}

function formatLayout(layout: Layout): string {
  return `${layout.carousel}${layout.images ? '' : '+no-images'}`;
}

function parseLayout(progress: DeliveryProgress | undefined): Layout | undefined {
  if (!progress?.layout) return undefined;
  const [carousel, images] = progress.layout.split('+');
  return { carousel: carousel === 'fallback' ? 'fallback' : 'native', images: images !== 'no-images' };
}
