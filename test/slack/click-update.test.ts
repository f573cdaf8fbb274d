/**
 * After a click: the bridge's reply buttons are gone from the message (actions blocks and
 * carousel cards), link buttons stay, and a line shows the choice.
 */
import { describe, expect, it } from 'vitest';
import { blocksAfterClick } from '../../adapters/slack/click-update.js';
import { renderMessage } from '../../adapters/slack/render-blocks.js';

describe('blocksAfterClick', () => {
  it('removes reply buttons, keeps link buttons and shows the choice', () => {
    const [message] = renderMessage(
      { kind: 'text', text: 'Pick', buttons: [{ kind: 'reply', text: 'Yes' }, { kind: 'link', text: 'Docs', url: 'https://example.com' }] },
      { conversationId: 'c' },
    );
    const received = JSON.parse(JSON.stringify(message!.blocks));
    expect(blocksAfterClick(received, 'Yes <b>')).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: 'Pick' } },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Docs', emoji: true }, action_id: 'bridge.link.0', url: 'https://example.com' }] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: '✓ Yes &lt;b&gt;' }] },
    ]);
  });

  it('drops emptied actions blocks and card actions in a carousel', () => {
    const [message] = renderMessage(
      { kind: 'carousel', cards: [{ title: 'A', buttons: [{ kind: 'reply', text: 'Pick A' }] }, { title: 'B', buttons: [{ kind: 'reply', text: 'Pick B' }] }] },
      { conversationId: 'c' },
    );
    const after = blocksAfterClick(JSON.parse(JSON.stringify(message!.blocks)), 'Pick A');
    expect(after).toEqual([
      { type: 'carousel', elements: [{ type: 'card', title: { type: 'mrkdwn', text: 'A' } }, { type: 'card', title: { type: 'mrkdwn', text: 'B' } }] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: '✓ Pick A' }] },
    ]);
    const [fallback] = renderMessage({ kind: 'text', text: 'x', buttons: [{ kind: 'reply', text: 'Only' }] }, { conversationId: 'c' });
    expect(blocksAfterClick(JSON.parse(JSON.stringify(fallback!.blocks)), 'Only').map((block) => block.type)).toEqual(['section', 'context']);
  });
});
