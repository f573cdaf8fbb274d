/** The click codec round-trips every case, and every rendered reply button decodes to what it shows. */
import { describe, expect, it } from 'vitest';
import type { SubmitAction } from '../../adapters/teams/activity-shapes.js';
import { decodeClick, encodeClick } from '../../adapters/teams/click-codec.js';
import { renderActivities } from '../../adapters/teams/render-activities.js';
import type { BotMessage, ClickPayload } from '../../src/core/bot-message.js';

const cases: ClickPayload[] = [
  { conversationId: 'conv-1', text: 'Yes' },
  { conversationId: 'conv-1', text: 'Choose', cardIndex: 0 },
  { conversationId: 'conv-1', text: 'Choose', cardIndex: 9 },
  { conversationId: 'conv-2', text: 'Talk to a human', payload: 'HUMAN' },
  { conversationId: 'conv-3', text: 'Ünïcödé ✓ "quotes" <b>', cardIndex: 3, payload: '{"json":true}' },
  { conversationId: '', text: 'without a known conversation' },
];

describe('click codec', () => {
  it.each(cases)('round-trips %j as an object and as messageBack\'s JSON string', (payload) => {
    const data = encodeClick(payload, 'the question');
    expect(decodeClick(data)).toEqual({ payload, shown: 'the question' });
    expect(decodeClick(JSON.stringify(data))).toEqual({ payload, shown: 'the question' });
    expect(JSON.stringify(data)).not.toContain('msteams');
  });

  it('decodes nothing it did not write', () => {
    for (const value of [undefined, null, 'text', '{"property":"propertyValue"}', { property: 'propertyValue' }, { kind: 'other', text: 'x', conversationId: 'c' }, { kind: 'bridge.click', text: 5, conversationId: 'c' }]) {
      expect(decodeClick(value)).toBeUndefined();
    }
  });

  it('decodes every rendered reply button to its button text and card index', () => {
    const messages: BotMessage[] = [
      { kind: 'text', text: 'Pick', buttons: [{ kind: 'reply', text: 'A' }, { kind: 'link', text: 'Web', url: 'https://example.com' }, { kind: 'reply', text: 'B', payload: 'PB' }] },
      {
        kind: 'carousel',
        cards: Array.from({ length: 12 }, (_, card) => ({ title: `Card ${card}`, buttons: [{ kind: 'reply' as const, text: `Buy ${card}` }, { kind: 'reply' as const, text: 'Details' }] })),
      },
    ];
    const expected = [
      { conversationId: 'conv-9', text: 'A' },
      { conversationId: 'conv-9', text: 'B', payload: 'PB' },
      ...Array.from({ length: 12 }, (_, card) => [
        { conversationId: 'conv-9', text: `Buy ${card}`, cardIndex: card },
        { conversationId: 'conv-9', text: 'Details', cardIndex: card },
      ]).flat(),
    ];
    const submits = messages
      .flatMap((message) => renderActivities(message, { conversationId: 'conv-9' }))
      .flatMap((activity) => activity.attachments ?? [])
      .flatMap((attachment) => attachment.content.actions ?? [])
      .filter((action): action is SubmitAction => action.type === 'Action.Submit');
    expect(submits.map((action) => decodeClick(action.data)?.payload)).toEqual(expected);
  });
});
