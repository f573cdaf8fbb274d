/**
 * The interleaved rounds of a run. A max round measures every path on every system in turn
 * (A B C D E, then the next path); a half-load round does the same paced at half the minimal
 * Bolt app's max. Repeating whole rounds (A B C ... A B C ...) spreads slow drifts of the machine
 * over every system alike instead of landing on whichever was measured last. Before each
 * measurement the previous one's backlog must have reached the sinks; during each one the other
 * systems are paused (SIGSTOP, then SIGCONT), so that their timers (outbox sweeps, presence
 * rounds, Redis's cron) never run on the measured system's core, and the disturbance meter
 * watches what other processes use.
 */
import type { DisturbanceMeter } from './disturbance.js';
import type { LoadShape } from './load.js';
import { measureNewConversations, measureSendMessage, measureSlackEvents, measureTeamOnline, quiesce, type MeasureContext, type PathMeasurement, type PathName } from './measure.js';
import type { LoadKind, RoundMeasurement } from './report.js';
import type { SutProcess } from './sut-process.js';
import { isBridge, type SystemName } from './system-names.js';

/** Durations and sizes the rounds use. */
export interface RoundSettings {
  maxConnections: number;
  maxDurationS: number;
  halfDurationS: number;
  onlineDurationS: number;
  newDurationS: number;
  /** How long to wait for an earlier measurement's backlog before the next one starts. */
  quiesceMs: number;
}

/** What the rounds run on. */
export interface RoundContext {
  suts: ReadonlyMap<SystemName, SutProcess>;
  /** Conversations created on each system beforehand, for (a) and (b). */
  conversations: ReadonlyMap<SystemName, string[]>;
  /** Where each system's next never-seen requester is, for (a-new). */
  newRequesters: Map<SystemName, { next: number }>;
  measure: MeasureContext;
  meter: DisturbanceMeter;
  settings: RoundSettings;
  /** The processes to pause while `system` is measured: the other systems, and Redis unless it is `system`'s. */
  bystanders: (system: SystemName) => number[];
  /** Wraps a measurement (a CPU profile of the system while it runs, with --cpu-prof). */
  around: <T>(sut: SutProcess, name: string, work: () => Promise<T>) => Promise<T>;
  /** Each measurement as it is taken. */
  taken: (measurement: RoundMeasurement) => void;
  notes: string[];
}

/** Max round `round`: (a), (b) and (a-new) at max load on every system. */
export async function maxRound(context: RoundContext, round: number): Promise<void> {
  const shape: LoadShape = { kind: 'max', connections: context.settings.maxConnections };
  for (const path of ['a', 'b', 'a-new'] as const) {
    const durationS = path === 'a-new' ? context.settings.newDurationS : context.settings.maxDurationS;
    for (const system of context.suts.keys()) await take(context, { round, kind: 'max', path, system, shape, durationS });
  }
}

/**
 * Half-load round `round`: (a) and (b) on every system, (c) on the bridges, paced at `rates`.
 * A system whose median max is below the rate (`overloaded`) is not paced at it: it could only
 * build a backlog, whose p99 says nothing but how long the run was, and whose draining would
 * load the systems' CPU during the next measurement.
 */
export async function halfRound(context: RoundContext, round: number, rates: Record<'a' | 'b' | 'c', number>, overloaded: (system: SystemName, path: PathName) => boolean): Promise<void> {
  for (const path of ['a', 'b'] as const) {
    for (const system of context.suts.keys()) {
      if (!overloaded(system, path)) await take(context, { round, kind: 'half', path, system, shape: { kind: 'paced', rate: rates[path] }, durationS: context.settings.halfDurationS });
    }
  }
  for (const system of [...context.suts.keys()].filter(isBridge)) {
    await take(context, { round, kind: 'half', path: 'c', system, shape: { kind: 'paced', rate: rates.c }, durationS: context.settings.onlineDurationS });
  }
}

/** How long a system's last store calls get after its backlog reached the sinks, before it is paused. */
const pauseSettleMs = 300;

interface Cell {
  round: number;
  kind: LoadKind;
  path: PathName;
  system: SystemName;
  shape: LoadShape;
  durationS: number;
}

async function take(context: RoundContext, cell: Cell): Promise<void> {
  const sut = context.suts.get(cell.system)!;
  const left = await quiesce(context.measure.book, context.settings.quiesceMs);
  if (left > 0) context.notes.push(`before ${cell.system} (${cell.path}) ${cell.kind} round ${cell.round}: ${left} earlier events had still not reached the sinks after ${context.settings.quiesceMs} ms`);
  // Paused in order (the bridges before Redis) and resumed in reverse, so that no bridge runs while
  // its Redis is stopped; the pause waits a moment after the backlog reached the sinks, so that
  // the last completes are answered (a reply left unread across the pause would time out).
  await new Promise((resolve) => setTimeout(resolve, pauseSettleMs));
  const paused = signalAll(context.bystanders(cell.system), 'SIGSTOP');
  let measurement: PathMeasurement;
  let disturbance: ReturnType<ReturnType<DisturbanceMeter['start']>>;
  try {
    const stop = context.meter.start();
    measurement = await context.around(sut, `${cell.system}-${cell.path}-${cell.kind}-r${cell.round}`, () => measure(context, sut, cell));
    disturbance = stop();
  } finally {
    signalAll([...paused].reverse(), 'SIGCONT');
  }
  context.taken({
    ...measurement,
    system: cell.system,
    round: cell.round,
    kind: cell.kind,
    ...(disturbance ? { otherCpuPercent: disturbance.otherCpuPercent } : {}),
    disturbed: disturbance?.disturbed ?? false,
  });
}

/** Send `signal` to each process; answers those it reached (one that exited is skipped). */
function signalAll(pids: readonly number[], signal: 'SIGSTOP' | 'SIGCONT'): number[] {
  return pids.filter((pid) => {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  });
}

function measure(context: RoundContext, sut: SutProcess, cell: Cell): Promise<PathMeasurement> {
  const measureContext = { ...context.measure, durationS: cell.durationS };
  const conversations = context.conversations.get(cell.system)!;
  switch (cell.path) {
    case 'a':
      return measureSlackEvents(sut, cell.shape, conversations.length, measureContext);
    case 'a-new':
      return measureNewConversations(sut, cell.shape, context.newRequesters.get(cell.system)!, measureContext);
    case 'b':
      return measureSendMessage(sut, cell.shape, conversations, measureContext);
    case 'c':
      return measureTeamOnline(sut, cell.shape, measureContext);
  }
}
