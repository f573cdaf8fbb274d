/**
 * The click codec round-trips every case, and every button the renderer produces decodes to the
 * text, card index and payload of the bot button it came from.
 */
import { describe, expect, it } from 'vitest';
import { decodeClick, encodeClick, linkActionId, replyActionId } from '../../adapters/slack/click-codec.js';
import { SLACK_LIMITS } from '../../adapters/slack/limits.js';
import { renderMessage } from '../../adapters/slack/render-blocks.js';
import type { BotButton, BotMessage, ClickPayload } from '../../src/core/bot-message.js';
import { buttonsOf } from './support/block-limit-check.js';

const conversationId = '0b9f7f6e-1c1d-4c55-9a43-5d0f7b0e4a10';

describe('click codec', () => {
  const cases: ClickPayload[] = [
    { conversationId, text: 'Yes' },
    { conversationId, text: 'Choose A', cardIndex: 0 },
    { conversationId, text: 'Choose J', cardIndex: 9 },
    { conversationId, text: 'Talk to a human', payload: 'HUMAN' },
    { conversationId, text: 'Both', cardIndex: 3, payload: '{"nested":"json"}' },
    { conversationId, text: 'Quotes " and \\ and emoji 🎉 and <tags> & "more"' },
    { conversationId, text: '' },
    { conversationId: '', text: 'Unknown conversation' },
  ];

  it.each(cases)('round-trips %j', (click) => {
    const value = encodeClick(click);
    expect(value.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
    expect(decodeClick(replyActionId(4), value)).toEqual(click);
  });

  it('keeps an oversized click within 2,000 characters, shortening payload then text', () => {
    const click = { conversationId, text: 'T'.repeat(1500), cardIndex: 2, payload: 'P'.repeat(1500) };
    const decoded = decodeClick(replyActionId(0), encodeClick(click))!;
    expect(encodeClick(click).length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
    expect(decoded.conversationId).toBe(conversationId);
    expect(decoded.cardIndex).toBe(2);
    expect(decoded.text).toBe(click.text);
    expect(click.payload.startsWith(decoded.payload!)).toBe(true);
    const quotes = decodeClick(replyActionId(0), encodeClick({ conversationId, text: '"'.repeat(1990) }))!;
    expect(encodeClick({ conversationId, text: '"'.repeat(1990) }).length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
    expect(quotes.text).toMatch(/^"+$/);
  });

  it('decodes link buttons, foreign buttons and tampered values to nothing', () => {
    expect(decodeClick(linkActionId(0), undefined)).toBeUndefined();
    expect(decodeClick('channel-post', encodeClick({ conversationId, text: 'x' }))).toBeUndefined();
    expect(decodeClick(replyActionId(0), 'not json')).toBeUndefined();
    expect(decodeClick(replyActionId(0), '{"c":1,"t":"x"}')).toBeUndefined();
    expect(decodeClick(replyActionId(0), '{"c":"a","t":"x","i":-1}')).toBeUndefined();
  });

  it('decodes every rendered button to what its bot button sends back', () => {
    const buttons: BotButton[] = [
      { kind: 'reply', text: 'Plain' },
      { kind: 'reply', text: 'With payload', payload: 'P1' },
      { kind: 'link', text: 'Docs', url: 'https://example.com/docs' },
    ];
    const messages: BotMessage[] = [
      { kind: 'text', text: 'Text', buttons },
      { kind: 'carousel', cards: [0, 1, 2].map((index) => ({ title: `Card ${index}`, buttons })) },
      { kind: 'carousel', cards: Array.from({ length: 12 }, (_, index) => ({ title: `Card ${index}`, buttons })) },
    ];
    for (const message of messages) {
      for (const carousel of ['native', 'fallback'] as const) {
        const rendered = renderMessage(message, { conversationId, carousel }).flatMap(buttonsOf);
        const expected = message.kind === 'text'
          ? message.buttons.map((button) => ({ button, cardIndex: undefined }))
          : message.kind === 'carousel'
            ? message.cards.flatMap((card, cardIndex) => card.buttons.map((button) => ({ button, cardIndex })))
            : [];
        expect(rendered).toHaveLength(expected.length);
        rendered.forEach((element, index) => {
          const { button, cardIndex } = expected[index]!;
          const decoded = decodeClick(element.action_id, element.value);
          if (button.kind === 'link') {
            expect(decoded).toBeUndefined();
            expect(element.url).toBe(button.url);
          } else {
            const click: ClickPayload = { conversationId, text: button.text };
            if (cardIndex !== undefined) click.cardIndex = cardIndex;
            if (button.payload !== undefined) click.payload = button.payload;
            expect(decoded).toEqual(click);
          }
        });
      }
    }
  });
});
