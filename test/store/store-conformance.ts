/**
 * The one conformance suite every Store implementation runs (memory, SQLite, Redis): the same
 * cases, so the three behave alike. Each kind's test file calls describeStoreConformance with a
 * factory that opens a fresh, isolated store.
 */
import { afterEach, describe } from 'vitest';
import type { Store } from '../../src/store/store.js';
import type { StoreLimits } from '../../src/store/store-limits.js';
import type { ConformanceContext, StoreFactory, StoreFixture } from './conformance/fixture.js';
import { conversationCases } from './conformance/conversation-cases.js';
import { claimCases } from './conformance/claim-cases.js';
import { queueCases } from './conformance/queue-cases.js';
import { leaseCases } from './conformance/lease-cases.js';
import { deadLetterCases } from './conformance/dead-letter-cases.js';
import { recordCases } from './conformance/record-cases.js';

export type { StoreFactory, StoreFixture } from './conformance/fixture.js';

/** Declares the conformance suite for one store kind. */
export function describeStoreConformance(name: string, factory: StoreFactory): void {
  describe(`${name} store conformance`, () => {
    const opened: Store[] = [];

    afterEach(async () => {
      const stores = opened.splice(0);
      await Promise.all(stores.map((store) => store.close()));
    });

    const ctx: ConformanceContext = {
      async open(limits?: Partial<StoreLimits>): Promise<StoreFixture> {
        const fixture = await factory(limits);
        opened.push(fixture.store);
        return fixture;
      },
      peerOf(fixture: StoreFixture): Store {
        if (!fixture.openPeer) return fixture.store;
        const peer = fixture.openPeer();
        opened.push(peer);
        return peer;
      },
    };

    describe('conversations', () => conversationCases(ctx));
    describe('claims', () => claimCases(ctx));
    describe('outbox queues', () => queueCases(ctx));
    describe('fenced leases', () => leaseCases(ctx));
    describe('dead letters', () => deadLetterCases(ctx));
    describe('records and lists', () => recordCases(ctx));
  });
}
