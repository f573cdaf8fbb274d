/**
 * The benchmark's results: every measurement of every round, the figures folded over the rounds
 * (median and min-max), the ratios and target checks of DESIGN.md section 8, and the tables
 * printed at the end of a run (the JSON in bench/results/latest.json is `BenchResults`). Pure.
 */
import type { PathMeasurement, PathName } from './measure.js';
import { ratioSpread, spreadOf, type Spread } from './summary.js';
import { allSystems, bridgeSystems, storeOf, type BridgeSystem, type SystemName } from './system-names.js';

/** At max load (closed loop) or paced at half of the minimal Bolt app's max. */
export type LoadKind = 'max' | 'half';

/** One measurement of one round. */
export interface RoundMeasurement extends PathMeasurement {
  system: SystemName;
  round: number;
  kind: LoadKind;
  /** CPU of processes outside the benchmark during it, % of one core (absent where /proc cannot be read). */
  otherCpuPercent?: number;
  disturbed: boolean;
}

/** Heap per conversation of one kind. */
export interface HeapFigure {
  conversations: number;
  bytesPerConversation: number;
}

/** Everything a run produced. */
export interface BenchResults {
  startedAt: string;
  wallS: number;
  machine: { cpus: number; cpuModel: string; node: string; platform: string };
  settings: Record<string, unknown>;
  /** Where the processes ran (taskset), or why they were not pinned. */
  placement: string;
  rounds: number;
  /** The paced rate of each path at half load: half the bolt-minimal median max. */
  halfRates: Partial<Record<PathName, number>>;
  /** Systems whose median max was below a path's half-load rate: not paced at it (their p99 there fails). */
  overloaded: Array<{ system: SystemName; path: PathName; maxPerS: number }>;
  measurements: RoundMeasurement[];
  heap: {
    /** Signed Slack DMs into a bridge process of its own (memory store): record, dedupe claim, transcript, users.info cache entry. */
    realPathSlack?: HeapFigure;
    /** ConversationRegistry over the memory store: the conversation records alone. */
    slackRecord?: HeapFigure;
    teamsRecord?: HeapFigure;
  };
  /** Requests the sinks received over the whole run, by route (a sanity check of what the systems called). */
  sinkRequests: Record<string, Record<string, number>>;
  /** Observations that qualify the numbers. */
  notes: string[];
}

/** One checked target, or an informative ratio (`met` undefined). */
export interface TargetCheck {
  target: string;
  value: string;
  limit: string;
  met: boolean | 'not measured' | undefined;
}

type Field = 'eventsPerS' | 'p50Ms' | 'p99Ms' | 'cpuUsPerEvent';

/** The per-round values of `field` for one cell, in round order. */
function perRound(results: BenchResults, path: PathName, system: SystemName, kind: LoadKind, field: Field): number[] {
  return Array.from({ length: results.rounds }, (_, round) => results.measurements.find((m) => m.round === round + 1 && m.path === path && m.system === system && m.kind === kind)?.[field] ?? Number.NaN);
}

/** A figure of one cell over the rounds. */
export function figure(results: BenchResults, path: PathName, system: SystemName, kind: LoadKind, field: Field): Spread {
  return spreadOf(perRound(results, path, system, kind, field));
}

/** `system`'s field over `baseline`'s, per round, summarised. */
export function ratioOf(results: BenchResults, path: PathName, system: SystemName, baseline: SystemName, kind: LoadKind, field: Field): Spread {
  return ratioSpread(perRound(results, path, system, kind, field), perRound(results, path, baseline, kind, field));
}

const p99Limits: Record<BridgeSystem, number> = { 'bridge-memory': 5, 'bridge-sqlite': 10, 'bridge-redis': 10 };
const boltRatioTargets: Record<BridgeSystem, number> = { 'bridge-memory': 1.5, 'bridge-sqlite': 1.0, 'bridge-redis': 1.0 };

