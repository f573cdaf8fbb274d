/** The Ultimate webhook schemas and the sendMessage → BotMessage mapping (pure). */
import { describe, expect, it } from 'vitest';
import { actionWebhookSchema, converseWebhookSchema, sendMessageDataSchema } from '../../src/bot/ultimate/webhook-schema.js';
import { toBotMessages } from '../../src/bot/ultimate/to-bot-message.js';
import { loadFixture } from './support/fixtures.js';

const pcid = '13427e90-f76a-47c2-a26d-ea0b4f1836c5';
const sendMessage = (data: Record<string, unknown>) => sendMessageDataSchema.parse({ eventType: 'sendMessage', platformConversationId: pcid, type: 'text', ...data });

describe('converseWebhookSchema', () => {
  it('keeps fields it does not know, at every level', () => {
    const payload = loadFixture('ultimate', '002-send-message-carousel').payload as { data: { carouselCards: Array<Record<string, unknown>> } };
    const body = { ...payload, deliveredAt: '2025-01-01', data: { ...payload.data, locale: 'de', carouselCards: [{ ...payload.data.carouselCards[0], sku: 'A1' }] } };
    const parsed = converseWebhookSchema.parse(body) as unknown as { deliveredAt: string; data: { locale: string; predictedIntents: unknown; carouselCards: Array<{ sku: string }> } };
    expect(parsed.deliveredAt).toBe('2025-01-01');
    expect(parsed.data.locale).toBe('de');
    expect(parsed.data.carouselCards[0]?.sku).toBe('A1');
    expect(parsed.data.predictedIntents).toEqual([{ value: '1234', name: 'intent name', confidence: 1 }]);
  });

  it('accepts null for optional fields', () => {
    const parsed = converseWebhookSchema.parse({ botId: 'B', channel: null, data: { eventType: 'escalate', platformConversationId: pcid, escalateTo: null } });
    expect(parsed.data).toMatchObject({ eventType: 'escalate', escalateTo: null });
  });

  it('accepts channel "chat" from the design envelope', () => {
    expect(converseWebhookSchema.safeParse({ botId: 'B', channel: 'chat', data: { eventType: 'isTeamOnline' } }).success).toBe(true);
  });

  it('reports a missing eventType clearly', () => {
    const result = converseWebhookSchema.safeParse({ botId: 'B', data: { platformConversationId: pcid } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toMatch(/^missing eventType; expected one of sendMessage/);
  });
});

describe('actionWebhookSchema', () => {
  it('reads "saveAs?" (as seed 002 writes it) and "saveAs" into saveAs', () => {
    const parsed = actionWebhookSchema.parse({
      botId: 'B',
      platformConversationId: pcid,
      name: 'lookup',
      data: [
        { key: 'a', value: ['1'], 'saveAs?': 'first' },
        { key: 'b', value: ['2'], saveAs: 'second' },
        { key: 'c', value: ['3'] },
      ],
    });
    expect(parsed.data).toStrictEqual([
      { key: 'a', value: ['1'], saveAs: 'first' },
      { key: 'b', value: ['2'], saveAs: 'second' },
      { key: 'c', value: ['3'] },
    ]);
  });

  it('wraps a scalar value (the field table says string) into an array and keeps extra keys', () => {
    const parsed = actionWebhookSchema.parse({ botId: 'B', platformConversationId: pcid, name: 'n', data: [{ key: 'a', value: 'x', origin: 'bot' }] });
    expect(parsed.data).toStrictEqual([{ key: 'a', origin: 'bot', value: ['x'] }]);
  });
});

describe('toBotMessages', () => {
  it('maps text with reply and link buttons', () => {
    expect(toBotMessages(sendMessage({ text: 'Pick', buttons: [{ type: 'button', text: 'A' }, { type: 'link', text: 'Docs', url: 'https://example.com' }] }))).toStrictEqual([
      { kind: 'text', text: 'Pick', buttons: [{ kind: 'reply', text: 'A' }, { kind: 'link', text: 'Docs', url: 'https://example.com' }] },
    ]);
  });

  it('gives nothing for an empty message (no empty posts)', () => {
    expect(toBotMessages(sendMessage({ text: '  ', buttons: [], carouselCards: [] }))).toStrictEqual([]);
    expect(toBotMessages(sendMessage({}))).toStrictEqual([]);
  });

  it('keeps buttons without text', () => {
    expect(toBotMessages(sendMessage({ buttons: [{ type: 'button', text: 'Go' }] }))).toStrictEqual([{ kind: 'text', text: '', buttons: [{ kind: 'reply', text: 'Go' }] }]);
  });

  it('maps cards to a carousel, keeps http(s) images and drops placeholders', () => {
    const messages = toBotMessages(
      sendMessage({
        type: 'carousel',
        text: 'Our products',
        carouselCards: [
          { title: 'One', imageUrl: 'https://cdn.example.com/1.png', buttons: [{ type: 'button', text: 'Buy' }] },
          { title: 'Two', description: '', imageUrl: 'URL', buttons: null },
        ],
      }),
    );
    expect(messages).toStrictEqual([
      {
        kind: 'carousel',
        text: 'Our products',
        cards: [
          { title: 'One', imageUrl: 'https://cdn.example.com/1.png', buttons: [{ kind: 'reply', text: 'Buy' }] },
          { title: 'Two', buttons: [] },
        ],
      },
    ]);
  });

  it('puts top-level buttons of a carousel into a text message after it', () => {
    const messages = toBotMessages(sendMessage({ type: 'carousel', carouselCards: [{ title: 'One', buttons: [] }], buttons: [{ type: 'button', text: 'More' }] }));
    expect(messages).toStrictEqual([
      { kind: 'carousel', cards: [{ title: 'One', buttons: [] }] },
      { kind: 'text', text: '', buttons: [{ kind: 'reply', text: 'More' }] },
    ]);
  });

  it('shows a "carousel" without cards as its text', () => {
    expect(toBotMessages(sendMessage({ type: 'carousel', text: 'Nothing found', carouselCards: [] }))).toStrictEqual([{ kind: 'text', text: 'Nothing found', buttons: [] }]);
  });
});
