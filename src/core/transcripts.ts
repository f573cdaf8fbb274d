/**
 * A bounded transcript per conversation (the ticket post shows its last turns). Kept in the
 * store so every replica sees the same one.
 */
import type { TranscriptTurn } from './channel-adapter.js';
import type { ListAppend, Store } from '../store/store.js';

/** Turns kept per conversation; a desk shows at most this many. */
export const maxTranscriptTurns = 50;
/** Characters kept per turn. */
const maxTurnLength = 1000;

/** Transcript reads and writes. */
export class Transcripts {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** Append one turn. */
  add(conversationId: string, from: TranscriptTurn['from'], text: string): Promise<void> {
    const { key, item, maxItems } = this.turn(conversationId, from, text);
    return this.store.appendToList(key, item, maxItems);
  }

  /** One turn as a list item, for a store step that records it with something else (an entry's progress). */
  turn(conversationId: string, from: TranscriptTurn['from'], text: string): ListAppend {
    const turn: TranscriptTurn = { from, text: text.slice(0, maxTurnLength), at: this.now() };
    return { key: key(conversationId), item: JSON.stringify(turn), maxItems: maxTranscriptTurns };
  }

  /** The last `turns` turns, oldest first. */
  async last(conversationId: string, turns: number): Promise<TranscriptTurn[]> {
    if (turns <= 0) return [];
    const items = await this.store.readList(key(conversationId));
    return items.slice(-turns).map((item) => JSON.parse(item) as TranscriptTurn);
  }
}

function key(conversationId: string): string {
  return `transcript:${conversationId}`;
}
