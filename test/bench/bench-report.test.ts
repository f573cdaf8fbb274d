/**
 * The benchmark's arithmetic, which decides what `npm run bench` calls a pass: medians and
 * spread over rounds, per-round ratios, the DESIGN.md section 8 target checks, taskset's CPU
 * lists, and the trace book's count of what is still in flight between measurements.
 */
import { describe, expect, it } from 'vitest';
import { TraceBook } from '../../bench/correlation.js';
import { parseCpuList } from '../../bench/pinning.js';
import { checkTargets, formatTable, type BenchResults, type RoundMeasurement } from '../../bench/report.js';
import { ratioSpread, spreadOf } from '../../bench/summary.js';
import type { SystemName } from '../../bench/system-names.js';
import type { PathName } from '../../bench/measure.js';

describe('spreadOf / ratioSpread', () => {
  it('gives the median (middle value, or the mean of the two middle ones) and min-max, ignoring rounds without a value', () => {
    expect(spreadOf([3, 1, 2])).toMatchObject({ median: 2, min: 1, max: 3 });
    expect(spreadOf([4, 1, 3, 2])).toMatchObject({ median: 2.5, min: 1, max: 4 });
    expect(spreadOf([5, Number.NaN, 1])).toMatchObject({ median: 3, min: 1, max: 5 });
    expect(spreadOf([]).median).toBeNaN();
  });

  it('pairs ratios by round before summarising (a slow round slows both sides alike)', () => {
    // Medians of each side would give 200/100 = 2; per round the bridge is 1.5x every time.
    const ratio = ratioSpread([150, 300, 600], [100, 200, 400]);
    expect(ratio).toMatchObject({ median: 1.5, min: 1.5, max: 1.5 });
  });
});

describe('parseCpuList', () => {
  it('reads taskset lists with ranges', () => {
    expect(parseCpuList('0,1')).toEqual([0, 1]);
    expect(parseCpuList('0-3,6')).toEqual([0, 1, 2, 3, 6]);
    expect(parseCpuList('1')).toEqual([1]);
    expect(parseCpuList('')).toEqual([]);
  });
});

describe('TraceBook.pending', () => {
  it('counts tokens not arrived yet until the runs are waited for', () => {
    const book = new TraceBook();
    const run = book.open();
    run.send();
    const second = run.send();
    expect(book.pending()).toBe(2);
    book.arrive(`text ${second}`, process.hrtime.bigint());
    expect(book.pending()).toBe(1);
    book.waitedForAll();
    expect(book.pending()).toBe(0);
    book.open().send();
    expect(book.pending()).toBe(1);
  });
});

function measurement(system: SystemName, path: PathName, kind: 'max' | 'half', round: number, eventsPerS: number, p99Ms: number): RoundMeasurement {
  return {
    system,
    path,
    kind,
    round,
    shape: kind === 'max' ? { kind: 'max', connections: 50 } : { kind: 'paced', rate: 100 },
    eventsPerS,
    acksPerS: eventsPerS,
    samples: 100,
    p50Ms: p99Ms / 4,
    p99Ms,
    maxMs: p99Ms * 2,
    missing: 0,
    non2xx: 0,
    errors: 0,
    cpuUsPerEvent: 1000,
    driverCpuPercent: 30,
    sinkConnections: 0,
    gcPercent: 1,
    gcMaxPauseMs: 2,
    disturbed: round === 2,
  };
}

function results(measurements: RoundMeasurement[], overloaded: BenchResults['overloaded'] = []): BenchResults {
  return {
    startedAt: '2026-01-01T00:00:00.000Z',
    wallS: 1,
    machine: { cpus: 2, cpuModel: 'test', node: 'v20', platform: 'linux-x64' },
    settings: {},
    placement: 'taskset: test',
    rounds: 3,
    halfRates: { a: 100, b: 100, c: 100 },
    overloaded,
    measurements,
    heap: { slackRecord: { conversations: 10, bytesPerConversation: 800 }, teamsRecord: { conversations: 10, bytesPerConversation: 1500 } },
    sinkRequests: {},
    notes: [],
  };
}

