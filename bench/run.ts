/**
 * `npm run bench` (DESIGN.md section 8): the bridge against local sinks, side by side with two
 * baselines, on 127.0.0.1 only, in one bounded run. Prints a table of throughput, added latency,
 * CPU per event and the ratios the targets are about, and writes bench/results/latest.json.
 *
 *   npm run bench                  full run (about three minutes on two cores)
 *   npm run bench -- --quick       short runs, for trying the harness
 *   npm run bench -- --cpu-prof    also write a V8 CPU profile of every system during each run
 *   npm run bench -- --no-sqlite   skip the SQLite-store figures
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceBook } from './correlation.js';
import type { LoadShape } from './load.js';
import { measureSendMessage, measureSlackEvents, measureTeamOnline, warmUpConversations, type MeasureContext, type PathMeasurement, type PathName } from './measure.js';
import { isTeamOnlineBody, webhookHeaders } from './payloads.js';
import { formatTable, systems, type BenchResults, type PathResults, type SystemName } from './report.js';
import { startSinks } from './sinks.js';
import type { SutProcess } from './sut-process.js';
import { BridgeHeapProbe, measureRegistryHeap, startSystem, type SystemsContext } from './systems.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');

/** Every duration and size of a run, in one table. */
const settings = {
  conversations: quick ? 200 : 1000,
  maxConnections: 50,
  maxDurationS: quick ? 3 : 7,
  halfDurationS: quick ? 3 : 5,
  onlineDurationS: quick ? 3 : 4,
  warmupS: 1,
  drainMs: 5000,
  heapWarmUp: quick ? 200 : 500,
  heapConversations: quick ? 1000 : 4000,
  registryHeapConversations: quick ? 5000 : 20_000,
  sqlite: !args.has('--no-sqlite'),
  cpuProfile: args.has('--cpu-prof'),
  /** The whole run is abandoned past this. */
  deadlineS: 420,
};

const resultsDir = join(import.meta.dirname, 'results');

