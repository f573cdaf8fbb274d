/**
 * The benchmark's results: the ratios and target checks of DESIGN.md section 8, the compact
 * table printed at the end of a run, and the JSON written to bench/results/latest.json.
 * Pure: no I/O here.
 */
import type { PathMeasurement, PathName } from './measure.js';

/** The systems, in table order. */
export const systems = ['bridge', 'bare', 'bolt-minimal'] as const;
/** One of the systems. */
export type SystemName = (typeof systems)[number];

/** Measurements of one path: at max load and at half of the bridge's max, per system. */
export interface PathResults {
  max: Partial<Record<SystemName, PathMeasurement>>;
  /** The paced rate (events/s) used for every system: half the bridge's max. */
  halfRate: number;
  half: Partial<Record<SystemName, PathMeasurement>>;
}

/** Heap per conversation. */
export interface HeapResults {
  /** Through the real route (signed Slack events into the bridge process). */
  realPath?: { conversations: number; bytesPerConversation: number };
  /** Through ConversationRegistry over the memory store only. */
  registry?: { conversations: number; bytesPerConversation: number };
}

/** One checked target. */
export interface TargetCheck {
  target: string;
  value: number;
  unit: string;
  limit: string;
  met: boolean | 'not measured';
}

/** Everything a run produced. */
export interface BenchResults {
  startedAt: string;
  wallS: number;
  machine: { cpus: number; cpuModel: string; node: string; platform: string };
  settings: Record<string, unknown>;
  paths: Partial<Record<PathName, PathResults>>;
  /** The bridge on a SQLite store (memory store everywhere else). */
  sqlite: Partial<Record<PathName, { max?: PathMeasurement; half?: PathMeasurement }>>;
  heap: HeapResults;
  /** Requests the sinks received over the whole run, by route (a sanity check of what the systems called). */
  sinkRequests: Record<string, Record<string, number>>;
  /** Observations that qualify the numbers (driver-bound runs, lost events, a desk without presence). */
  notes: string[];
}

/** The ratios a path's targets are about. */
export interface PathRatios {
  throughputVsBare?: number;
  throughputVsBolt?: number;
  /** bare's CPU per event / the bridge's: the machine-noise-robust efficiency ratio. */
  cpuEfficiencyVsBare?: number;
  cpuEfficiencyVsBolt?: number;
  /** bolt-minimal / bare throughput: how far Bolt + axios alone are from the practical limit. */
  boltVsBare?: number;
}

/** Ratios of one path. */
export function ratios(path: PathResults | undefined): PathRatios {
  const bridge = path?.max.bridge;
  const bare = path?.max.bare;
  const bolt = path?.max['bolt-minimal'];
  const result: PathRatios = {};
  if (bridge && bare) {
    result.throughputVsBare = bridge.eventsPerS / bare.eventsPerS;
    result.cpuEfficiencyVsBare = bare.cpuUsPerEvent / bridge.cpuUsPerEvent;
  }
  if (bolt && bare) result.boltVsBare = bolt.eventsPerS / bare.eventsPerS;
  if (bridge && bolt) {
    result.throughputVsBolt = bridge.eventsPerS / bolt.eventsPerS;
    result.cpuEfficiencyVsBolt = bolt.cpuUsPerEvent / bridge.cpuUsPerEvent;
  }
  return result;
}

