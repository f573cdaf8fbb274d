/**
 * CSML reply messages → platform-neutral `BotMessage`s. Pure: no I/O.
 *
 * text → text; question {title, buttons} → text with reply buttons that carry the CSML payload;
 * a lone button → a text-less message with that button; carousel (or a lone card) → carousel;
 * image | video | audio | file → media; url → its title or text with a link button;
 * typing | wait → nothing (pacing has no meaning once messages are queued). Unknown content
 * types with a `text` are shown as text; others are skipped and reported.
 */
import type { BotButton, BotCard, BotMessage } from '../../core/bot-message.js';
import { assertNever } from '../../core/bot-message.js';
import type { CsmlButton, CsmlPayload } from './csml-schema.js';

/** The mapped messages, and the content types that could not be shown. */
export interface CsmlMapping {
  messages: BotMessage[];
  skipped: string[];
}

type CardContent = Extract<CsmlPayload, { content_type: 'card' }>['content'];

/** Map the payloads of a reply, in order. */
export function csmlToBotMessages(payloads: CsmlPayload[]): CsmlMapping {
  const mapping: CsmlMapping = { messages: [], skipped: [] };
  for (const payload of payloads) {
    const message = toBotMessage(payload);
    if (message) mapping.messages.push(message);
    else if (payload.content_type === 'other') mapping.skipped.push(payload.original);
  }
  return mapping;
}

/** One payload's message, or undefined when it shows nothing. */
export function toBotMessage(payload: CsmlPayload): BotMessage | undefined {
  switch (payload.content_type) {
    case 'text':
      return payload.content.text.trim() === '' ? undefined : { kind: 'text', text: payload.content.text, buttons: [] };
    case 'question':
      return { kind: 'text', text: payload.content.title ?? payload.content.text ?? '', buttons: (payload.content.buttons ?? []).map(toBotButton) };
    case 'button':
      return { kind: 'text', text: '', buttons: [toBotButton(payload)] };
    case 'carousel': {
      const cards = payload.content.cards.map((card) => toBotCard(card.content));
      return cards.length === 0 ? undefined : { kind: 'carousel', cards };
    }
    case 'card':
      return { kind: 'carousel', cards: [toBotCard(payload.content)] };
    case 'image':
    case 'video':
    case 'audio':
    case 'file': {
      const caption = payload.content.title ?? payload.content.name ?? undefined;
      return { kind: 'media', mediaType: payload.content_type, url: payload.content.url, ...(caption ? { text: caption } : {}) };
    }
    case 'url': {
      const { url, text, title } = payload.content;
      return { kind: 'text', text: title ?? text ?? url, buttons: [{ kind: 'link', text: text ?? title ?? url, url }] };
    }
    case 'typing':
    case 'wait':
      return undefined;
    case 'other': {
      const text = (payload.content as { text?: unknown } | null | undefined)?.text;
      return typeof text === 'string' && text.trim() !== '' ? { kind: 'text', text, buttons: [] } : undefined;
    }
    default:
      return assertNever(payload);
  }
}

/** A CSML Button → reply button with its payload; a Url → link button. */
export function toBotButton(button: CsmlButton): BotButton {
  if (button.content_type === 'url') {
    const { url, text, title } = button.content;
    return { kind: 'link', text: text ?? title ?? url, url };
  }
  const { title, payload } = button.content;
  return payload === undefined || payload === null ? { kind: 'reply', text: title } : { kind: 'reply', text: title, payload };
}

function toBotCard(card: CardContent): BotCard {
  return {
    title: card.title,
    ...(card.subtitle ? { description: card.subtitle } : {}),
    ...(card.image_url ? { imageUrl: card.image_url } : {}),
    buttons: (card.buttons ?? []).map(toBotButton),
  };
}
