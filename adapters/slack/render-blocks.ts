/**
 * BotMessage → Block Kit. Pure: no I/O, no SDK. Every limit comes from `limits.ts`; a message
 * too large for one Slack message is split into several (never rejected), and every message
 * carries a fallback `text`. Carousels use Slack's native `carousel` of `card` blocks when the
 * cards fit it, else a section + image + actions layout per card.
 */
import { assertNever, type BotButton, type BotCard, type BotMessage, type MediaMessage } from '../../src/core/bot-message.js';
import type { ActionsBlock, ButtonElement, CardBlock, ImageElement, SectionBlock, SlackBlock, SlackMessage } from './block-kit.js';
import { encodeClick, linkActionId, replyActionId } from './click-codec.js';
import { SLACK_LIMITS as L } from './limits.js';
import { escapeMrkdwn, markdownToMrkdwn, mrkdwnLink, splitMrkdwn, truncateMrkdwn, truncateText } from './mrkdwn.js';

/** How to render. */
export interface RenderOptions {
  /** The conversation the message belongs to (carried by reply buttons); '' when unknown. */
  conversationId: string;
  /** `fallback` when the workspace rejected native carousels. */
  carousel?: 'native' | 'fallback';
}

/** Blocks that must stay in one Slack message, with their share of the fallback text. */
interface BlockGroup {
  blocks: SlackBlock[];
  fallback: string;
}

/** Numbers buttons across a whole BotMessage so every action_id is unique in every block. */
interface ButtonCounter {
  reply: number;
  link: number;
}

/** Render a bot message as one or more Slack messages (none for a message with nothing to show). */
export function renderMessage(message: BotMessage, options: RenderOptions): SlackMessage[] {
  return packGroups(messageGroups(message, options, { reply: 0, link: 0 }));
}

function messageGroups(message: BotMessage, options: RenderOptions, counter: ButtonCounter): BlockGroup[] {
  switch (message.kind) {
    case 'text': {
      const text = message.verbatim ? verbatimGroups(message.text) : textGroups(message.text);
      return [...text, ...buttonGroups(message.buttons, { conversationId: options.conversationId }, counter)];
    }
    case 'carousel': {
      const intro = message.text ? textGroups(message.text) : [];
      const native = (options.carousel ?? 'native') === 'native' && fitsNativeCarousel(message.cards);
      const cards = native ? [nativeCarousel(message.cards, options.conversationId, counter)] : fallbackCards(message.cards, options.conversationId, counter);
      return [...intro, ...cards];
    }
    case 'media':
      return [mediaGroup(message)];
    default:
      return assertNever(message);
  }
}

/** Text as sections of at most the section limit. */
function textGroups(markdown: string): BlockGroup[] {
  const mrkdwn = markdownToMrkdwn(markdown);
  if (mrkdwn.trim() === '') return [];
  return splitMrkdwn(mrkdwn, L.sectionText).map((piece) => ({ blocks: [section(piece)], fallback: piece }));
}

/**
 * A person's own words (a requester relayed to agents): escaped, not converted from Markdown,
 * and marked `verbatim` so Slack auto-links nothing either. `[Verify](https://evil)` stays
 * literal text and `<!channel>` cannot ping.
 */
function verbatimGroups(text: string): BlockGroup[] {
  const escaped = escapeMrkdwn(text.replace(/\r\n?/g, '\n'));
  if (escaped.trim() === '') return [];
  return splitMrkdwn(escaped, L.sectionText).map((piece) => ({
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: piece, verbatim: true } } satisfies SectionBlock],
    fallback: piece,
  }));
}

/** Buttons as actions blocks of at most 25 elements; unusable links become a line of text. */
function buttonGroups(buttons: BotButton[], click: { conversationId: string; cardIndex?: number }, counter: ButtonCounter): BlockGroup[] {
  const elements: ButtonElement[] = [];
  const strayLinks: string[] = [];
  for (const button of buttons) {
    if (button.kind === 'link' && !isUsableUrl(button.url, L.buttonUrl)) strayLinks.push(`${button.text}: ${button.url}`);
    else elements.push(buttonElement(button, click, counter));
  }
  const groups: BlockGroup[] = chunk(elements, L.actionsElements).map((row) => ({
    blocks: [{ type: 'actions', elements: row } satisfies ActionsBlock],
    fallback: escapeMrkdwn(`[${row.map((element) => element.text.text).join(' | ')}]`),
  }));
  if (strayLinks.length > 0) {
    const text = truncateMrkdwn(escapeMrkdwn(strayLinks.join('\n')), L.sectionText);
    groups.push({ blocks: [section(text)], fallback: text });
  }
  return groups;
}

function buttonElement(button: BotButton, click: { conversationId: string; cardIndex?: number }, counter: ButtonCounter): ButtonElement {
  const text = { type: 'plain_text' as const, text: truncateText(button.text.trim() || '…', L.buttonText), emoji: true };
  if (button.kind === 'link') return { type: 'button', text, action_id: linkActionId(counter.link++), url: button.url };
  const payload = { conversationId: click.conversationId, text: button.text, cardIndex: click.cardIndex, payload: button.payload };
  return { type: 'button', text, action_id: replyActionId(counter.reply++), value: encodeClick(stripUndefined(payload)) };
}