/** The targets of DESIGN.md section 8, checked. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const path of ['a', 'b'] as const) {
    const r = ratios(results.paths[path]);
    checks.push(check(`(${path}) throughput ≥ 70% of bare`, r.throughputVsBare, 100, '%', '≥ 70%', (v) => v >= 70));
    checks.push(check(`(${path}) throughput ≥ bolt-minimal`, r.throughputVsBolt, 100, '%', '≥ 100%', (v) => v >= 100));
    const half = results.paths[path]?.half.bridge;
    checks.push(check(`(${path}) p99 added latency at half load`, half?.p99Ms, 1, 'ms', '< 5 ms', (v) => v < 5));
  }
  const online = results.paths.c?.half.bridge;
  checks.push(check('(c) isTeamOnline p99 from cache', online?.p99Ms, 1, 'ms', '< 2 ms', (v) => v < 2));
  checks.push(check('heap per cached conversation (real path)', results.heap.realPath?.bytesPerConversation, 1, 'B', '≤ 1024 B', (v) => v <= 1024));
  return checks;
}

function check(target: string, raw: number | undefined, scale: number, unit: string, limit: string, ok: (value: number) => boolean): TargetCheck {
  if (raw === undefined || !Number.isFinite(raw)) return { target, value: Number.NaN, unit, limit, met: 'not measured' };
  const value = raw * scale;
  return { target, value, unit, limit, met: ok(value) };
}

const titles: Record<PathName, string> = {
  a: '(a) signed Slack event → Converse request at the Chat API',
  b: '(b) sendMessage webhook → chat.postMessage at the Slack API',
  c: '(c) isTeamOnline webhook → answer (response latency)',
};

/** The table printed at the end of a run. */
export function formatTable(results: BenchResults): string {
  const lines: string[] = [];
  for (const path of ['a', 'b', 'c'] as const) {
    const data = results.paths[path];
    if (!data) continue;
    lines.push('', titles[path]);
    lines.push(row(['system', 'max ev/s', 'p50 ms', 'p99 ms', `half: ev/s (${data.halfRate}/s)`, 'p50 ms', 'p99 ms', 'CPU µs/ev', 'lost']));
    for (const system of systems) {
      const max = data.max[system];
      const half = data.half[system];
      if (!max && !half) continue;
      lines.push(
        row([
          system + (max && max.driverCpuPercent > 90 ? '*' : ''),
          num(max?.eventsPerS, 0),
          num(max?.p50Ms, 2),
          num(max?.p99Ms, 2),
          num(half?.eventsPerS, 0),
          num(half?.p50Ms, 2),
          num(half?.p99Ms, 2),
          num(max?.cpuUsPerEvent, 0),
          String((max?.missing ?? 0) + (half?.missing ?? 0)),
        ]),
      );
    }
    const r = ratios(data);
    lines.push(
      `  bridge/bare: throughput ${pct(r.throughputVsBare)}, CPU efficiency ${pct(r.cpuEfficiencyVsBare)}   ` +
        `bridge/bolt-minimal: throughput ${pct(r.throughputVsBolt)}, CPU efficiency ${pct(r.cpuEfficiencyVsBolt)}   ` +
        `(bolt-minimal/bare: ${pct(r.boltVsBare)})`,
    );
  }
  const sqliteRows = (['a', 'b'] as const).filter((path) => results.sqlite[path]);
  if (sqliteRows.length > 0) {
    lines.push('', 'bridge on STORE_URL=sqlite: (same paths, same sinks)');
    lines.push(row(['path', 'max ev/s', 'p50 ms', 'p99 ms', 'half: ev/s', 'p50 ms', 'p99 ms', 'CPU µs/ev', 'lost']));
    for (const path of sqliteRows) {
      const { max, half } = results.sqlite[path]!;
      lines.push(row([`(${path})`, num(max?.eventsPerS, 0), num(max?.p50Ms, 2), num(max?.p99Ms, 2), num(half?.eventsPerS, 0), num(half?.p50Ms, 2), num(half?.p99Ms, 2), num(max?.cpuUsPerEvent, 0), String((max?.missing ?? 0) + (half?.missing ?? 0))]));
    }
  }
  const { realPath, registry } = results.heap;
  lines.push('', 'heap per conversation (memory store, after forced GC)');
  if (realPath) lines.push(`  real path (signed Slack DMs into the bridge): ${num(realPath.bytesPerConversation, 0)} B over ${realPath.conversations} conversations`);
  if (registry) lines.push(`  registry only (ConversationRegistry + memory store): ${num(registry.bytesPerConversation, 0)} B over ${registry.conversations} conversations`);
  lines.push('', 'targets (DESIGN.md 8)');
  for (const target of checkTargets(results)) {
    const mark = target.met === 'not measured' ? 'n/a ' : target.met ? 'MET ' : 'MISS';
    lines.push(`  ${mark} ${target.target}: ${Number.isNaN(target.value) ? 'not measured' : `${num(target.value, target.unit === 'ms' ? 2 : 0)} ${target.unit}`} (target ${target.limit})`);
  }
  if (results.notes.length > 0) lines.push('', 'notes', ...results.notes.map((note) => `  - ${note}`));
  return lines.join('\n');
}

function row(cells: string[]): string {
  const widths = [14, 9, 7, 8, 19, 7, 8, 10, 5];
  return '  ' + cells.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join(' ');
}

function num(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

function pct(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '-' : `${(value * 100).toFixed(0)}%`;
}
