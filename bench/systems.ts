/**
 * The systems under test and how each is started: the bridge on each store (memory, a fresh
 * SQLite file, the run's private Redis), the bare `node:http` forwarder and the minimal Bolt
 * app, all in child processes on the systems' CPU with one environment pointing at the sinks;
 * plus the two heap measurements.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { slackUsersCacheMax } from '../adapters/slack/slack-users.js';
import { DEFAULT_STORE_LIMITS } from '../src/store/store-limits.js';
import type { TraceBook } from './correlation.js';
import { answerConversations, followUpMessages, warmUpConversations } from './measure.js';
import { benchIdentity } from './payloads.js';
import type { CpuPlacement } from './pinning.js';
import type { BenchResults, HeapFigure } from './report.js';
import type { Sinks } from './sinks.js';
import { startSut, type SutProcess } from './sut-process.js';
import type { RegistryHeapReport } from './sut/registry-heap-probe.js';
import { isBridge, type SystemName } from './system-names.js';

const here = import.meta.dirname;

/** Entry file of each kind of system. */
const entries = {
  bridge: join(here, 'sut', 'bridge-system.ts'),
  bare: join(here, 'sut', 'bare-forwarder.ts'),
  'bolt-minimal': join(here, 'sut', 'bolt-minimal.ts'),
};

/** Where the systems run: the sinks they talk to, a scratch directory, the CPU, the private Redis. */
export interface SystemsContext {
  sinks: Sinks;
  workDir: string;
  placement: CpuPlacement;
  /** The private redis-server's URL; without it `bridge-redis` cannot start. */
  redisUrl?: string;
}

/**
 * The environment every system gets: the bridge's own variables (DESIGN.md section 1), which the
 * baselines read too. bridge.yaml has one Slack desk, so isTeamOnline has a desk to answer for.
 */
export function benchEnv(context: SystemsContext, storeUrl: string): Record<string, string> {
  const configPath = join(context.workDir, 'bridge.yaml');
  writeFileSync(
    configPath,
    [`defaultDesk: ${benchIdentity.deskId}`, 'desks:', `  - id: ${benchIdentity.deskId}`, '    platform: slack', `    channel: ${benchIdentity.deskChannel}`, ''].join('\n'),
  );
  return {
    PORT: '0',
    BOT_BACKEND: 'ultimate',
    ULTIMATE_API_URL: context.sinks.chat.url,
    ULTIMATE_API_KEY: benchIdentity.ultimateApiKey,
    ULTIMATE_BOT_ID: benchIdentity.ultimateBotId,
    WEBHOOK_TOKEN: benchIdentity.webhookToken,
    SLACK_BOT_TOKEN: benchIdentity.botToken,
    SLACK_SIGNING_SECRET: benchIdentity.signingSecret,
    SLACK_API_URL: `${context.sinks.slack.url}/api/`,
    TEAMS_ENABLED: 'false',
    STORE_URL: storeUrl,
    BRIDGE_CONFIG: configPath,
    LOG_LEVEL: 'warn',
  };
}

/** The STORE_URL of a system: a SQLite file of its own (fresh: named after the label and the time), or the private Redis. */
function storeUrlOf(context: SystemsContext, system: SystemName, label: string): string {
  switch (system) {
    case 'bridge-sqlite':
      return `sqlite:${join(context.workDir, `${label}-${Date.now()}.db`)}`;
    case 'bridge-redis':
      if (!context.redisUrl) throw new Error('bridge-redis needs the private redis-server, which did not start');
      return context.redisUrl;
    default:
      // The baselines read no store; the memory bridge and the heap probe use the memory store.
      return 'memory:';
  }
}

/** Start one system. `label` names its log file and SQLite file (e.g. `bridge-heap`). */
export function startSystem(context: SystemsContext, system: SystemName, label: string = system): Promise<SutProcess> {
  return startSut({
    name: label,
    entry: isBridge(system) ? entries.bridge : entries[system],
    env: benchEnv(context, storeUrlOf(context, system, label)),
    workDir: context.workDir,
    placement: context.placement,
  });
}

/**
 * Requests leave short-lived objects behind (the Converse client's AbortSignal.timeout keeps a
 * timer and its signal alive for 10 s), so heap readings wait this long after the last request.
 */
const settleMs = 12_000;

/** Where V8's hash table of a Map doubles (from 8,192 slots to 16,384) on the way to the memory store's bound. */
const mapTableDoubling = 8192;