async function main(): Promise<void> {
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'bridge-bench-'));
  const book = new TraceBook();
  const sinks = await startSinks(book);
  const context: SystemsContext = { sinks, workDir };
  const results: BenchResults = {
    startedAt: new Date(started).toISOString(),
    wallS: 0,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}` },
    settings: { ...settings, store: 'memory:' },
    paths: {},
    sqlite: {},
    heap: {},
    sinkRequests: {},
    notes: [],
  };
  const measure: MeasureContext = {
    book,
    durationS: settings.maxDurationS,
    warmupS: settings.warmupS,
    drainMs: settings.drainMs,
    sinkConnections: () => sinks.chat.connections() + sinks.slack.connections(),
  };
  const running: SutProcess[] = [];
  let heapProbe: BridgeHeapProbe | undefined;
  try {
    log(`sinks: Chat API ${sinks.chat.url}, Slack API ${sinks.slack.url}; systems start in ${workDir}`);
    // The registry probe runs while the systems start: nothing is measured during start-up.
    const registryHeap = measureRegistryHeap(settings.registryHeapConversations);
    const suts = await Promise.all(systems.map((system) => startSystem(context, system)));
    running.push(...suts);
    results.heap.registry = await registryHeap;
    heapProbe = await BridgeHeapProbe.start(context, book, settings.heapWarmUp);
    const bySystem = new Map<SystemName, SutProcess>(systems.map((system, index) => [system, suts[index]!]));
    const conversations = new Map<SystemName, string[]>();
    for (const [system, sut] of bySystem) {
      conversations.set(system, await warmUpConversations(sut, settings.conversations, book));
      await warmUpPaths(sut, conversations.get(system)!, measure, results.notes);
    }
    log(`${settings.conversations} conversations created on each system; measuring at max load`);
    const measureOn = (path: PathName, sut: SutProcess, system: SystemName, shape: LoadShape, durationS: number) =>
      profiled(sut, `${system}-${path}-${shape.kind}`, () => measurePath(path, sut, shape, conversations.get(system)!, { ...measure, durationS }));
    for (const path of ['a', 'b', 'c'] as const) {
      const durationS = path === 'c' ? settings.onlineDurationS : settings.maxDurationS;
      const entry: PathResults = { max: {}, halfRate: 0, half: {} };
      for (const [system, sut] of bySystem) entry.max[system] = progress(await measureOn(path, sut, system, { kind: 'max', connections: settings.maxConnections }, durationS));
      entry.halfRate = Math.max(1, Math.floor(entry.max.bridge!.eventsPerS / 2));
      results.paths[path] = entry;
    }
    log('measuring at half of the bridge’s max load');
    for (const path of ['a', 'b', 'c'] as const) {
      const entry = results.paths[path]!;
      const durationS = path === 'c' ? settings.onlineDurationS : settings.halfDurationS;
      for (const [system, sut] of bySystem) entry.half[system] = progress(await measureOn(path, sut, system, { kind: 'paced', rate: entry.halfRate }, durationS));
    }
    await Promise.all(running.splice(0).map((sut) => sut.stop()));

    log(`heap per conversation through the real path: ${settings.heapConversations} more conversations, read again after they settle`);
    await heapProbe.grow(settings.heapConversations);
    // The SQLite figures are taken while the heap bridge sits idle, waiting out short-lived objects.
    if (settings.sqlite) await measureSqlite(context, measure, results);
    results.heap.realPath = await heapProbe.finish();
  } finally {
    await heapProbe?.stop();
    await Promise.all(running.map((sut) => sut.stop()));
    await sinks.close();
    results.sinkRequests = { chat: Object.fromEntries(sinks.chat.counts), slack: Object.fromEntries(sinks.slack.counts) };
  }
  results.wallS = (Date.now() - started) / 1000;
  addNotes(results, workDir);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${formatTable(results)}\n\nwall time ${results.wallS.toFixed(0)} s; JSON: bench/results/latest.json\n`);
  if (settings.cpuProfile) log('CPU profiles (taken while measuring, so those figures carry profiler overhead): bench/results/profiles/; summarise with npx tsx bench/profile-summary.ts FILE');
  if (hasLogs(workDir)) log(`logs kept in ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
}

/** With --cpu-prof, a CPU profile of the system during `work`, in bench/results/profiles/NAME.cpuprofile. */
async function profiled<T>(sut: SutProcess, name: string, work: () => Promise<T>): Promise<T> {
  if (!settings.cpuProfile) return work();
  mkdirSync(join(resultsDir, 'profiles'), { recursive: true });
  await sut.profileStart();
  try {
    return await work();
  } finally {
    await sut.profileStop(join(resultsDir, 'profiles', `${name}.cpuprofile`));
  }
}

function measurePath(path: PathName, sut: SutProcess, shape: LoadShape, conversationIds: string[], context: MeasureContext): Promise<PathMeasurement> {
  switch (path) {
    case 'a':
      return measureSlackEvents(sut, shape, conversationIds.length, context);
    case 'b':
      return measureSendMessage(sut, shape, conversationIds, context);
    case 'c':
      return measureTeamOnline(sut, shape, context);
  }
}

/** Settle code paths before measuring: one pass of (b) and (c), and the isTeamOnline warm-up call. */
async function warmUpPaths(sut: SutProcess, conversationIds: string[], context: MeasureContext, notes: string[]): Promise<void> {
  const online = await fetch(`${sut.url}/converse-webhook`, { method: 'POST', headers: webhookHeaders, body: isTeamOnlineBody(), signal: AbortSignal.timeout(5000) });
  const answer = (await online.json()) as { isOnline?: unknown };
  if (online.status !== 200 || typeof answer.isOnline !== 'boolean') throw new Error(`${sut.name}: isTeamOnline answered ${online.status} ${JSON.stringify(answer)}`);
  if (answer.isOnline !== true) notes.push(`${sut.name}: isTeamOnline answered false although every desk member is "active" on the fake Slack API (presence not served from the cache)`);
  const shape: LoadShape = { kind: 'amount', amount: Math.min(500, conversationIds.length), connections: 8 };
  await measureSendMessage(sut, shape, conversationIds, { ...context, warmupS: 0 });
  await measureTeamOnline(sut, { kind: 'amount', amount: 500, connections: 8 }, { ...context, warmupS: 0 });
}

async function measureSqlite(context: SystemsContext, measure: MeasureContext, results: BenchResults): Promise<void> {
  log('the bridge on a SQLite store');
  const bridge = await startSystem(context, 'bridge', `sqlite:${join(context.workDir, 'bridge.db')}`, 'bridge-sqlite');
  try {
    const ids = await warmUpConversations(bridge, settings.conversations, measure.book);
    await warmUpPaths(bridge, ids, measure, results.notes);
    for (const path of ['a', 'b'] as const) {
      const maxRun = progress(await measurePath(path, bridge, { kind: 'max', connections: settings.maxConnections }, ids, measure));
      const rate = Math.max(1, Math.floor(maxRun.eventsPerS / 2));
      const halfRun = progress(await measurePath(path, bridge, { kind: 'paced', rate }, ids, { ...measure, durationS: settings.halfDurationS }));
      results.sqlite[path] = { max: { ...maxRun, system: 'bridge-sqlite' }, half: { ...halfRun, system: 'bridge-sqlite' } };
    }
  } finally {
    await bridge.stop();
  }
}

function addNotes(results: BenchResults, workDir: string): void {
  const all = [...Object.values(results.paths).flatMap((path) => [...Object.values(path.max), ...Object.values(path.half)]), ...Object.values(results.sqlite).flatMap((entry) => [entry.max, entry.half])];
  for (const run of all) {
    if (!run) continue;
    const where = `${run.system} (${run.path}) ${run.shape.kind}`;
    if (run.shape.kind === 'max' && run.driverCpuPercent > 90) results.notes.push(`${where}: the load generator used ${run.driverCpuPercent.toFixed(0)}% of a core (marked *): that max is a lower bound`);
    if (run.missing > 0) results.notes.push(`${where}: ${run.missing} events sent in the window never reached the sink`);
    if (run.non2xx > 0 || run.errors > 0) results.notes.push(`${where}: ${run.non2xx} non-2xx answers, ${run.errors} errors${run.firstRejection ? `; first: ${run.firstRejection}` : ''}`);
  }
  results.notes.push(`each system runs in its own process; load generator and sinks share this one (${results.machine.cpus} CPUs, ${results.machine.cpuModel})`);
  if (hasLogs(workDir)) results.notes.push(`the systems wrote warnings or errors: see the *.log files in ${workDir}`);
}

function hasLogs(workDir: string): boolean {
  return systems.concat().some((system) => {
    for (const suffix of ['', '-heap', '-sqlite']) {
      try {
        if (statSync(join(workDir, `${system}${suffix}.log`)).size > 0 && readFileSync(join(workDir, `${system}${suffix}.log`), 'utf8').trim() !== '') return true;
      } catch {
        // No log file: that system did not run in this configuration.
      }
    }
    return false;
  });
}

function progress(run: PathMeasurement): PathMeasurement {
  const shape = run.shape.kind === 'paced' ? `paced ${run.shape.rate}/s` : run.shape.kind;
  log(
    `  (${run.path}) ${run.system.padEnd(13)} ${shape.padEnd(14)} ${run.eventsPerS.toFixed(0).padStart(6)} ev/s  p50 ${run.p50Ms.toFixed(2)} ms  p99 ${run.p99Ms.toFixed(2)} ms` +
      `  CPU ${run.cpuUsPerEvent.toFixed(0)} µs/ev  GC ${run.gcPercent.toFixed(1)}% (max ${run.gcMaxPauseMs.toFixed(1)} ms)  driver ${run.driverCpuPercent.toFixed(0)}%  sink conns ${run.sinkConnections}`,
  );
  return run;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

const deadline = setTimeout(() => {
  process.stderr.write(`bench: gave up after ${settings.deadlineS} s\n`);
  process.exit(1);
}, settings.deadlineS * 1000);
deadline.unref();

main().then(
  () => {
    // Everything is closed; should a stray handle remain, do not hang.
    setTimeout(() => process.exit(0), 2000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
