/**
 * PresenceService with a scripted desk platform on the memory store and a fixed clock: what
 * isTeamOnline answers while nothing is known (waits for the first present member, at most the
 * deadline), unknown members never counting as absent, cache results in
 * `bridge_presence_cache_total` (hit, stale, miss), and a round claimed by another replica.
 */
import { describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../src/config/bridge-config.js';
import type { DeskPresenceSource, DeskSide, PresenceReadRequest } from '../../src/core/channel-adapter.js';
import { DeskDirectory } from '../../src/core/handoff/desk-directory.js';
import { defaultPresenceTiming, PresenceService } from '../../src/core/handoff/presence.js';
import { refreshClaimKey } from '../../src/core/handoff/presence-records.js';
import { Metrics } from '../../src/core/metrics.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { silentLogger } from '../support/silent-logger.js';

const config = parseBridgeConfig({ desks: [{ id: 'it', platform: 'slack', channel: 'DESK1' }] });

/** A platform that reports what `read` decides, one request at a time. */
class ScriptedPresence implements DeskPresenceSource {
  requests: string[][] = [];
  read: (request: PresenceReadRequest) => Promise<void> = async () => undefined;
  async members(): Promise<string[]> {
    return ['A1', 'B1', 'C1'];
  }
  async readPresence(request: PresenceReadRequest): Promise<void> {
    this.requests.push(request.userIds);
    await this.read(request);
  }
}

function setup(options: { firstAnswerDeadlineMs?: number } = {}) {
  const clock = { now: Date.parse('2026-11-23T09:00:00Z') };
  const now = () => clock.now;
  const store = new MemoryStore({ now });
  const platform = new ScriptedPresence();
  const side = { presence: platform } as unknown as DeskSide; // only the presence member is used here
  const metrics = new Metrics();
  const service = new PresenceService({
    store,
    directory: new DeskDirectory(config),
    deskSide: () => side,
    logger: silentLogger(),
    metrics,
    now,
    newId: () => 'replica-a',
    timing: { firstAnswerDeadlineMs: options.firstAnswerDeadlineMs ?? 1_500 },
  });
  const lookups = async (result: string) =>
    (await metrics.registry.getMetricsAsJSON()).find((metric) => metric.name === 'bridge_presence_cache_total')?.values.find((value) => value.labels.result === result)?.value ?? 0;
  return { clock, store, platform, service, lookups };
}

describe('PresenceService', () => {
  it('answers a first question as soon as a present member is read, without waiting for the rest', async () => {
    const { platform, service } = setup({ firstAnswerDeadlineMs: 10_000 });
    platform.read = (request) => {
      request.onReading('B1', true);
      return new Promise(() => undefined); // the rest of the desk never answers
    };
    const started = Date.now();
    expect(await service.isOnline('it')).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('stops: settles only once the round in flight ended, and starts no round after', async () => {
    const { clock, platform, service, store } = setup({ firstAnswerDeadlineMs: 50 });
    let finish: () => void = () => undefined;
    platform.read = (request) =>
      new Promise<void>((resolve) => {
        finish = () => {
          request.onReading('A1', true);
          resolve();
        };
      });
    const round = service.refreshNow();
    await new Promise((resolve) => setTimeout(resolve, 20)); // the round is reading the platform
    let stopped = false;
    const stopping = service.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    finish();
    await Promise.all([round, stopping]);
    // The round released its claim before stop settled, so the store may close now.
    expect(await store.claim(refreshClaimKey('it'), 'replica-b', 1_000)).toBe(true);
    await store.release(refreshClaimKey('it'), 'replica-b');
    platform.read = async (request) => request.onReading('B1', true); // a round now would read at once
    const claim = store.claim.bind(store);
    let claims = 0;
    store.claim = (...args) => {
      claims += 1;
      return claim(...args);
    };
    await service.refreshNow();
    clock.now += defaultPresenceTiming.cacheTtlMs + 1;
    expect(await service.isOnline('it')).toBe(true); // stale, from what the last round read, and no round for it
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([claims, platform.requests.length]).toEqual([0, 1]); // no round began: no claim, no read
  });

  it('answers false when nothing is known by the deadline, and from the cache once the round has read someone', async () => {
    const { platform, service } = setup({ firstAnswerDeadlineMs: 50 });
    let finish: () => void = () => undefined;
    platform.read = (request) =>
      new Promise<void>((resolve) => {
        finish = () => {
          request.onReading('C1', true);
          resolve();
        };
      });
    expect(await service.isOnline('it')).toBe(false);
    finish();
    await service.refreshNow();
    expect(await service.isOnline('it')).toBe(true);
    expect(platform.requests).toEqual([['A1', 'B1', 'C1']]);
  });

  it('counts members not read as unknown: one known absent member with two unknown is not online, one known present is', async () => {
    const { clock, platform, service } = setup();
    platform.read = async (request) => request.onReading('A1', false);
    expect(await service.isOnline('it')).toBe(false);
    clock.now += defaultPresenceTiming.cacheTtlMs;
    platform.read = async (request) => request.onReading('B1', true);
    await service.refreshNow();
    expect(await service.isOnline('it')).toBe(true);
    // A1 is young and was not asked again; B1 and C1 were.
    expect(platform.requests).toEqual([['A1', 'B1', 'C1'], ['B1', 'C1']]);
  });

  it('labels cache results hit, stale and miss', async () => {
    const { clock, platform, service, lookups } = setup();
    platform.read = async (request) => request.onReading('A1', true);
    await service.isOnline('it');
    await service.isOnline('it');
    clock.now += defaultPresenceTiming.cacheTtlMs;
    await service.isOnline('it');
    expect([await lookups('miss'), await lookups('hit'), await lookups('stale')]).toEqual([1, 1, 1]);
  });

  it('leaves the platform alone while another replica holds the desk\'s refresh claim', async () => {
    const { store, platform, service } = setup({ firstAnswerDeadlineMs: 50 });
    expect(await store.claim(refreshClaimKey('it'), 'replica-b', 60_000)).toBe(true);
    await service.refreshNow();
    expect(await service.isOnline('it')).toBe(false);
    expect(platform.requests).toEqual([]);
  });
});
