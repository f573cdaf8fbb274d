/**
 * The Block Kit renderer against literal Block Kit JSON: text with Markdown and buttons, link
 * buttons, the native carousel, its section fallback, media, escaping, and splitting.
 */
import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../adapters/slack/render-blocks.js';
import type { BotCard } from '../../src/core/bot-message.js';
import { limitViolations } from './support/block-limit-check.js';

const conversationId = '6f1c2d9e-0000-4000-8000-000000000001';

describe('renderMessage', () => {
  it('renders text with Markdown as mrkdwn and buttons as an actions block', () => {
    const messages = renderMessage(
      {
        kind: 'text',
        text: 'Hi **Ann**, see [the guide](https://example.com/guide?a=1&b=2)',
        buttons: [
          { kind: 'reply', text: 'Yes' },
          { kind: 'reply', text: 'Talk to a human', payload: 'HUMAN' },
          { kind: 'link', text: 'Open portal', url: 'https://portal.example.com' },
        ],
      },
      { conversationId },
    );
    expect(messages).toEqual([
      {
        text: 'Hi *Ann*, see <https://example.com/guide?a=1&amp;b=2|the guide>\n[Yes | Talk to a human | Open portal]',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: 'Hi *Ann*, see <https://example.com/guide?a=1&amp;b=2|the guide>' } },
          {
            type: 'actions',
            elements: [
              {
                type: 'button',
                text: { type: 'plain_text', text: 'Yes', emoji: true },
                action_id: 'bridge.reply.0',
                value: `{"c":"${conversationId}","t":"Yes"}`,
              },
              {
                type: 'button',
                text: { type: 'plain_text', text: 'Talk to a human', emoji: true },
                action_id: 'bridge.reply.1',
                value: `{"c":"${conversationId}","t":"Talk to a human","p":"HUMAN"}`,
              },
              { type: 'button', text: { type: 'plain_text', text: 'Open portal', emoji: true }, action_id: 'bridge.link.0', url: 'https://portal.example.com' },
            ],
          },
        ],
      },
    ]);
  });

  it('escapes text so the bot can never ping a channel or a user', () => {
    const [message] = renderMessage({ kind: 'text', text: 'Hey <!channel> and <@U123> & <!subteam^S1>', buttons: [] }, { conversationId });
    expect(message).toEqual({
      text: 'Hey &lt;!channel&gt; and &lt;@U123&gt; &amp; &lt;!subteam^S1&gt;',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Hey &lt;!channel&gt; and &lt;@U123&gt; &amp; &lt;!subteam^S1&gt;' } }],
    });
  });

  it('converts headings, lists, italics, strike and code', () => {
    const [message] = renderMessage({ kind: 'text', text: '## Steps\n- *first* one\n- ~~second~~\n\n`a<b`', buttons: [] }, { conversationId });
    expect(message!.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '*Steps*\n• _first_ one\n• ~second~\n\n`a&lt;b`' } }]);
  });

  it('renders a carousel as a native carousel of cards, with the card index in each click', () => {
    const cards: BotCard[] = [
      { title: 'Plan A', description: 'Cheap **and** good', imageUrl: 'https://img.example.com/a.png', buttons: [{ kind: 'reply', text: 'Choose A' }] },
      { title: 'Plan <B>', buttons: [{ kind: 'reply', text: 'Choose B' }, { kind: 'link', text: 'Details', url: 'https://example.com/b' }] },
    ];
    expect(renderMessage({ kind: 'carousel', text: 'Pick a plan', cards }, { conversationId })).toEqual([
      {
        text: 'Pick a plan\n[Plan A | Plan &lt;B&gt;]',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: 'Pick a plan' } },
          {
            type: 'carousel',
            elements: [
              {
                type: 'card',
                title: { type: 'mrkdwn', text: 'Plan A' },
                body: { type: 'mrkdwn', text: 'Cheap *and* good' },
                hero_image: { type: 'image', image_url: 'https://img.example.com/a.png', alt_text: 'Plan A' },
                actions: [
                  {
                    type: 'button',
                    text: { type: 'plain_text', text: 'Choose A', emoji: true },
                    action_id: 'bridge.reply.0',
                    value: `{"c":"${conversationId}","t":"Choose A","i":0}`,
                  },
                ],
              },
              {
                type: 'card',
                title: { type: 'mrkdwn', text: 'Plan &lt;B&gt;' },
                actions: [
                  {
                    type: 'button',
                    text: { type: 'plain_text', text: 'Choose B', emoji: true },
                    action_id: 'bridge.reply.1',
                    value: `{"c":"${conversationId}","t":"Choose B","i":1}`,
                  },
                  { type: 'button', text: { type: 'plain_text', text: 'Details', emoji: true }, action_id: 'bridge.link.0', url: 'https://example.com/b' },
                ],
              },
            ],
          },
        ],
      },
    ]);
  });

  it('falls back to section + image accessory + actions per card when asked (or past 10 cards)', () => {
    const card: BotCard = { title: 'Plan A', description: 'Cheap', imageUrl: 'https://img.example.com/a.png', buttons: [{ kind: 'reply', text: 'Choose A' }] };
    expect(renderMessage({ kind: 'carousel', cards: [card] }, { conversationId, carousel: 'fallback' })).toEqual([
      {
        text: 'Plan A',
        blocks: [
          {
            type: 'section',
            text: { type: 'mrkdwn', text: '*Plan A*\nCheap' },
            accessory: { type: 'image', image_url: 'https://img.example.com/a.png', alt_text: 'Plan A' },
          },
          {
            type: 'actions',
            elements: [
              {
                type: 'button',
                text: { type: 'plain_text', text: 'Choose A', emoji: true },
                action_id: 'bridge.reply.0',
                value: `{"c":"${conversationId}","t":"Choose A","i":0}`,
              },
            ],
          },
        ],
      },
    ]);
    const eleven = Array.from({ length: 11 }, (_, index) => ({ ...card, title: `Plan ${index}` }));
    const [message] = renderMessage({ kind: 'carousel', cards: eleven }, { conversationId });
    expect(message!.blocks.some((block) => block.type === 'carousel')).toBe(false);
    expect(message!.blocks.filter((block) => block.type === 'section')).toHaveLength(11);
  });

  it('uses the fallback layout for a card whose description would be cut in a native card', () => {
    const [message] = renderMessage({ kind: 'carousel', cards: [{ title: 'Long', description: 'x'.repeat(201), buttons: [] }] }, { conversationId });
    expect(message!.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: `*Long*\n${'x'.repeat(201)}` } }]);
  });

  it('renders an image as an image block and other media as a link', () => {
    expect(renderMessage({ kind: 'media', mediaType: 'image', url: 'https://img.example.com/cat.png', text: 'A cat' }, { conversationId })).toEqual([
      {
        text: 'A cat (https://img.example.com/cat.png)',
        blocks: [{ type: 'image', image_url: 'https://img.example.com/cat.png', alt_text: 'A cat', title: { type: 'plain_text', text: 'A cat' } }],
      },
    ]);
    expect(renderMessage({ kind: 'media', mediaType: 'file', url: 'https://files.example.com/Report%202024.pdf' }, { conversationId })).toEqual([
      {
        text: 'https://files.example.com/Report%202024.pdf',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '<https://files.example.com/Report%202024.pdf|Report 2024.pdf>' } }],
      },
    ]);
  });

  it('renders nothing for an empty text without buttons', () => {
    expect(renderMessage({ kind: 'text', text: '  ', buttons: [] }, { conversationId })).toEqual([]);
  });
});

