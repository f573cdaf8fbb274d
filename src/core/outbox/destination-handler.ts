/**
 * What the outbox's delivery loop needs from each destination (`bot`, `conversation`, `ticket`,
 * `widget`): one attempt at an entry, and what to do when an entry finally fails. Handlers make
 * exactly one attempt per call; the loop owns retries, order, leases and dead letters.
 */
import type { Json, ListAppend, OutboxEntry } from '../../store/store.js';

/** What the loop offers one attempt. */
export interface AttemptContext {
  /** What an earlier attempt (maybe on another replica) recorded with `saveProgress`. */
  progress: Json | undefined;
  /**
   * Record how far a delivery in several steps got, durably and under the queue's lease, before
   * going on: a retry starts from there and never repeats a step that was recorded. `append` is
   * the step's own list item (a transcript turn), recorded in the same atomic step.
   */
  saveProgress(progress: Json, append?: ListAppend): Promise<void>;
}

/** How a destination's entries are carried out. */
export interface DestinationHandler {
  /**
   * One attempt. Throws a `DeliveryError` or `BotRequestError`: retryable ones are retried under
   * the destination's policy, anything else is final.
   */
  deliver(entry: OutboxEntry, attempt: AttemptContext): Promise<void>;
  /** Called once when an entry finally fails, before it goes to the dead letters (tell someone). */
  onGiveUp?(entry: OutboxEntry, reason: string): Promise<void>;
  /** The platform an entry goes to, for rate-limit metrics (`slack`, `teams`, `ultimate`, ...); asked only on a rate limit. */
  platformOf?(entry: OutboxEntry): string | Promise<string>;
}
