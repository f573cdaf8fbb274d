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
});
