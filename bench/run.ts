/**
 * `npm run bench` (DESIGN.md section 8): the bridge on each store (memory, SQLite, Redis) side
 * by side with two baselines (a bare node:http forwarder, a minimal Bolt app), against local
 * sinks on 127.0.0.1, in interleaved rounds. Prints medians and spread, the ratios the targets
 * are about with pass/fail, and writes bench/results/latest.json.
 *
 *   npm run bench                          3 rounds, about ten minutes on two busy cores
 *   npm run bench -- --rounds 5            more rounds (or BENCH_ROUNDS=5)
 *   npm run bench -- --quick               shorter measurements and record heap probe, to try the harness
 *   npm run bench -- --stores memory,redis only these bridge stores
 *   npm run bench -- --cpu-prof            a V8 CPU profile of each system during each first-round measurement
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { slackUsersCacheMax } from '../adapters/slack/slack-users.js';
import { TraceBook } from './correlation.js';
import { disturbedPercent, DisturbanceMeter } from './disturbance.js';
import { measureSendMessage, measureTeamOnline, warmUpConversations, type MeasureContext, type PathName } from './measure.js';
import { isTeamOnlineBody, webhookHeaders } from './payloads.js';
import { placeProcesses } from './pinning.js';
import { startRedis, type PrivateRedis } from './redis-server.js';
import { figure, formatTable, type BenchResults, type RoundMeasurement } from './report.js';
import { halfRound, maxRound, type RoundContext } from './rounds.js';
import { startSinks } from './sinks.js';
import type { SutProcess } from './sut-process.js';
import { allSystems, baselineSystems, bridgeSystems, type SystemName } from './system-names.js';
import { BridgeHeapProbe, measureRegistryHeap, startSystem, type SystemsContext } from './systems.js';

const { values: flags } = parseArgs({
  options: { rounds: { type: 'string' }, quick: { type: 'boolean' }, stores: { type: 'string' }, 'cpu-prof': { type: 'boolean' } },
  strict: true,
});
const quick = flags.quick === true;
const rounds = Number(flags.rounds ?? process.env.BENCH_ROUNDS ?? '3');
if (!Number.isSafeInteger(rounds) || rounds < 1) throw new Error(`--rounds / BENCH_ROUNDS must be a positive integer, got ${flags.rounds ?? process.env.BENCH_ROUNDS}`);
const stores = (flags.stores ?? 'memory,sqlite,redis').split(',').map((store) => store.trim());
for (const store of stores) if (!['memory', 'sqlite', 'redis'].includes(store)) throw new Error(`--stores: unknown store "${store}" (memory, sqlite, redis)`);

/** Every duration and size of a run, in one table. */
const settings = {
  rounds,
  conversations: 200,
  maxConnections: 50,
  maxDurationS: quick ? 3 : 4,
  halfDurationS: quick ? 3 : 4,
  onlineDurationS: 3,
  newDurationS: 3,
  warmupS: 1,
  drainMs: 5000,
  quiesceMs: 10_000,
  /** The real-path heap probe's warm-up fills the Slack users cache (systems.ts, BridgeHeapProbe). */
  heapWarmUp: slackUsersCacheMax + 200,
  heapConversations: 3600,
  registryHeapConversations: quick ? 5000 : 20_000,
  cpuProfile: flags['cpu-prof'] === true,
  /** The whole run is abandoned past this. */
  deadlineS: 240 + rounds * 240,
};

const resultsDir = join(import.meta.dirname, 'results');
/** The private Redis, module-wide so that giving up at the deadline can still end it. */
let redis: PrivateRedis | undefined;