/**
 * Heap per idle conversation through the real path, on a bridge of its own that is idle between
 * steps (so it can wait out `settleMs` while other measurements run), in the state of a bridge
 * that has run a while: its bounded caches full. `start` creates `warmUp` conversations (one DM
 * and one user each, as in Slack, and a bot answer to each), past the Slack users cache's bound
 * (5,000 users: a new requester's users.info entry replaces the oldest), then sends follow-up
 * messages until the memory store's dedupe keys reach their bound (10,000, 15 minutes each: a
 * new event's key replaces the oldest); this also compiles the code. Both caches are a fixed
 * cost then, not one per conversation. `grow` reads the live heap (a heap snapshot's reachable
 * objects but compiled code) and creates `count` more conversations, each answered once;
 * `finish` reads it again. `warmUp + count` stays under the store's bound for conversations
 * (10,000), so none is evicted, and crosses 8,192, where every map keyed per conversation
 * doubles its table (and the full users cache's table grows once, its deleted entries having
 * filled it): each doubling's 229 KB counts against these conversations, about 64 B each, more
 * than the 28 B a map costs per entry over a whole doubling cycle, so the figure errs high rather
 * than counting the tables at none. What stays per conversation: its record and thread binding
 * and its transcript (the requester's turn and the bot's); its drained queues keep nothing.
 */
export class BridgeHeapProbe {
  private lastRequestAt = Date.now();
  private before?: number;

  private constructor(
    private readonly bridge: SutProcess,
    private readonly book: TraceBook,
    private readonly sizes: { warmUp: number; count: number },
  ) {}

  /** Start the bridge and bring it to the measured state (`warmUp` conversations; `count` are added by `grow`). */
  static async start(context: SystemsContext, book: TraceBook, sizes: { warmUp: number; count: number }): Promise<BridgeHeapProbe> {
    const { warmUp, count } = sizes;
    const { maxMemoryEntries } = DEFAULT_STORE_LIMITS;
    if (warmUp <= slackUsersCacheMax || warmUp + count >= maxMemoryEntries || warmUp + count <= mapTableDoubling) {
      throw new Error(`heap probe: the warm-up (${warmUp}) must fill the users cache (${slackUsersCacheMax}), and all ${warmUp + count} conversations pass ${mapTableDoubling} and fit the memory store (${maxMemoryEntries})`);
    }
    const probe = new BridgeHeapProbe(await startSystem(context, 'bridge-memory', 'bridge-heap'), book, sizes);
    await answerConversations(probe.bridge, await warmUpConversations(probe.bridge, warmUp, book), book);
    await followUpMessages(probe.bridge, maxMemoryEntries - warmUp, warmUp, book);
    probe.lastRequestAt = Date.now();
    return probe;
  }

  /** Read the heap, then create and answer `count` conversations. */
  async grow(): Promise<void> {
    await this.settle();
    this.before = await this.bridge.heap();
    await answerConversations(this.bridge, await warmUpConversations(this.bridge, this.sizes.count, this.book, this.sizes.warmUp), this.book);
    this.lastRequestAt = Date.now();
  }

  /** Read the heap again and stop the bridge. */
  async finish(): Promise<HeapFigure> {
    if (this.before === undefined) throw new Error('grow() first');
    await this.settle();
    const after = await this.bridge.heap();
    await this.bridge.stop();
    return { conversations: this.sizes.count, bytesPerConversation: (after - this.before) / this.sizes.count };
  }

  /** The bridge's process id. */
  get pid(): number {
    return this.bridge.pid;
  }

  /** Stop the bridge (idempotent). */
  stop(): Promise<void> {
    return this.bridge.stop();
  }

  private async settle(): Promise<void> {
    const waitMs = this.lastRequestAt + settleMs - Date.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/** Heap per Slack and Teams conversation record through ConversationRegistry over the memory store (a child process of its own). */
export function measureRegistryHeap(count: number): Promise<Pick<BenchResults['heap'], 'slackRecord' | 'teamsRecord'>> {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'sut', 'registry-heap-probe.ts'), [], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', BENCH_HEAP_CONVERSATIONS: String(count) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let report: RegistryHeapReport | undefined;
    child.on('message', (message: RegistryHeapReport) => {
      if (message.type === 'heap-probe') report = message;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (report) resolve({ slackRecord: report.slack, teamsRecord: report.teams });
      else reject(new Error(`registry heap probe exited with ${code} without a report`));
    });
  });
}
