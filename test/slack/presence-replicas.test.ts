/**
 * isTeamOnline for a Slack desk of 60 members, end to end below the webhook: the real Slack adapter
 * against the Web API on msw, PresenceService on the memory store, one fixed clock for all.
 * - Slack answering 429 (Retry-After 30 s) once 20 users.getPresence calls fell in the last
 *   minute: isTeamOnline stays true the whole time while agents are active, no call goes out
 *   during a Retry-After, and the bridge never makes more than 50 calls in a minute; a member
 *   whose next read is refused keeps its last known reading.
 * - Two replicas (two adapters, two PresenceServices) on one store: every member is fetched once.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../src/config/bridge-config.js';
import { DeskDirectory } from '../../src/core/handoff/desk-directory.js';
import { PresenceService } from '../../src/core/handoff/presence.js';
import { Metrics } from '../../src/core/metrics.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { silentLogger } from '../support/silent-logger.js';
import { FakeSlackApi, rateLimited } from './support/fake-slack-api.js';
import { counterValue, startSlackHarness, type SlackHarness } from './support/slack-harness.js';

const api = new FakeSlackApi();
const deskChannel = 'C0DESK0060';
const members = Array.from({ length: 60 }, (_, index) => `UAGENT${String(index).padStart(3, '0')}`);
/** Two agents are active: one in the first burst of reads, one far down the list. */
const active = new Set([members[2]!, members[41]!]);
const config = parseBridgeConfig({ desks: [{ id: 'it-helpdesk', platform: 'slack', channel: deskChannel }] });

let clock: number;
const now = () => clock;
let harnesses: SlackHarness[] = [];
/** users.getPresence calls as Slack saw them: when, for whom, and whether it answered 429. */
let presenceCalls: Array<{ at: number; user: string; limited: boolean }>;

beforeAll(() => api.listen());
afterAll(() => api.close());
beforeEach(() => {
  api.reset();
  clock = Date.parse('2026-11-23T09:00:00Z');
  presenceCalls = [];
  api.on('conversations.members', () => ({ members, response_metadata: { next_cursor: '' } }));
});
afterEach(async () => {
  await Promise.all(harnesses.map((harness) => harness.close()));
  harnesses = [];
});

/** Slack answering users.getPresence, rate limited once `limitPerMinute` calls fell in the last minute. */
function answerPresence(limitPerMinute: number): void {
  api.on('users.getPresence', (args) => {
    const user = String(args.user);
    const inLastMinute = presenceCalls.filter((call) => call.at > clock - 60_000).length;
    const limited = inLastMinute >= limitPerMinute;
    presenceCalls.push({ at: clock, user, limited });
    return limited ? rateLimited(30) : { presence: active.has(user) ? 'active' : 'away', online: active.has(user) };
  });
}

/** One replica: its own Slack adapter (own token bucket) and presence service, on the shared store. */
async function replica(store: MemoryStore, name: string): Promise<{ service: PresenceService; metrics: Metrics }> {
  const harness = await startSlackHarness({ now });
  harnesses.push(harness);
  const metrics = new Metrics();
  let ids = 0;
  const service = new PresenceService({
    store,
    directory: new DeskDirectory(config),
    deskSide: () => harness.adapter.desk,
    logger: silentLogger(),
    metrics,
    now,
    newId: () => `${name}-${++ids}`,
  });
  return { service, metrics };
}

/** The most calls made in any 60 s window. */
function busiestMinute(times: number[]): number {
  return Math.max(0, ...times.map((start) => times.filter((at) => at >= start && at < start + 60_000).length));
}

describe('Slack desk presence under Tier 3', () => {
  it('stays online through 429s while agents are active, honouring Retry-After and the budget', async () => {
    answerPresence(20);
    const { service } = await replica(new MemoryStore({ now }), 'replica-a');
    expect(await service.isOnline('it-helpdesk')).toBe(true);
    const answers: boolean[] = [];
    for (let step = 0; step < 48; step++) {
      clock += 10_000; // 8 minutes of background rounds
      await service.refreshNow();
      answers.push(await service.isOnline('it-helpdesk'));
    }
    expect(answers.every(Boolean)).toBe(true);

    const limited = presenceCalls.filter((call) => call.limited);
    expect(limited.length).toBeGreaterThan(0);
    for (const refusal of limited) {
      expect(presenceCalls.filter((call) => call.at > refusal.at && call.at < refusal.at + 30_000)).toEqual([]);
    }
    expect(busiestMinute(presenceCalls.map((call) => call.at))).toBeLessThanOrEqual(50);
    const answered = new Set(presenceCalls.filter((call) => !call.limited).map((call) => call.user));
    expect(answered.size).toBe(60);
  });

  it('keeps a member\'s last known reading when its next read is refused with 429', async () => {
    answerPresence(Number.POSITIVE_INFINITY);
    const store = new MemoryStore({ now });
    const { service } = await replica(store, 'replica-a');
    for (let step = 0; step < 12; step++) {
      clock += 10_000;
      await service.refreshNow();
    }
    expect(new Set(presenceCalls.map((call) => call.user)).size).toBe(60);
    clock += 2 * 60_000; // every reading is due again
    answerPresence(0); // and Slack refuses every call
    await service.refreshNow();
    expect(presenceCalls.at(-1)).toMatchObject({ limited: true });
    expect(await service.isOnline('it-helpdesk')).toBe(true);
    for (const user of active) expect((await store.getRecord(`presence:member:slack:${user}`))?.value).toMatchObject({ present: true });
  });

  it('reads each member once across two replicas sharing the store', async () => {
    answerPresence(Number.POSITIVE_INFINITY);
    const store = new MemoryStore({ now });
    const a = await replica(store, 'replica-a');
    const b = await replica(store, 'replica-b');
    for (let step = 0; step < 12; step++) {
      clock += 10_000;
      await Promise.all([a.service.refreshNow(), b.service.refreshNow()]);
    }
    expect(presenceCalls).toHaveLength(60);
    expect(new Set(presenceCalls.map((call) => call.user)).size).toBe(60);
    expect(api.callsOf('conversations.members')).toHaveLength(1);
    expect(await a.service.isOnline('it-helpdesk')).toBe(true);
    expect(await b.service.isOnline('it-helpdesk')).toBe(true);
    expect(await counterValue(b.metrics, 'bridge_presence_cache_total', { result: 'hit' })).toBe(1);
  });
});