/** Whether Slack's native carousel shows these cards without losing anything. */
function fitsNativeCarousel(cards: BotCard[]): boolean {
  return (
    cards.length >= 1 &&
    cards.length <= L.carouselCards &&
    cards.every(
      (card) =>
        card.buttons.length <= L.cardButtons &&
        card.buttons.every((button) => button.kind === 'reply' || isUsableUrl(button.url, L.buttonUrl)) &&
        markdownToMrkdwn(card.description ?? '').length <= L.cardBody,
    )
  );
}

function nativeCarousel(cards: BotCard[], conversationId: string, counter: ButtonCounter): BlockGroup {
  const elements = cards.map((card, cardIndex): CardBlock => {
    const block: CardBlock = { type: 'card' };
    const title = escapeMrkdwn(card.title.trim());
    if (title) block.title = { type: 'mrkdwn', text: truncateMrkdwn(title, L.cardTitle) };
    const body = markdownToMrkdwn(card.description ?? '');
    if (body.trim()) block.body = { type: 'mrkdwn', text: body };
    const image = cardImage(card);
    if (image) block.hero_image = image;
    if (card.buttons.length > 0) block.actions = card.buttons.map((button) => buttonElement(button, { conversationId, cardIndex }, counter));
    if (!block.title && !block.body && !block.hero_image && !block.actions) block.title = { type: 'mrkdwn', text: '…' };
    return block;
  });
  return { blocks: [{ type: 'carousel', elements }], fallback: cardsFallback(cards) };
}

/** Per card: a section (title, description, image accessory) and its buttons. */
function fallbackCards(cards: BotCard[], conversationId: string, counter: ButtonCounter): BlockGroup[] {
  return cards.map((card, cardIndex) => {
    const title = escapeMrkdwn(card.title.trim());
    const description = markdownToMrkdwn(card.description ?? '').trim();
    const text = truncateMrkdwn([title ? `*${title}*` : '', description].filter(Boolean).join('\n') || '…', L.sectionText);
    const block: SectionBlock = section(text);
    const image = cardImage(card);
    if (image) block.accessory = image;
    const buttons = buttonGroups(card.buttons, { conversationId, cardIndex }, counter);
    return { blocks: [block, ...buttons.flatMap((group) => group.blocks)], fallback: title || text };
  });
}

function cardImage(card: BotCard): ImageElement | undefined {
  if (!card.imageUrl || !isUsableUrl(card.imageUrl, L.imageUrl)) return undefined;
  return { type: 'image', image_url: card.imageUrl, alt_text: truncateText(card.title.trim() || 'Image', L.imageAltText) };
}

function cardsFallback(cards: BotCard[]): string {
  return escapeMrkdwn(`[${cards.map((card) => card.title).join(' | ')}]`);
}

/** An image block for images; a link for everything else (Slack's video block needs an allow-listed player). */
function mediaGroup(message: MediaMessage): BlockGroup {
  const caption = message.text?.trim();
  const fallback = escapeMrkdwn(caption ? `${caption} (${message.url})` : message.url);
  if (message.mediaType === 'image' && isUsableUrl(message.url, L.imageUrl)) {
    const block: SlackBlock = caption
      ? { type: 'image', image_url: message.url, alt_text: truncateText(caption, L.imageAltText), title: { type: 'plain_text', text: truncateText(caption, L.imageTitle) } }
      : { type: 'image', image_url: message.url, alt_text: 'Image' };
    return { blocks: [block], fallback };
  }
  const label = caption || fileName(message.url);
  return { blocks: [section(truncateMrkdwn(mrkdwnLink(message.url, label), L.sectionText))], fallback };
}

/** Greedily fill messages up to the block limit, each with the fallback text of its blocks. */
function packGroups(groups: BlockGroup[]): SlackMessage[] {
  const messages: Array<{ blocks: SlackBlock[]; fallback: string[] }> = [];
  for (const group of groups) {
    const current = messages.at(-1);
    if (current && current.blocks.length + group.blocks.length <= L.blocksPerMessage) {
      current.blocks.push(...group.blocks);
      current.fallback.push(group.fallback);
    } else {
      messages.push({ blocks: [...group.blocks], fallback: [group.fallback] });
    }
  }
  return messages.map((message) => ({ text: truncateMrkdwn(message.fallback.join('\n'), L.fallbackText), blocks: message.blocks }));
}

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function isUsableUrl(url: string, max: number): boolean {
  return url.length <= max && /^https?:\/\/\S+$/i.test(url);
}

function fileName(url: string): string {
  const last = url.split(/[?#]/)[0]!.split('/').filter(Boolean).at(-1);
  return last ? decodeURIComponentSafe(last) : url;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // not percent-encoded after all: show it as it is
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const rows: T[][] = [];
  for (let index = 0; index < items.length; index += size) rows.push(items.slice(index, index + size));
  return rows;
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
