/**
 * BotMessage → Teams activities, as a pure function: text as Markdown messages, buttons as an
 * Adaptive Card (1.5) with Action.Submit / Action.OpenUrl, carousels as `attachmentLayout:
 * "carousel"` messages of at most ten cards, images as cards. No I/O and no SDK: the output is
 * plain activity objects that the adapter sends. Every limit comes from `teamsLimits`. Links and
 * images keep only the URL schemes `safe-text` allows (others show as text, as Slack does), and
 * `verbatim` text (a person's own words) is escaped so it shows as written.
 */
import { assertNever, type BotButton, type BotCard, type BotMessage, type CarouselMessage, type MediaMessage, type MessageSender, type TextMessage } from '../../src/core/bot-message.js';
import {
  adaptiveCardContentType,
  type ActionSet,
  type AdaptiveCard,
  type CardAction,
  type CardAttachment,
  type CardElement,
  type OutgoingActivity,
  type TextBlock,
} from './activity-shapes.js';
import { encodeClick } from './click-codec.js';
import { adaptiveCardVersion, teamsLimits } from './limits.js';
import { escapeMarkdown, isImageUrl, isLinkUrl } from './safe-text.js';
import { splitText, truncate } from './split-text.js';

/** What the renderer needs besides the message. */
export interface RenderContext {
  /** The bridge conversation the message belongs to; reply buttons carry it back on a click. */
  conversationId?: string;
}

/** Render one bot message as the activities that show it in Teams, in order. */
export function renderActivities(message: BotMessage, context: RenderContext = {}): OutgoingActivity[] {
  switch (message.kind) {
    case 'text':
      return renderText(message, context);
    case 'carousel':
      return renderCarousel(message, context);
    case 'media':
      return renderMedia(message);
    default:
      return assertNever(message);
  }
}

/** An Adaptive Card with the bridge's schema and version. */
export function adaptiveCard(body: CardElement[], actions: CardAction[] = []): AdaptiveCard {
  const card: AdaptiveCard = { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: adaptiveCardVersion, body };
  if (actions.length > 0) card.actions = actions;
  return card;
}

/** A message activity holding one card. */
export function cardActivity(card: AdaptiveCard, summary: string): OutgoingActivity {
  return { type: 'message', summary: truncate(summary, teamsLimits.clickEchoChars), attachments: [attachment(card)] };
}

/** A wrapping text block. */
export function textBlock(text: string, options: Omit<TextBlock, 'type' | 'text' | 'wrap'> = {}): TextBlock {
  return { type: 'TextBlock', text, wrap: true, ...options };
}

/** Markdown text messages, split to fit. */
export function textActivities(text: string): OutgoingActivity[] {
  return splitText(text, teamsLimits.textChars).map((piece) => ({ type: 'message', text: piece, textFormat: 'markdown' }));
}

/** The bold name line that shows an agent wrote a message. */
export function senderLine(sender: MessageSender): string {
  return `**${escapeMarkdown(sender.name)}**`;
}

function renderText(message: TextMessage, context: RenderContext): OutgoingActivity[] {
  const shownText = message.verbatim ? escapeMarkdown(message.text) : message.text;
  const { buttons, strayLinks } = usableButtons(message.buttons);
  const parts = [message.sender ? senderLine(message.sender) : '', shownText, strayLinks].filter(Boolean);
  if (buttons.length === 0) return textActivities(parts.join('\n\n'));
  const pieces = splitText(parts.join('\n\n'), teamsLimits.cardTextChars);
  const last = pieces.pop() ?? '';
  const shown = truncate(message.text, teamsLimits.clickEchoChars);
  const actions = buttons.map((button) => renderButton(button, context, shown));
  const card = withButtons(last ? [textBlock(last)] : [], actions);
  return [...pieces.flatMap((piece) => textActivities(piece)), cardActivity(card, message.text)];
}

function renderCarousel(message: CarouselMessage, context: RenderContext): OutgoingActivity[] {
  const intro = [message.sender ? senderLine(message.sender) : '', message.text ?? ''].filter(Boolean).join('\n\n');
  const cards = message.cards.map((card, index) => attachment(renderCard(card, index, context)));
  const summary = message.text ?? message.cards.map((card) => card.title).join(', ');
  const carousels = packCarousels(cards).map(
    (group): OutgoingActivity => ({ type: 'message', summary: truncate(summary, teamsLimits.clickEchoChars), attachmentLayout: 'carousel', attachments: group }),
  );
  return [...(intro ? textActivities(intro) : []), ...carousels];
}

