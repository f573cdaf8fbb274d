/**
 * How a clicked message looks afterwards: the bridge's reply buttons are gone (so a second click
 * cannot send twice) and a line shows the choice. Link buttons stay. Pure: works on the blocks
 * Slack sent back in the block_actions payload.
 */
import { isReplyActionId } from './click-codec.js';
import { SLACK_LIMITS as L } from './limits.js';
import { escapeMrkdwn, truncateMrkdwn } from './mrkdwn.js';

/** A block as Slack returns it: JSON we pass back unchanged except for the buttons. */
export type ReceivedBlock = { type: string } & Record<string, unknown>;

/** The blocks for chat.update after a click on the reply button labelled `choice`. */
export function blocksAfterClick(blocks: ReceivedBlock[], choice: string): ReceivedBlock[] {
  const kept = blocks.flatMap((block) => withoutReplyButtons(block));
  if (kept.length >= L.blocksPerMessage) return kept; // no room for the note; the missing buttons show the click was taken
  const note = truncateMrkdwn(`✓ ${escapeMrkdwn(choice)}`, L.contextText);
  return [...kept, { type: 'context', elements: [{ type: 'mrkdwn', text: note }] }];
}

function withoutReplyButtons(block: ReceivedBlock): ReceivedBlock[] {
  switch (block.type) {
    case 'actions': {
      const elements = keepNonReply(block.elements);
      return elements.length === 0 ? [] : [{ ...block, elements }];
    }
    case 'card':
      return [cardWithoutReplyButtons(block)];
    case 'carousel':
      return [{ ...block, elements: asBlocks(block.elements).map(cardWithoutReplyButtons) }];
    default:
      return [block];
  }
}

function cardWithoutReplyButtons(card: ReceivedBlock): ReceivedBlock {
  if (!Array.isArray(card.actions)) return card;
  const { actions, ...rest } = card;
  const kept = keepNonReply(actions);
  return kept.length === 0 ? rest : { ...rest, actions: kept };
}

function keepNonReply(elements: unknown): ReceivedBlock[] {
  return asBlocks(elements).filter((element) => !(typeof element.action_id === 'string' && isReplyActionId(element.action_id)));
}

function asBlocks(value: unknown): ReceivedBlock[] {
  return Array.isArray(value) ? value.filter((item): item is ReceivedBlock => typeof item === 'object' && item !== null && typeof item.type === 'string') : [];
}
