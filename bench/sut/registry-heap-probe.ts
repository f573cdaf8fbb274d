/**
 * Child-process entry: heap per idle cached conversation, Slack and Teams records, through the
 * conversation registry alone. A memory store (bounds raised so nothing is evicted) and the real
 * ConversationRegistry create conversations as the adapters hand them over: a Slack DM (address
 * from the Slack thread codec, profile as users.info gives it) and a Teams personal chat
 * (address from the Teams codec over a ConversationReference as botbuilder builds one, profile
 * as the roster gives it). The live heap (child-probes.ts) is read before and after each
 * kind. Reports `{type: 'heap-probe', ...}` over IPC and exits. Needs --expose-gc.
 */
import { randomUUID } from 'node:crypto';
import { addressOf as teamsAddressOf } from '../../adapters/teams/conversation-address.js';
import { threadAddress } from '../../adapters/slack/thread-address.js';
import { ConversationRegistry } from '../../src/core/conversations.js';
import { createLogger } from '../../src/core/logger.js';
import type { ChannelAddress, RequesterProfile } from '../../src/core/visitor-event.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { benchIdentity, requester } from '../payloads.js';
import { liveHeapBytes } from './child-probes.js';

/** Heap per conversation of one kind. */
export interface RecordHeap {
  conversations: number;
  bytesPerConversation: number;
}

/** What the probe reports. */
export interface RegistryHeapReport {
  type: 'heap-probe';
  slack: RecordHeap;
  teams: RecordHeap;
}

type Kind = 'slack' | 'teams';

const warmUp = 1000;
const count = Number(process.env.BENCH_HEAP_CONVERSATIONS ?? '20000');
const tenantId = '72f988bf-0000-4000-8000-00000000bench';

async function probe(): Promise<RegistryHeapReport> {
  const store = new MemoryStore({ limits: { maxMemoryEntries: (warmUp + count) * 4 } });
  const registry = new ConversationRegistry({ store, logger: createLogger({ level: 'silent' }), now: Date.now, newId: randomUUID });
  // Both kinds warm up first, so neither pays for the other's first-use code and caches.
  for (let index = 0; index < warmUp; index++) {
    await resolve(registry, 'slack', index);
    await resolve(registry, 'teams', index);
  }
  const measureKind = async (kind: Kind): Promise<RecordHeap> => {
    const before = await liveHeapBytes();
    for (let index = warmUp; index < warmUp + count; index++) await resolve(registry, kind, index);
    return { conversations: count, bytesPerConversation: ((await liveHeapBytes()) - before) / count };
  };
  const slack = await measureKind('slack');
  const teams = await measureKind('teams');
  // Keep the store reachable until after the last reading.
  if ((await store.findConversationByAddress('slack', slackAddress(warmUp).key)) === undefined) throw new Error('the probe lost a conversation');
  return { type: 'heap-probe', slack, teams };
}

function slackAddress(index: number): ChannelAddress {
  return threadAddress({ team: benchIdentity.teamId, channel: requester(index).channel });
}

/** A personal chat's reference as `TurnContext.getConversationReference` returns it (Bot Framework documentation shapes). */
function teamsAddress(index: number): ChannelAddress {
  const { user } = requester(index);
  return teamsAddressOf({
    reference: {
      activityId: `1712345678${index}`,
      user: { id: `29:1${user}bench-teams-user-id-of-typical-length`, name: `Bench User ${user}`, aadObjectId: aadObjectId(index) },
      bot: { id: `28:${benchIdentity.appId}`, name: 'benchbot' },
      conversation: { conversationType: 'personal', tenantId, id: `a:1${user}bench-personal-conversation-id-of-typical-length-0123456789` },
      channelId: 'msteams',
      locale: 'en-US',
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
    },
    tenantId,
  });
}

function aadObjectId(index: number): string {
  return `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

/** Resolve conversation `index` as the core does for a first message: address, requester, full profile. */
function resolve(registry: ConversationRegistry, kind: Kind, index: number) {
  const { user } = requester(index);
  if (kind === 'slack') {
    const full: RequesterProfile = { id: user, name: `Bench User ${user}`, email: `${user.toLowerCase()}@bench.example`, timezone: 'Europe/Berlin', locale: 'en-US', extra: { slackTeamId: benchIdentity.teamId } };
    return registry.resolve(slackAddress(index), { id: user }, async () => full);
  }
  const basic: RequesterProfile = { id: aadObjectId(index), name: `Bench User ${user}`, tenantId, locale: 'en-US', extra: { teamsUserId: `29:1${user}bench-teams-user-id-of-typical-length` } };
  return registry.resolve(teamsAddress(index), basic, async () => ({ ...basic, email: `${user.toLowerCase()}@bench.example` }));
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
