/** Every CSML message payload from the docs mapped to BotMessages (pure). */
import { describe, expect, it } from 'vitest';
import { csmlMessageSchema, type CsmlPayload } from '../../src/bot/csml/csml-schema.js';
import { csmlToBotMessages } from '../../src/bot/csml/csml-to-bot-message.js';
import type { BotMessage } from '../../src/core/bot-message.js';
import { loadFixture } from './support/fixtures.js';

function parsePayload(payload: unknown): CsmlPayload {
  return csmlMessageSchema.parse({ payload }).payload;
}

function mapFixture(name: string): BotMessage[] {
  return csmlToBotMessages([parsePayload(loadFixture('csml', name).payload)]).messages;
}

describe('csmlToBotMessages: each documented content type', () => {
  const cases: Array<[string, BotMessage[]]> = [
    ['payload-text', [{ kind: 'text', text: 'message', buttons: [] }]],
    ['payload-typing', []],
    ['payload-wait', []],
    ['payload-url', [{ kind: 'text', text: 'title', buttons: [{ kind: 'link', text: 'text', url: 'https://example.com' }] }]],
    ['payload-image', [{ kind: 'media', mediaType: 'image', url: 'https://example.com/image.jpg' }]],
    ['payload-audio', [{ kind: 'media', mediaType: 'audio', url: 'https://example.com/audio.mp3' }]],
    ['payload-video', [{ kind: 'media', mediaType: 'video', url: 'https://example.com/video.mp4' }]],
    ['payload-file', [{ kind: 'media', mediaType: 'file', url: 'https://example.com/video.mp4' }]],
    ['payload-button', [{ kind: 'text', text: '', buttons: [{ kind: 'reply', text: 'Button title', payload: 'Button payload' }] }]],
    ['payload-question', [{ kind: 'text', text: 'Question', buttons: [{ kind: 'reply', text: 'In the kitchen' }, { kind: 'reply', text: 'Somewhere else' }] }]],
    [
      'payload-question-with-payloads',
      [{ kind: 'text', text: 'Hi! My name is:', buttons: [{ kind: 'reply', text: 'What?', payload: 'btn1' }, { kind: 'reply', text: 'Who?', payload: 'btn2' }] }],
    ],
    [
      'payload-carousel',
      [
        {
          kind: 'carousel',
          cards: [
            {
              title: 'The Marshall Mathers LP',
              description: 'Release date: May 23, 2000',
              imageUrl: 'https://upload.wikimedia.org/wikipedia/en/a/ae/The_Marshall_Mathers_LP.jpg',
              buttons: [{ kind: 'reply', text: 'Listen to this album', payload: 'marshallmatherslp1' }],
            },
            {
              title: 'The Slim Shady LP',
              description: 'Release date: February 23, 1999',
              imageUrl: 'https://upload.wikimedia.org/wikipedia/en/3/35/Eminem_-_The_Slim_Shady_LP_CD_cover.jpg',
              buttons: [{ kind: 'reply', text: 'Listen to this album', payload: 'theslimshadylp' }],
            },
          ],
        },
      ],
    ],
  ];

  it.each(cases)('%s', (name, expected) => {
    expect(mapFixture(name)).toStrictEqual(expected);
  });
});

describe('csmlToBotMessages: edges', () => {
  it('uses the url itself when a Url has neither title nor text', () => {
    expect(csmlToBotMessages([parsePayload({ content_type: 'url', content: { url: 'https://example.com/x' } })]).messages).toStrictEqual([
      { kind: 'text', text: 'https://example.com/x', buttons: [{ kind: 'link', text: 'https://example.com/x', url: 'https://example.com/x' }] },
    ]);
  });

  it('maps a lone card to a carousel of one, and Url buttons of cards to link buttons', () => {
    const payload = parsePayload({
      content_type: 'card',
      content: { title: 'Docs', buttons: [{ content_type: 'url', content: { url: 'https://docs.example.com', text: 'Read' } }] },
    });
    expect(csmlToBotMessages([payload]).messages).toStrictEqual([
      { kind: 'carousel', cards: [{ title: 'Docs', buttons: [{ kind: 'link', text: 'Read', url: 'https://docs.example.com' }] }] },
    ]);
  });

  it('turns numeric button payloads into strings', () => {
    const payload = parsePayload({ content_type: 'question', content: { title: 'Pick', buttons: [{ content_type: 'button', content: { title: 'One', payload: 1 } }] } });
    expect(csmlToBotMessages([payload]).messages).toStrictEqual([{ kind: 'text', text: 'Pick', buttons: [{ kind: 'reply', text: 'One', payload: '1' }] }]);
  });

  it('shows unknown content types that carry text, and reports the others as skipped', () => {
    const mapping = csmlToBotMessages([
      parsePayload({ content_type: 'latex', content: { text: 'x^2', tts: 'x squared' } }),
      parsePayload({ content_type: 'calendar', content: {} }),
      parsePayload({ content_type: 'text', content: { text: '   ' } }),
    ]);
    expect(mapping).toStrictEqual({ messages: [{ kind: 'text', text: 'x^2', buttons: [] }], skipped: ['calendar'] });
  });

  it('refuses a known content type with a bad content, naming the path', () => {
    const result = csmlMessageSchema.safeParse({ payload: { content_type: 'question', content: { title: 'Q', buttons: [{ content_type: 'button', content: {} }] } } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['payload', 'content', 'buttons', 0, 'content', 'title']);
  });
});