describe('renderMessage of verbatim text (a requester relayed to agents)', () => {
  const conversationId = 'conv-verbatim';
  const forged = '[Verify your account](https://evil.example/login) <https://evil.example|Reset password> <!channel> <@U123> **urgent** & more';

  it('escapes everything, converts no Markdown, and asks Slack to auto-link nothing', () => {
    expect(renderMessage({ kind: 'text', text: forged, buttons: [], verbatim: true }, { conversationId })).toEqual([
      {
        text: '[Verify your account](https://evil.example/login) &lt;https://evil.example|Reset password&gt; &lt;!channel&gt; &lt;@U123&gt; **urgent** &amp; more',
        blocks: [
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: '[Verify your account](https://evil.example/login) &lt;https://evil.example|Reset password&gt; &lt;!channel&gt; &lt;@U123&gt; **urgent** &amp; more',
              verbatim: true,
            },
          },
        ],
      },
    ]);
  });

  it('the same text without verbatim becomes a live labelled link (the bot may write links)', () => {
    const [message] = renderMessage({ kind: 'text', text: forged, buttons: [] }, { conversationId });
    expect(JSON.stringify(message)).toContain('<https://evil.example/login|Verify your account>');
  });

  it('never lets a control sequence through, whatever the text', () => {
    const samples = ['<!here>', '<!subteam^S1|team>', '<#C123>', '<mailto:a@b.example|x>', '&lt;!channel&gt;', '[a](<https://x.example>)', '<<!channel>>'];
    for (const text of samples) {
      const rendered = renderMessage({ kind: 'text', text, buttons: [], verbatim: true }, { conversationId });
      for (const message of rendered) {
        expect(message.text).not.toMatch(/[<>]/);
        for (const block of message.blocks) expect(JSON.stringify(block)).not.toMatch(/[<>]/);
      }
    }
  });

  it('splits long verbatim text into sections within the limits', () => {
    const messages = renderMessage({ kind: 'text', text: '<b>'.repeat(5_000), buttons: [], verbatim: true }, { conversationId });
    for (const message of messages) expect(limitViolations(message)).toEqual([]);
    expect(messages.flatMap((message) => message.blocks).length).toBeGreaterThan(1);
  });
});
