/** The pure BotMessage → Teams activities renderer, against literal card JSON. */
import { describe, expect, it } from 'vitest';
import { renderActivities } from '../../adapters/teams/render-activities.js';
import { teamsLimits } from '../../adapters/teams/limits.js';
import type { BotCard } from '../../src/core/bot-message.js';

const schema = 'http://adaptivecards.io/schemas/adaptive-card.json';
const context = { conversationId: 'conv-1' };

describe('renderActivities', () => {
  it('renders plain text as one Markdown message', () => {
    expect(renderActivities({ kind: 'text', text: 'Hello **there**', buttons: [] }, context)).toEqual([
      { type: 'message', text: 'Hello **there**', textFormat: 'markdown' },
    ]);
  });

  it('renders text with reply and link buttons as an Adaptive Card 1.5 with Action.Submit plain data and Action.OpenUrl', () => {
    const activities = renderActivities(
      {
        kind: 'text',
        text: 'How can I help?',
        buttons: [
          { kind: 'reply', text: 'Show products' },
          { kind: 'reply', text: 'Talk to a human', payload: 'HUMAN' },
          { kind: 'link', text: 'Read the docs', url: 'https://example.com/docs' },
        ],
      },
      context,
    );
    expect(activities).toEqual([
      {
        type: 'message',
        summary: 'How can I help?',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: {
              type: 'AdaptiveCard',
              $schema: schema,
              version: '1.5',
              body: [{ type: 'TextBlock', text: 'How can I help?', wrap: true }],
              actions: [
                { type: 'Action.Submit', title: 'Show products', data: { kind: 'bridge.click', conversationId: 'conv-1', text: 'Show products', shown: 'How can I help?' } },
                {
                  type: 'Action.Submit',
                  title: 'Talk to a human',
                  data: { kind: 'bridge.click', conversationId: 'conv-1', text: 'Talk to a human', payload: 'HUMAN', shown: 'How can I help?' },
                },
                { type: 'Action.OpenUrl', title: 'Read the docs', url: 'https://example.com/docs' },
              ],
            },
          },
        ],
      },
    ]);
  });

  it('renders a carousel as attachmentLayout carousel of cards with title, image with alt text, description and buttons', () => {
    const activities = renderActivities(
      {
        kind: 'carousel',
        text: 'Our picks',
        cards: [
          { title: 'Aurora headphones', description: '30 hours of battery.', imageUrl: 'https://example.com/a.png', buttons: [{ kind: 'reply', text: 'Choose' }] },
          { title: 'Nimbus keyboard', buttons: [{ kind: 'link', text: 'Details', url: 'https://example.com/k' }] },
        ],
      },
      context,
    );
    expect(activities).toEqual([
      { type: 'message', text: 'Our picks', textFormat: 'markdown' },
      {
        type: 'message',
        summary: 'Our picks',
        attachmentLayout: 'carousel',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: {
              type: 'AdaptiveCard',
              $schema: schema,
              version: '1.5',
              body: [
                { type: 'TextBlock', text: 'Aurora headphones', wrap: true, weight: 'Bolder', size: 'Medium' },
                { type: 'Image', url: 'https://example.com/a.png', altText: 'Aurora headphones', size: 'Stretch' },
                { type: 'TextBlock', text: '30 hours of battery.', wrap: true, isSubtle: true },
              ],
              actions: [
                { type: 'Action.Submit', title: 'Choose', data: { kind: 'bridge.click', conversationId: 'conv-1', text: 'Choose', cardIndex: 0, shown: 'Aurora headphones' } },
              ],
            },
          },
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: {
              type: 'AdaptiveCard',
              $schema: schema,
              version: '1.5',
              body: [{ type: 'TextBlock', text: 'Nimbus keyboard', wrap: true, weight: 'Bolder', size: 'Medium' }],
              actions: [{ type: 'Action.OpenUrl', title: 'Details', url: 'https://example.com/k' }],
            },
          },
        ],
      },
    ]);
  });

  it('splits more than ten cards across carousel messages, keeping each card\'s index', () => {
    const cards: BotCard[] = Array.from({ length: 23 }, (_, index) => ({ title: `Card ${index}`, buttons: [{ kind: 'reply', text: 'Pick' }] }));
    const activities = renderActivities({ kind: 'carousel', cards }, context);
    expect(activities.map((activity) => activity.attachments?.length)).toEqual([10, 10, 3]);
    expect(activities.every((activity) => activity.attachmentLayout === 'carousel')).toBe(true);
    const last = activities[2]!.attachments![2]!.content;
    expect(last.body[0]).toMatchObject({ text: 'Card 22' });
    expect(last.actions![0]).toMatchObject({ data: { cardIndex: 22 } });
  });

  it('keeps every activity under the size limit by splitting long text and big carousels', () => {
    const longText = 'word '.repeat(30_000);
    const textActivities = renderActivities({ kind: 'text', text: longText, buttons: [] }, context);
    expect(textActivities.length).toBeGreaterThan(1);
    expect(textActivities.map((activity) => activity.text).join(' ').replace(/\s+/g, ' ').trim()).toBe(longText.trim());
    const bigCards: BotCard[] = Array.from({ length: 10 }, (_, index) => ({
      title: `Card ${index}`,
      description: 'd'.repeat(teamsLimits.cardDescriptionChars),
      buttons: Array.from({ length: 4 }, (_unused, button) => ({ kind: 'reply' as const, text: `${button}`.repeat(1_500) })),
    }));
    const carousels = renderActivities({ kind: 'carousel', cards: bigCards }, context);
    expect(carousels.length).toBeGreaterThan(1);
    for (const activity of [...textActivities, ...carousels]) {
      expect(new TextEncoder().encode(JSON.stringify(activity)).length).toBeLessThanOrEqual(teamsLimits.activityBytes);
    }
  });

  it('puts long text before a button card into separate messages and the last part in the card', () => {
    const text = `${'a'.repeat(9_000)}\n\n${'b'.repeat(9_000)}`;
    const activities = renderActivities({ kind: 'text', text, buttons: [{ kind: 'reply', text: 'OK' }] }, context);
    expect(activities).toHaveLength(2);
    expect(activities[0]).toEqual({ type: 'message', text: 'a'.repeat(9_000), textFormat: 'markdown' });
    expect(activities[1]!.attachments![0]!.content.body).toEqual([{ type: 'TextBlock', text: 'b'.repeat(9_000), wrap: true }]);
  });

  it('moves buttons past the six Teams shows into action sets in the card body', () => {
    const buttons = Array.from({ length: 8 }, (_, index) => ({ kind: 'reply' as const, text: `Option ${index}` }));
    const card = renderActivities({ kind: 'text', text: 'Pick one', buttons }, context)[0]!.attachments![0]!.content;
    expect(card.actions).toBeUndefined();
    expect(card.body.map((element) => element.type)).toEqual(['TextBlock', 'ActionSet', 'ActionSet']);
    expect(card.body[2]).toMatchObject({ type: 'ActionSet', actions: [{ title: 'Option 6' }, { title: 'Option 7' }] });
  });

  it('shows the agent name as a bold line on agent messages', () => {
    expect(renderActivities({ kind: 'text', text: 'I can help with that.', buttons: [], sender: { name: 'Dana *Ops*' } }, context)).toEqual([
      { type: 'message', text: '**Dana \\*Ops\\***\n\nI can help with that.', textFormat: 'markdown' },
    ]);
  });

  it('renders an image as a card with alt text and caption, and other media as a link', () => {
    expect(renderActivities({ kind: 'media', mediaType: 'image', url: 'https://example.com/cat.png', text: 'A cat' }, context)).toEqual([
      {
        type: 'message',
        summary: 'A cat',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: {
              type: 'AdaptiveCard',
              $schema: schema,
              version: '1.5',
              body: [
                { type: 'Image', url: 'https://example.com/cat.png', altText: 'A cat', size: 'Auto' },
                { type: 'TextBlock', text: 'A cat', wrap: true, isSubtle: true },
              ],
            },
          },
        ],
      },
    ]);
    expect(renderActivities({ kind: 'media', mediaType: 'file', url: 'https://example.com/terms.pdf', text: 'Terms [v2]' }, context)).toEqual([
      { type: 'message', text: '[Terms \\[v2\\]](https://example.com/terms.pdf)', textFormat: 'markdown' },
    ]);
  });

  it('keeps only http(s) and mailto links as Action.OpenUrl; javascript:, file: and data: become a line of text', () => {
    const buttons = [
      { kind: 'link' as const, text: 'Docs', url: 'https://example.com/docs' },
      { kind: 'link' as const, text: 'Mail us', url: 'mailto:help@example.com' },
      { kind: 'link' as const, text: 'Run me', url: 'javascript:alert(document.cookie)' },
      { kind: 'link' as const, text: 'Share', url: 'file://attacker.example/share/x' },
      { kind: 'link' as const, text: 'Data', url: 'data:text/html,<script>alert(1)</script>' },
    ];
    const [activity] = renderActivities({ kind: 'text', text: 'Links', buttons }, context);
    const card = activity!.attachments![0]!.content;
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Docs', url: 'https://example.com/docs' },
      { type: 'Action.OpenUrl', title: 'Mail us', url: 'mailto:help@example.com' },
    ]);
    expect(card.body).toEqual([
      {
        type: 'TextBlock',
        wrap: true,
        text: 'Links\n\nRun me: javascript:alert(document.cookie)\n\nShare: file://attacker.example/share/x\n\nData: data:text/html,\\<script\\>alert(1)\\</script\\>',
      },
    ]);
    expect(JSON.stringify(activity)).not.toMatch(/"url":"(javascript|file|data):/);

    // With no usable button left, a plain message; on a carousel card, a subtle line under the card.
    expect(renderActivities({ kind: 'text', text: 'Only this', buttons: [buttons[2]!] }, context)).toEqual([
      { type: 'message', text: 'Only this\n\nRun me: javascript:alert(document.cookie)', textFormat: 'markdown' },
    ]);
    const [, carousel] = renderActivities({ kind: 'carousel', text: 'Pick', cards: [{ title: 'A', imageUrl: 'file://attacker.example/a.png', buttons: [buttons[0]!, buttons[3]!] }] }, context);
    const cardA = carousel!.attachments![0]!.content;
    expect(cardA.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Docs', url: 'https://example.com/docs' }]);
    expect(cardA.body).toEqual([
      { type: 'TextBlock', text: 'A', wrap: true, weight: 'Bolder', size: 'Medium' },
      { type: 'TextBlock', text: 'Share: file://attacker.example/share/x', wrap: true, isSubtle: true },
    ]);
  });

  it('renders media with a URL of another scheme as text, never as a link or image', () => {
    expect(renderActivities({ kind: 'media', mediaType: 'file', url: 'javascript:alert(1)', text: 'Terms' }, context)).toEqual([
      { type: 'message', text: 'Terms (javascript:alert(1))', textFormat: 'markdown' },
    ]);
    expect(renderActivities({ kind: 'media', mediaType: 'image', url: 'file://attacker.example/cat.png' }, context)).toEqual([
      { type: 'message', text: 'file://attacker.example/cat.png', textFormat: 'markdown' },
    ]);
  });

  it('renders verbatim text (a person\'s own words) escaped: no live link, mention or formatting', () => {
    const words = '[Verify your account](https://evil.example) <at>Dana Agent</at> **urgent**\n- item\n1. step';
    expect(renderActivities({ kind: 'text', text: words, buttons: [], verbatim: true, sender: { name: 'Megan [Bowen]' } }, context)).toEqual([
      {
        type: 'message',
        text: '**Megan \\[Bowen\\]**\n\n\\[Verify your account\\](https://evil.example) \\<at\\>Dana Agent\\</at\\> \\*\\*urgent\\*\\*\n\\- item\n1\\. step',
        textFormat: 'markdown',
      },
    ]);
    // Without the flag, bot text keeps its Markdown.
    expect(renderActivities({ kind: 'text', text: '[Docs](https://example.com)', buttons: [] }, context)[0]!.text).toBe('[Docs](https://example.com)');
  });
});