/** The targets of DESIGN.md section 8, checked on the medians, plus informative ratios. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const measured = (system: SystemName) => results.measurements.some((m) => m.system === system);
  for (const system of bridgeSystems.filter(measured)) {
    const store = storeOf[system];
    for (const path of ['a', 'b'] as const) {
      const vsBolt = ratioOf(results, path, system, 'bolt-minimal', 'max', 'eventsPerS');
      checks.push(ratioCheck(`(${path}) ${store}: throughput / bolt-minimal`, vsBolt, boltRatioTargets[system]));
      if (system === 'bridge-memory') checks.push(percentCheck(`(${path}) ${store}: throughput / bare`, ratioOf(results, path, system, 'bare', 'max', 'eventsPerS'), 0.3));
      const own = figure(results, path, system, 'half', 'p99Ms');
      const bolt = figure(results, path, 'bolt-minimal', 'half', 'p99Ms');
      const limit = p99Limits[system];
      const overloaded = results.overloaded.find((entry) => entry.system === system && entry.path === path);
      if (overloaded) {
        checks.push({ target: `(${path}) ${store}: p99 at ${results.halfRates[path] ?? '?'}/s (half bolt max)`, value: `overloaded: max ${num(overloaded.maxPerS, 0)}/s`, limit: `≤ bolt, < ${limit} ms`, met: false });
        continue;
      }
      checks.push({
        target: `(${path}) ${store}: p99 at ${results.halfRates[path] ?? '?'}/s (half bolt max)`,
        value: `${spread(own, 2)} ms (bolt ${num(bolt.median, 2)})`,
        limit: `≤ bolt, < ${limit} ms`,
        met: Number.isFinite(own.median) && Number.isFinite(bolt.median) ? own.median <= bolt.median && own.median < limit : 'not measured',
      });
    }
    const online = figure(results, 'c', system, 'half', 'p99Ms');
    checks.push({ target: `(c) ${store}: isTeamOnline p99 from cache`, value: `${spread(online, 2)} ms`, limit: '< 2 ms', met: Number.isFinite(online.median) ? online.median < 2 : 'not measured' });
  }
  const heap = (target: string, value: HeapFigure | undefined): TargetCheck => ({
    target,
    value: value ? `${num(value.bytesPerConversation, 0)} B` : '-',
    limit: '≤ 1024 B',
    met: value ? value.bytesPerConversation <= 1024 : 'not measured',
  });
  checks.push(heap('heap per idle conversation, Slack record', results.heap.slackRecord));
  checks.push(heap('heap per idle conversation, Teams record', results.heap.teamsRecord));
  checks.push(heap('heap per idle conversation, Slack real path', results.heap.realPathSlack));
  for (const system of bridgeSystems.filter(measured)) {
    const store = storeOf[system];
    checks.push({ target: `(a-new) ${store}: throughput / bolt-minimal`, value: times(ratioOf(results, 'a-new', system, 'bolt-minimal', 'max', 'eventsPerS')), limit: 'no target', met: undefined });
    for (const path of ['a', 'b'] as const) {
      // Bolt's CPU per event over the bridge's: above 1 the bridge does the same work for less CPU.
      const efficiency = ratioSpread(perRound(results, path, 'bolt-minimal', 'max', 'cpuUsPerEvent'), perRound(results, path, system, 'max', 'cpuUsPerEvent'));
      checks.push({ target: `(${path}) ${store}: CPU efficiency vs bolt-minimal`, value: times(efficiency), limit: 'no target', met: undefined });
    }
  }
  return checks;
}

function ratioCheck(target: string, value: Spread, atLeast: number): TargetCheck {
  return { target, value: times(value), limit: `≥ ${atLeast.toFixed(1)}×`, met: Number.isFinite(value.median) ? value.median >= atLeast : 'not measured' };
}

function percentCheck(target: string, value: Spread, atLeast: number): TargetCheck {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const text = Number.isFinite(value.median) ? `${pct(value.median)} [${pct(value.min)}–${pct(value.max)}]` : '-';
  return { target, value: text, limit: `≥ ${pct(atLeast)}`, met: Number.isFinite(value.median) ? value.median >= atLeast : 'not measured' };
}

const titles: Record<PathName, string> = {
  a: '(a) signed Slack event → Converse request at the Chat API',
  'a-new': '(a-new) first message of a new DM (users.info, conversation created) → Converse request',
  b: '(b) sendMessage webhook → chat.postMessage at the Slack API',
  c: '(c) isTeamOnline webhook → answer (response latency)',
};

/** The tables printed at the end of a run. */
export function formatTable(results: BenchResults): string {
  const lines: string[] = [`${results.rounds} interleaved rounds; every figure is the median [min–max] over the rounds; latencies are added latency in ms`, `CPU placement: ${results.placement}`];
  for (const path of ['a', 'a-new', 'b', 'c'] as const) {
    const systems = allSystems.filter((system) => results.measurements.some((m) => m.path === path && m.system === system));
    if (systems.length === 0) continue;
    const rate = results.halfRates[path];
    lines.push('', titles[path] + (rate ? `; half load ${rate}/s` : ''));
    const table = [['system', 'max ev/s', 'p99 at max', 'CPU µs/ev', 'half p50', 'half p99', 'lost', 'disturbed']];
    for (const system of systems) {
      const cells = results.measurements.filter((m) => m.path === path && m.system === system);
      const driverBound = cells.some((m) => m.kind === 'max' && m.driverCpuPercent > 90);
      const disturbed = cells.filter((m) => m.disturbed).map((m) => `${m.kind === 'max' ? 'M' : 'H'}${m.round}`);
      const anyMax = cells.some((m) => m.kind === 'max');
      table.push([
          system + (driverBound ? '*' : ''),
          anyMax ? spread(figure(results, path, system, 'max', 'eventsPerS'), 0) : '-',
          anyMax ? spread(figure(results, path, system, 'max', 'p99Ms'), 1) : '-',
          spread(figure(results, path, system, anyMax ? 'max' : 'half', 'cpuUsPerEvent'), 0),
          ...(results.overloaded.some((entry) => entry.system === system && entry.path === path)
            ? ['overloaded', 'overloaded']
            : [spread(figure(results, path, system, 'half', 'p50Ms'), 2), spread(figure(results, path, system, 'half', 'p99Ms'), 2)]),
          String(cells.reduce((sum, m) => sum + m.missing, 0)),
          disturbed.join(' ') || '-',
      ]);
    }
    lines.push(...aligned(table));
  }
  lines.push('', 'ratios and targets (DESIGN.md 8), on the medians of per-round ratios');
  const checks = checkTargets(results).map((check) => [check.met === undefined ? 'info' : check.met === 'not measured' ? 'n/a' : check.met ? 'PASS' : 'FAIL', check.target, check.value, check.limit]);
  lines.push(...aligned([['', 'figure', 'median [min–max]', 'target'], ...checks], 'left'));
  lines.push('', '  * the load generator used > 90% of its core in a max run: that max is a lower bound');
  lines.push('  disturbed: Mn / Hn = the max / half-load measurement of round n ran while other processes used > 10% of a core');
  if (results.notes.length > 0) lines.push('', 'notes', ...results.notes.map((note) => `  - ${note}`));
  return lines.join('\n');
}

/** Rows as columns padded to their widest cell: the first and last left-aligned, numbers between right-aligned (or all left). */
function aligned(rows: string[][], align: 'numbers' | 'left' = 'numbers'): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((cells) => [...(cells[column] ?? '')].length)));
  return rows.map((cells) => {
    const padded = cells.map((cell, column) => {
      const left = align === 'left' || column === 0 || column === cells.length - 1;
      const gap = ' '.repeat(widths[column]! - [...cell].length);
      return left ? cell + gap : gap + cell;
    });
    return `  ${padded.join('  ')}`.trimEnd();
  });
}

/** `median [min–max]`. */
function spread(value: Spread, digits: number): string {
  if (!Number.isFinite(value.median)) return '-';
  return `${num(value.median, digits)} [${num(value.min, digits)}–${num(value.max, digits)}]`;
}

function times(value: Spread): string {
  if (!Number.isFinite(value.median)) return '-';
  return `${value.median.toFixed(2)}× [${value.min.toFixed(2)}–${value.max.toFixed(2)}]`;
}

function num(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}