async function main(): Promise<void> {
  const started = Date.now();
  const placement = placeProcesses();
  const workDir = mkdtempSync(join(tmpdir(), 'bridge-bench-'));
  const book = new TraceBook();
  const sinks = await startSinks(book);
  const results: BenchResults = {
    startedAt: new Date(started).toISOString(),
    wallS: 0,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}` },
    settings: { ...settings, stores },
    placement: placement.description,
    rounds,
    halfRates: {},
    overloaded: [],
    measurements: [],
    heap: {},
    sinkRequests: {},
    notes: [],
  };
  const running = new Map<SystemName, SutProcess>();
  let heapProbe: BridgeHeapProbe | undefined;
  const meter = new DisturbanceMeter(() => [process.pid, ...[...running.values()].map((sut) => sut.pid), ...(redis ? [redis.pid] : []), ...(heapProbe ? [heapProbe.pid] : [])]);
  try {
    log(`CPU placement: ${placement.description}`);
    log(meter.available ? `disturbance meter: other processes above ${disturbedPercent}% of a core mark a measurement` : 'disturbance meter: /proc cannot be read here, so disturbed rounds cannot be detected');
    if (!meter.available) results.notes.push('/proc cannot be read: other processes disturbing a round would go unnoticed');
    if (stores.includes('redis')) redis = await startRedis(workDir, placement).catch((error: unknown) => skipRedis(results, error));
    const context: SystemsContext = { sinks, workDir, placement, ...(redis ? { redisUrl: redis.url } : {}) };
    const systems = allSystems.filter((system) => (baselineSystems as readonly string[]).includes(system) || (system === 'bridge-redis' ? redis !== undefined : stores.includes(system.slice('bridge-'.length))));
    log(`sinks: Chat API ${sinks.chat.url}, Slack API ${sinks.slack.url}${redis ? `; Redis ${redis.url}` : ''}; systems: ${systems.join(', ')}; scratch ${workDir}`);
    // The registry probe runs while the systems start: nothing is measured during start-up.
    const registryHeap = measureRegistryHeap(settings.registryHeapConversations);
    const suts = await Promise.all(systems.map((system) => startSystem(context, system)));
    systems.forEach((system, index) => running.set(system, suts[index]!));
    Object.assign(results.heap, await registryHeap);
    heapProbe = await BridgeHeapProbe.start(context, book, { warmUp: settings.heapWarmUp, count: settings.heapConversations });

    const measure: MeasureContext = { book, durationS: settings.maxDurationS, warmupS: settings.warmupS, drainMs: settings.drainMs, sinkConnections: () => sinks.chat.connections() + sinks.slack.connections() };
    const conversations = new Map<SystemName, string[]>();
    // One system at a time: all at once would put five processes on the systems' single CPU.
    for (const [system, sut] of running) {
      conversations.set(system, await warmUpConversations(sut, settings.conversations, book));
      await warmUpPaths(sut, conversations.get(system)!, measure, results.notes);
    }
    log(`${settings.conversations} conversations created on each system; ${rounds} max rounds`);
    const roundContext: RoundContext = {
      suts: running,
      conversations,
      newRequesters: new Map([...running.keys()].map((system) => [system, { next: settings.conversations }])),
      measure,
      meter,
      settings,
      bystanders: (system) => [
        ...[...running].filter(([other]) => other !== system).map(([, sut]) => sut.pid),
        ...(heapProbe ? [heapProbe.pid] : []),
        ...(redis && system !== 'bridge-redis' ? [redis.pid] : []),
      ],
      around: (sut, name, work) => (settings.cpuProfile && name.endsWith('-r1') ? profiled(sut, name, work) : work()),
      taken: (measurement) => {
        results.measurements.push(measurement);
        progress(measurement);
      },
      notes: results.notes,
    };
    for (let round = 1; round <= rounds; round++) {
      log(`max round ${round} of ${rounds}`);
      await maxRound(roundContext, round);
    }
    const half = (path: 'a' | 'b') => Math.max(1, Math.floor(figure(results, path, 'bolt-minimal', 'max', 'eventsPerS').median / 2));
    const rates = { a: half('a'), b: half('b'), c: half('b') };
    results.halfRates = { a: rates.a, b: rates.b, c: rates.c };
    for (const system of running.keys()) {
      for (const path of ['a', 'b'] as const) {
        const maxPerS = figure(results, path, system, 'max', 'eventsPerS').median;
        if (maxPerS < rates[path]) results.overloaded.push({ system, path, maxPerS });
      }
    }
    const overloaded = (system: SystemName, path: PathName) => results.overloaded.some((entry) => entry.system === system && entry.path === path);
    for (const { system, path, maxPerS } of results.overloaded) log(`${system} (${path}): median max ${maxPerS.toFixed(0)}/s is below the half-load rate ${results.halfRates[path]}/s, so it is not paced at it`);
    log(`heap probe: ${settings.heapConversations} more conversations on its own bridge, read again after the half-load rounds`);
    await heapProbe.grow();
    for (let round = 1; round <= rounds; round++) {
      log(`half-load round ${round} of ${rounds}: (a) ${rates.a}/s, (b) and (c) ${rates.b}/s (half the bolt-minimal median max)`);
      await halfRound(roundContext, round, rates, overloaded);
    }
    await Promise.all([...running.values()].map((sut) => sut.stop()));
    running.clear();
    results.heap.realPathSlack = await heapProbe.finish();
  } finally {
    await heapProbe?.stop();
    await Promise.all([...running.values()].map((sut) => sut.stop()));
    await redis?.stop();
    await sinks.close();
    results.sinkRequests = { chat: Object.fromEntries(sinks.chat.counts), slack: Object.fromEntries(sinks.slack.counts) };
  }
  results.wallS = (Date.now() - started) / 1000;
  addNotes(results, workDir, redis !== undefined);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${formatTable(results)}\n\nwall time ${results.wallS.toFixed(0)} s; JSON: bench/results/latest.json\n`);
  if (settings.cpuProfile) log('CPU profiles (taken while measuring, so those figures carry profiler overhead): bench/results/profiles/; summarise with npx tsx bench/profile-summary.ts FILE');
  if (logsWritten(workDir)) log(`logs kept in ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
}

function skipRedis(results: BenchResults, error: unknown): undefined {
  const why = error instanceof Error ? error.message : String(error);
  results.notes.push(`no Redis figures: ${why}`);
  log(`Redis skipped: ${why}`);
  return undefined;
}

/** With --cpu-prof, a CPU profile of the system during `work`, in bench/results/profiles/NAME.cpuprofile. */
async function profiled<T>(sut: SutProcess, name: string, work: () => Promise<T>): Promise<T> {
  mkdirSync(join(resultsDir, 'profiles'), { recursive: true });
  await sut.profileStart();
  try {
    return await work();
  } finally {
    await sut.profileStop(join(resultsDir, 'profiles', `${name}.cpuprofile`));
  }
}

/** Settle code paths before measuring: one pass of (b) and (c), and the isTeamOnline warm-up call. */
async function warmUpPaths(sut: SutProcess, conversationIds: string[], context: MeasureContext, notes: string[]): Promise<void> {
  const online = await fetch(`${sut.url}/converse-webhook`, { method: 'POST', headers: webhookHeaders, body: isTeamOnlineBody(), signal: AbortSignal.timeout(20_000) });
  const answer = (await online.json()) as { isOnline?: unknown };
  if (online.status !== 200 || typeof answer.isOnline !== 'boolean') throw new Error(`${sut.name}: isTeamOnline answered ${online.status} ${JSON.stringify(answer)}`);
  if (answer.isOnline !== true) notes.push(`${sut.name}: isTeamOnline answered false although every desk member is "active" on the fake Slack API (presence not served from the cache)`);
  await measureSendMessage(sut, { kind: 'amount', amount: Math.min(500, conversationIds.length), connections: 8 }, conversationIds, { ...context, warmupS: 0 });
  await measureTeamOnline(sut, { kind: 'amount', amount: 500, connections: 8 }, { ...context, warmupS: 0 });
}

function addNotes(results: BenchResults, workDir: string, hadRedis: boolean): void {
  const disturbed = results.measurements.filter((m) => m.disturbed);
  if (disturbed.length > 0) {
    const worst = Math.max(...disturbed.map((m) => m.otherCpuPercent ?? 0));
    const byRound = [...new Set(disturbed.map((m) => `${m.kind} round ${m.round}`))];
    results.notes.push(`DISTURBED: ${disturbed.length} of ${results.measurements.length} measurements ran while other processes used more than ${disturbedPercent}% of a core (up to ${worst.toFixed(0)}%; ${byRound.join(', ')}): compare their figures with care`);
  }
  for (const run of results.measurements) {
    const where = `${run.system} (${run.path}) ${run.kind} round ${run.round}`;
    if (run.missing > 0) results.notes.push(`${where}: ${run.missing} events sent in the window never reached the sink within ${settings.drainMs} ms`);
    if (run.non2xx > 0 || run.errors > 0) results.notes.push(`${where}: ${run.non2xx} non-2xx answers, ${run.errors} errors${run.firstRejection ? `; first: ${run.firstRejection}` : ''}`);
  }
  results.notes.push(`each system runs in its own process; load generator and sinks share this one (${results.machine.cpus} CPUs, ${results.machine.cpuModel}); the other systems (and Redis, but for bridge-redis) are paused while one is measured`);
  if (hadRedis) results.notes.push('the private redis-server shares the systems’ CPU; its own CPU time is not in the bridge’s CPU per event');
  results.notes.push(`SQLite: a fresh file per run, synchronous as shipped; stores in this run: ${bridgeSystems.filter((system) => results.measurements.some((m) => m.system === system)).join(', ')}`);
  if (logsWritten(workDir)) results.notes.push(`the systems wrote warnings or errors: see the *.log files in ${workDir}`);
}

function logsWritten(workDir: string): boolean {
  return readdirSync(workDir).some((file) => file.endsWith('.log') && file !== 'redis.log' && readFileSync(join(workDir, file), 'utf8').trim() !== '');
}

function progress(run: RoundMeasurement): void {
  const shape = run.shape.kind === 'paced' ? `paced ${run.shape.rate}/s` : run.shape.kind;
  const other = run.otherCpuPercent === undefined ? '' : `  other ${run.otherCpuPercent.toFixed(0)}%${run.disturbed ? ' DISTURBED' : ''}`;
  log(
    `  (${run.path}) ${run.system.padEnd(13)} ${shape.padEnd(13)} ${run.eventsPerS.toFixed(0).padStart(6)} ev/s  p50 ${run.p50Ms.toFixed(2)} ms  p99 ${run.p99Ms.toFixed(2)} ms` +
      `  CPU ${run.cpuUsPerEvent.toFixed(0)} µs/ev  GC ${run.gcPercent.toFixed(1)}%  driver ${run.driverCpuPercent.toFixed(0)}%${other}`,
  );
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

const deadline = setTimeout(() => {
  process.stderr.write(`bench: gave up after ${settings.deadlineS} s\n`);
  // The systems under test end with this process (their IPC channel closes); redis-server would not.
  redis?.kill();
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