/** Three rounds of one cell. */
function rounds(system: SystemName, path: PathName, kind: 'max' | 'half', perS: [number, number, number], p99Ms: [number, number, number]): RoundMeasurement[] {
  return [1, 2, 3].map((round) => measurement(system, path, kind, round, perS[round - 1]!, p99Ms[round - 1]!));
}

describe('checkTargets', () => {
  const base = [
    ...rounds('bare', 'a', 'max', [1000, 1000, 1000], [50, 50, 50]),
    ...rounds('bolt-minimal', 'a', 'max', [200, 200, 200], [90, 90, 90]),
    ...rounds('bolt-minimal', 'a', 'half', [100, 100, 100], [8, 9, 10]),
  ];
  const find = (checks: ReturnType<typeof checkTargets>, start: string) => checks.find((check) => check.target.startsWith(start))!;

  it('passes the memory store at ≥ 1.5× bolt-minimal and ≥ 30% of bare, and a p99 under both bolt’s and 5 ms', () => {
    const checks = checkTargets(
      results([...base, ...rounds('bridge-memory', 'a', 'max', [320, 300, 360], [40, 40, 40]), ...rounds('bridge-memory', 'a', 'half', [100, 100, 100], [3, 4, 4.5])]),
    );
    expect(find(checks, '(a) memory: throughput / bolt').met).toBe(true);
    expect(find(checks, '(a) memory: throughput / bolt').value).toBe('1.60× [1.50–1.80]');
    expect(find(checks, '(a) memory: throughput / bare')).toMatchObject({ met: true, value: '32.0% [30.0%–36.0%]' });
    expect(find(checks, '(a) memory: p99').met).toBe(true);
  });

  it('fails below 1.5×, below 30% of bare, and a p99 at or above 5 ms even when it beats bolt’s', () => {
    const checks = checkTargets(results([...base, ...rounds('bridge-memory', 'a', 'max', [280, 290, 299], [40, 40, 40]), ...rounds('bridge-memory', 'a', 'half', [100, 100, 100], [5, 6, 7])]));
    expect(find(checks, '(a) memory: throughput / bolt').met).toBe(false);
    expect(find(checks, '(a) memory: throughput / bare').met).toBe(false);
    expect(find(checks, '(a) memory: p99').met).toBe(false);
  });

  it('holds SQLite to ≥ 1.0× bolt-minimal and a 10 ms p99, and fails an overloaded store without a p99', () => {
    const sqlite = [...base, ...rounds('bridge-sqlite', 'a', 'max', [210, 200, 190], [40, 40, 40]), ...rounds('bridge-sqlite', 'a', 'half', [100, 100, 100], [7, 8, 9])];
    const checks = checkTargets(results(sqlite));
    expect(find(checks, '(a) SQLite: throughput / bolt').met).toBe(true);
    expect(find(checks, '(a) SQLite: p99').met).toBe(true);
    const overloaded = checkTargets(results(sqlite.filter((m) => !(m.system === 'bridge-sqlite' && m.kind === 'half')), [{ system: 'bridge-sqlite', path: 'a', maxPerS: 90 }]));
    expect(find(overloaded, '(a) SQLite: p99')).toMatchObject({ met: false, value: 'overloaded: max 90/s' });
  });

  it('checks heap per Slack and Teams record against 1 KB', () => {
    const checks = checkTargets(results(base));
    expect(find(checks, 'heap per idle conversation, Slack record').met).toBe(true);
    expect(find(checks, 'heap per idle conversation, Teams record').met).toBe(false);
    expect(find(checks, 'heap per idle conversation, Slack real path').met).toBe('not measured');
  });

  it('prints which rounds were disturbed', () => {
    const table = formatTable(results([...base, ...rounds('bridge-memory', 'a', 'max', [320, 300, 360], [40, 40, 40])]));
    expect(table).toMatch(/bridge-memory .* M2\n/);
    expect(table).toMatch(/PASS\s+\(a\) memory: throughput \/ bolt-minimal\s+1\.60×/);
    expect(table).toMatch(/n\/a\s+\(a\) memory: p99/);
  });
});
