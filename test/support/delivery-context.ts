/**
 * A DeliveryContext as the core's delivery loop gives an adapter: the conversation id, the
 * progress an earlier attempt saved, and a `saveProgress` that keeps what the adapter records,
 * so a test can hand it to the next attempt as the store would.
 */
import type { DeliveryContext, DeliveryProgress } from '../../src/core/channel-adapter.js';

/** A context that remembers saved progress and starts each attempt from the last one saved. */
export interface RecordingContext extends DeliveryContext {
  saved: DeliveryProgress[];
}

/** A fresh context (no progress yet) for `conversationId`. */
export function deliveryContext(conversationId = 'conv-1', progress?: DeliveryProgress): RecordingContext {
  const context: RecordingContext = {
    conversationId,
    progress,
    saved: [],
    async saveProgress(next) {
      context.saved.push(next);
      context.progress = next;
    },
  };
  return context;
}