function renderCard(card: BotCard, index: number, context: RenderContext): AdaptiveCard {
  const title = truncate(card.title, teamsLimits.cardTitleChars);
  const body: CardElement[] = [textBlock(title, { weight: 'Bolder', size: 'Medium' })];
  if (card.imageUrl && isImageUrl(card.imageUrl)) body.push({ type: 'Image', url: card.imageUrl, altText: truncate(card.title, teamsLimits.altTextChars), size: 'Stretch' });
  if (card.description) body.push(textBlock(truncate(card.description, teamsLimits.cardDescriptionChars), { isSubtle: true }));
  const { buttons, strayLinks } = usableButtons(card.buttons);
  if (strayLinks) body.push(textBlock(strayLinks, { isSubtle: true }));
  const shown = truncate(card.title, teamsLimits.clickEchoChars);
  return withButtons(body, buttons.map((button) => renderButton(button, context, shown, index)));
}

function renderMedia(message: MediaMessage): OutgoingActivity[] {
  const label = message.text ?? '';
  if (message.mediaType === 'image' && isImageUrl(message.url)) {
    const body: CardElement[] = message.sender ? [textBlock(senderLine(message.sender))] : [];
    body.push({ type: 'Image', url: message.url, altText: truncate(label || 'Image', teamsLimits.altTextChars), size: 'Auto' });
    if (label) body.push(textBlock(label, { isSubtle: true }));
    return [cardActivity(adaptiveCard(body), label || 'Image')];
  }
  const link = isLinkUrl(message.url) ? `[${escapeMarkdown(label || message.url)}](${message.url})` : escapeMarkdown(label ? `${label} (${message.url})` : message.url);
  return textActivities(message.sender ? `${senderLine(message.sender)}\n\n${link}` : link);
}

/** Buttons Teams may show; links with other schemes become a line of text (escaped), as on Slack. */
function usableButtons(buttons: BotButton[]): { buttons: BotButton[]; strayLinks: string } {
  const usable = buttons.filter((button) => button.kind === 'reply' || isLinkUrl(button.url));
  const stray = buttons.flatMap((button) => (button.kind === 'link' && !isLinkUrl(button.url) ? [escapeMarkdown(`${button.text}: ${button.url}`)] : []));
  return { buttons: usable, strayLinks: stray.join('\n\n') };
}

function renderButton(button: BotButton, context: RenderContext, shown: string, cardIndex?: number): CardAction {
  const title = truncate(button.text, teamsLimits.buttonTitleChars);
  if (button.kind === 'link') return { type: 'Action.OpenUrl', title, url: button.url };
  const data = encodeClick(
    { conversationId: context.conversationId ?? '', text: button.text, ...(cardIndex === undefined ? {} : { cardIndex }), ...(button.payload === undefined ? {} : { payload: button.payload }) },
    shown,
  );
  return { type: 'Action.Submit', title, data };
}

/** Buttons go in the card's action bar; past what Teams shows there, into rows in the body. */
function withButtons(body: CardElement[], actions: CardAction[]): AdaptiveCard {
  if (actions.length <= teamsLimits.actionsPerCard) return adaptiveCard(body, actions);
  const rows: ActionSet[] = [];
  for (let start = 0; start < actions.length; start += teamsLimits.actionsPerCard) {
    rows.push({ type: 'ActionSet', actions: actions.slice(start, start + teamsLimits.actionsPerCard) });
  }
  return adaptiveCard([...body, ...rows]);
}

/** Group cards into carousels of at most ten cards and at most the activity size limit. */
function packCarousels(cards: CardAttachment[]): CardAttachment[][] {
  const groups: CardAttachment[][] = [];
  let current: CardAttachment[] = [];
  let bytes = 0;
  for (const card of cards) {
    const size = byteLength(JSON.stringify(card));
    if (current.length > 0 && (current.length >= teamsLimits.cardsPerCarousel || bytes + size > teamsLimits.activityBytes)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(card);
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function attachment(card: AdaptiveCard): CardAttachment {
  return { contentType: adaptiveCardContentType, content: card };
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
