/**
 * Sample values the store tests write: a conversation record on a Slack-like thread and
 * messages. Free of vitest, so the restart test's child process can use them too.
 */
import type { BotMessage } from '../../../src/core/bot-message.js';
import type { ConversationRecord, SessionState } from '../../../src/store/store.js';

/** A conversation record on a Slack-like thread. */
export function conversation(
  id: string,
  session: SessionState = 'active',
  thread = { channel: 'slack', key: 'T1:C1:1712345678.000100' },
): ConversationRecord {
  return {
    id,
    address: { ...thread, reference: { channel: 'C1', threadTs: '1712345678.000100', team: 'T1' } },
    requester: { id: 'U1', name: 'Ada', email: 'ada@example.com', locale: 'en-GB' },
    session,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
  };
}

/** A plain text message. */
export function text(value: string): BotMessage {
  return { kind: 'text', text: value, buttons: [] };
}

/** Messages of every kind with awkward content, to prove values round-trip exactly. */
export const AWKWARD_MESSAGES: BotMessage[] = [
  {
    kind: 'text',
    text: 'Grüße 👋 — "quotes", back\\slash, <tags> & ampersands, 改行\nnew line, \u2028 separator',
    buttons: [
      { kind: 'reply', text: 'Ja ✅', payload: '{"nested":"json"}' },
      { kind: 'link', text: 'Docs', url: 'https://example.com/a?b=c&d=é' },
    ],
    sender: { name: 'Zoë', avatarUrl: 'https://example.com/z.png' },
  },
  {
    kind: 'carousel',
    cards: [
      { title: 'Card 1', description: '', imageUrl: 'https://example.com/1.png', buttons: [] },
      { title: 'Καλημέρα', buttons: [{ kind: 'reply', text: 'Pick' }] },
    ],
  },
  { kind: 'media', mediaType: 'image', url: 'https://example.com/cat.jpg', text: '🐱' },
];
