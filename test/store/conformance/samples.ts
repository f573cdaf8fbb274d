/**
 * Sample values the store tests write: a conversation record on a Slack-like thread, queues and
 * payloads. Free of vitest, so the child processes of the SQLite tests can use them too.
 */
import type {
  ConversationRecord,
  Destination,
  EnqueueResult,
  Json,
  QueueRef,
  SessionState,
} from '../../../src/store/store.js';

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

/** A queue of the outbox; `conversation` unless another destination is named. */
export function queue(key: string, destination: Destination = 'conversation'): QueueRef {
  return { destination, key };
}

/** A payload shaped like a bot text message. */
export function message(text: string): Json {
  return { kind: 'text', text, buttons: [] };
}

/** The entries of a result that must have been queued. */
export function queuedSeqs(result: EnqueueResult): number[] {
  if (result.status !== 'queued') throw new Error(`expected the enqueue to be queued, got ${result.status}`);
  return result.seqs;
}

/** The seqs of some entries, in their order. */
export function seqsOf(entries: { seq: number }[]): number[] {
  return entries.map((entry) => entry.seq);
}

/** Payloads with awkward content of every JSON kind, to prove values round-trip exactly. */
export const AWKWARD_PAYLOADS: Json[] = [
  {
    kind: 'text',
    text: 'Grüße 👋 — "quotes", back\\slash, <tags> & ampersands, 改行\nnew line, \u2028 separator',
    buttons: [
      { kind: 'reply', text: 'Ja ✅', payload: '{"nested":"json"}' },
      { kind: 'link', text: 'Docs', url: 'https://example.com/a?b=c&d=é' },
    ],
    empty: {},
    emptyList: [],
  },
  [1, -2.5, 0, null, true, false, '', [], {}, { deep: { deeper: ['🎉'] } }],
  'a bare string with "quotes"',
  42,
  null,
];
