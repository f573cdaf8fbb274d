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
  for (let index = 0; index < warmUp; index++) await resolve(registry, index);
  const heapBeforeBytes = collectedHeap();
  for (let index = warmUp; index < warmUp + count; index++) await resolve(registry, index);
  const heapAfterBytes = collectedHeap();
  // Keep the store reachable until after the second reading.
  if ((await store.findConversationByAddress('slack', key(warmUp))) === undefined) throw new Error('the probe lost a conversation');
  return { type: 'heap-probe', conversations: count, heapBeforeBytes, heapAfterBytes, bytesPerConversation: (heapAfterBytes - heapBeforeBytes) / count };
}

function key(index: number): string {
  return `${benchIdentity.teamId}:${requester(index).channel}`;
}

/** Resolve conversation `index` as the bot destination does for a new DM: address, requester, full profile. */
function resolve(registry: ConversationRegistry, index: number) {
  const { channel, user } = requester(index);
  const address = { channel: 'slack', key: key(index), reference: { team: benchIdentity.teamId, channel } };
  return registry.resolve(address, { id: user }, async () => ({
    id: user,
    name: `Bench User ${user}`,
    email: `${user.toLowerCase()}@bench.example`,
    timezone: 'Europe/Berlin',
    locale: 'en-US',
    extra: { slackTeamId: benchIdentity.teamId },
  }));
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
