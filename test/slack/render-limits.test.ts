/**
 * Large inputs stay within every Slack limit (checked against the limits table), are split into
 * several messages instead of being rejected, and lose no text or button.
 */
import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../adapters/slack/render-blocks.js';
import type { BotButton, BotCard } from '../../src/core/bot-message.js';
import { buttonsOf, limitViolations } from './support/block-limit-check.js';

const options = { conversationId: '6f1c2d9e-0000-4000-8000-000000000002' };
const sixtyButtons: BotButton[] = Array.from({ length: 60 }, (_, index) => ({ kind: 'reply', text: `Option ${index} ${'x'.repeat(index === 7 ? 200 : 0)}` }));
const longTitle = `A very long title ${'t'.repeat(300)}`;
const fifteenCards: BotCard[] = Array.from({ length: 15 }, (_, index) => ({
  title: index === 3 ? longTitle : `Card ${index}`,
  description: `Description ${index} ${'d'.repeat(index === 5 ? 5000 : 50)}`,
  imageUrl: `https://img.example.com/${index}.png`,
  buttons: [
    { kind: 'reply', text: `Pick ${index}` },
    { kind: 'reply', text: `More about ${index}`, payload: `MORE_${index}` },
    { kind: 'link', text: 'Site', url: `https://example.com/${index}` },
  ],
}));
const tenThousand = Array.from({ length: 400 }, (_, index) => `Line ${index} with **bold** & <angle> text.`).join('\n').slice(0, 10_000);

describe('render limits', () => {
  it('fits 60 buttons into actions blocks of at most 25, all present and unique', () => {
    const messages = renderMessage({ kind: 'text', text: 'Choose', buttons: sixtyButtons }, options);
    for (const message of messages) expect(limitViolations(message)).toEqual([]);
    const buttons = messages.flatMap(buttonsOf);
    expect(buttons).toHaveLength(60);
    expect(new Set(buttons.map((button) => button.action_id)).size).toBe(60);
    expect(buttons[7]!.text.text).toHaveLength(75);
  });

  it('fits 15 cards (past the native carousel) and a very long title', () => {
    for (const carousel of ['native', 'fallback'] as const) {
      const messages = renderMessage({ kind: 'carousel', text: 'Cards', cards: fifteenCards }, { ...options, carousel });
      for (const message of messages) expect(limitViolations(message)).toEqual([]);
      expect(messages.flatMap(buttonsOf)).toHaveLength(45);
    }
  });

  it('fits 10 native cards with long titles within the card limits', () => {
    const cards = fifteenCards.slice(0, 10).map((card) => ({ ...card, title: longTitle, description: 'short' }));
    const messages = renderMessage({ kind: 'carousel', cards }, options);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.blocks[0]!.type).toBe('carousel');
    expect(limitViolations(messages[0]!)).toEqual([]);
  });

  it('splits 10,000 characters into sections within the limit without losing text', () => {
    const messages = renderMessage({ kind: 'text', text: tenThousand, buttons: sixtyButtons }, options);
    for (const message of messages) expect(limitViolations(message)).toEqual([]);
    const sections = messages.flatMap((message) => message.blocks).filter((block) => block.type === 'section');
    expect(sections.length).toBeGreaterThanOrEqual(4);
    const rendered = sections.map((block) => (block.type === 'section' ? block.text.text : '')).join('\n');
    expect(rendered.replace(/\s+/g, '')).toBe(
      tenThousand.replace(/\*\*/g, '*').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\s+/g, ''),
    );
  });

  it('splits a message that would exceed 50 blocks into several messages', () => {
    const huge = 'word '.repeat(60_000);
    const messages = renderMessage({ kind: 'text', text: huge, buttons: [] }, options);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect(limitViolations(message)).toEqual([]);
  });
});
