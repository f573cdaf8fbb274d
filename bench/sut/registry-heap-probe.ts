/**
 * Child-process entry: heap per conversation through the conversation registry alone. A memory
 * store (bounds raised so nothing is evicted) and the real ConversationRegistry create
 * conversations for Slack DM events shaped as the Slack adapter builds them (address from the
 * thread codec's format, profile from users.info); the heap after forced collections is read
 * before and after. Reports `{type: 'heap-probe', ...}` over IPC and exits. Needs --expose-gc.
 */
import { randomUUID } from 'node:crypto';
import { ConversationRegistry } from '../../src/core/conversations.js';
import { createLogger } from '../../src/core/logger.js';
import type { VisitorEvent } from '../../src/core/visitor-event.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { benchIdentity, requester } from '../payloads.js';

/** What the probe reports. */
export interface RegistryHeapReport {
  type: 'heap-probe';
  conversations: number;
  heapBeforeBytes: number;
  heapAfterBytes: number;
  bytesPerConversation: number;
}

const warmUp = 1000;
const count = Number(process.env.BENCH_HEAP_CONVERSATIONS ?? '20000');

async function probe(): Promise<RegistryHeapReport> {
  const store = new MemoryStore({ limits: { maxMemoryEntries: (warmUp + count) * 2 } });
  const registry = new ConversationRegistry({ store, logger: createLogger({ level: 'silent' }), now: Date.now, newId: randomUUID });
  for (let index = 0; index < warmUp; index++) await registry.resolve(dmEvent(index));
  const heapBeforeBytes = collectedHeap();
  for (let index = warmUp; index < warmUp + count; index++) await registry.resolve(dmEvent(index));
  const heapAfterBytes = collectedHeap();
  // Keep the store reachable until after the second reading.
  if ((await store.findConversationByAddress('slack', key(warmUp))) === undefined) throw new Error('the probe lost a conversation');
  return { type: 'heap-probe', conversations: count, heapBeforeBytes, heapAfterBytes, bytesPerConversation: (heapAfterBytes - heapBeforeBytes) / count };
}

function key(index: number): string {
  return `${benchIdentity.teamId}:${requester(index).channel}`;
}

function dmEvent(index: number): VisitorEvent {
  const { channel, user } = requester(index);
  return {
    address: { channel: 'slack', key: key(index), reference: { team: benchIdentity.teamId, channel } },
    requester: { id: user },
    action: { kind: 'message', text: 'Where is my order?' },
    eventId: `Ev${index}`,
    loadProfile: async () => ({
      id: user,
      name: `Bench User ${user}`,
      email: `${user.toLowerCase()}@bench.example`,
      timezone: 'Europe/Berlin',
      locale: 'en-US',
      extra: { slackTeamId: benchIdentity.teamId },
    }),
  };
}

function collectedHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the probe needs --expose-gc');
  for (let round = 0; round < 4; round++) gc();
  return process.memoryUsage().heapUsed;
}

probe().then(
  (report) => {
    process.send?.(report);
    process.disconnect?.();
  },
  (error: unknown) => {
    process.stderr.write(`registry heap probe failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    process.disconnect?.();
  },
);
