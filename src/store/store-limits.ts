/**
 * The bounds every store keeps, in one table, and the options all three store kinds share.
 * Every queue and cache in a store has a bound here; the defaults suit one bridge process.
 */
import { ConfigError } from '../core/errors.js';

/** The bounds of a store. All are positive integers. */
export interface StoreLimits {
  /** Undelivered entries one outbox queue may hold; enqueue() or a replay past it fails with `store_failed`. */
  maxPendingPerConversation: number;
  /** Dead letters kept, newest first; older ones are dropped. */
  maxDeadLetters: number;
  /**
   * How long a conversation, a versioned record, a list, an idle queue's sequence counter or a
   * lease nobody renewed is kept after its last write. Pending entries and dead letters never expire.
   */
  retentionMs: number;
  /**
   * Memory store only: conversations kept (least recently used dropped first), and also the bound
   * on claims, dedupe keys, leases, records, lists, sequence counters and queues with pending
   * entries, each.
   */
  maxMemoryEntries: number;
  /** SQLite store only: writes one group-commit transaction takes at most (sqlite-group-commit.ts). */
  maxBatchWrites: number;
  /** SQLite store only: writes waiting for their commit at most; one more is refused with `store_failed`. */
  maxQueuedWrites: number;
}

/**
 * The defaults: 1000 pending per queue, 10,000 dead letters, 30 days, 10,000 memory entries, 512
 * writes per SQLite commit, 20,000 writes waiting for one.
 */
export const DEFAULT_STORE_LIMITS: Readonly<StoreLimits> = Object.freeze({
  maxPendingPerConversation: 1000,
  maxDeadLetters: 10_000,
  retentionMs: 30 * 24 * 60 * 60 * 1000,
  maxMemoryEntries: 10_000,
  maxBatchWrites: 512,
  maxQueuedWrites: 20_000,
});

/** A clock in epoch milliseconds; a parameter so tests can move time. */
export type StoreClock = () => number;

/** Options every store kind accepts. */
export interface StoreOptions {
  /** The clock for claim expiry and retention (memory and SQLite; Redis keeps time itself). */
  now?: StoreClock;
  limits?: Partial<StoreLimits>;
}

/** The defaults with `overrides` applied; a bound that is not a positive integer is a ConfigError. */
export function resolveStoreLimits(overrides: Partial<StoreLimits> = {}): StoreLimits {
  const limits = { ...DEFAULT_STORE_LIMITS, ...definedOnly(overrides) };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new ConfigError(`Store limit ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  return limits;
}

function definedOnly(overrides: Partial<StoreLimits>): Partial<StoreLimits> {
  return Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
}
