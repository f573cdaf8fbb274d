/**
 * What the store conformance suite needs from each store kind, and helpers its cases share.
 */
import { expect } from 'vitest';
import type { Lease, QueueRef, Store } from '../../../src/store/store.js';
import type { StoreLimits } from '../../../src/store/store-limits.js';

/** A fresh, isolated store, with what its kind supports for testing. */
export interface StoreFixture {
  store: Store;
  /** Moves the store's clock forward. Absent when the store keeps real time (Redis). */
  advance?: (ms: number) => void;
  /** A second, independent connection to the same data (another replica), where the kind has one. */
  openPeer?: () => Store;
}

/** Opens a fresh fixture with the given limits. */
export type StoreFactory = (limits?: Partial<StoreLimits>) => Promise<StoreFixture>;

/** What each group of cases gets: `open` returns a fixture that is closed after the test. */
export interface ConformanceContext {
  open(limits?: Partial<StoreLimits>): Promise<StoreFixture>;
  /** Opens a peer if the kind has one, else returns the fixture's own store. */
  peerOf(fixture: StoreFixture): Store;
}

/**
 * Lets `ms` pass and waits until `check` holds: with a controllable clock it moves the clock
 * past `ms`; with real time it polls until a deadline.
 */
export async function afterTime(fixture: StoreFixture, ms: number, check: () => Promise<boolean>): Promise<void> {
  if (fixture.advance) {
    fixture.advance(ms + 1);
    expect(await check()).toBe(true);
    return;
  }
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition still false 5 s after a ${ms} ms expiry`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Lets `ms` pass: moves a controllable clock, or waits in real time (Redis). */
export async function passTime(fixture: StoreFixture, ms: number): Promise<void> {
  if (fixture.advance) fixture.advance(ms);
  else await new Promise((resolve) => setTimeout(resolve, ms));
}

/** A lease on `queue` that the test needs to hold; fails the test if the queue is taken. */
export async function leaseOf(store: Store, queue: QueueRef, ttlMs = 60_000): Promise<Lease> {
  const lease = (await store.acquireLease(queue, ttlMs, 0))?.lease;
  if (!lease) throw new Error(`expected to acquire the lease on ${queue.destination}:${queue.key}`);
  return lease;
}
