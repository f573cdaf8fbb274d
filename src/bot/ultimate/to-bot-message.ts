/**
 * Ultimate's sendMessage `data` → platform-neutral `BotMessage`s. Pure: no I/O.
 *
 * Choices where the docs are silent:
 * - Content decides, not `type`: cards present → a carousel; otherwise a text message.
 * - Nothing to show (empty text, no buttons, no cards) → no message at all, so no empty post.
 * - A carousel that also has top-level buttons → the carousel, then a text message holding
 *   those buttons (a carousel has no buttons of its own).
 * - `imageUrl` that is not an http(s) URL (the seeds use the placeholder "URL") is dropped: a
 *   platform would reject the whole message for one bad image.
 */
import type { BotButton, BotCard, BotMessage } from '../../core/bot-message.js';
import type { SendMessageData, UltimateButton } from './webhook-schema.js';

/** The messages a sendMessage event asks the bridge to show, in order (possibly none). */
export function toBotMessages(data: SendMessageData): BotMessage[] {
  const text = data.text ?? '';
  const buttons = (data.buttons ?? []).map(toBotButton);
  const cards = (data.carouselCards ?? []).map(
    (card): BotCard => ({
      title: card.title,
      ...(card.description ? { description: card.description } : {}),
      ...(card.imageUrl && isHttpUrl(card.imageUrl) ? { imageUrl: card.imageUrl } : {}),
      buttons: (card.buttons ?? []).map(toBotButton),
    }),
  );

  if (cards.length > 0) {
    const carousel: BotMessage = text.trim() !== '' ? { kind: 'carousel', text, cards } : { kind: 'carousel', cards };
    return buttons.length > 0 ? [carousel, { kind: 'text', text: '', buttons }] : [carousel];
  }
  if (text.trim() === '' && buttons.length === 0) return [];
  return [{ kind: 'text', text, buttons }];
}

/** `button` → a reply button (sends its text back); `link` → a link button. */
export function toBotButton(button: UltimateButton): BotButton {
  return button.type === 'link' ? { kind: 'link', text: button.text, url: button.url } : { kind: 'reply', text: button.text };
}

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
}
