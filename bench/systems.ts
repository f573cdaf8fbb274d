/**
 * The systems under test and how each is started: the bridge (memory or SQLite store), the bare
 * `node:http` forwarder and the minimal Bolt app, all in child processes with one environment
 * pointing at the sinks; plus the two heap measurements.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceBook } from './correlation.js';
import { warmUpConversations } from './measure.js';
import { benchIdentity } from './payloads.js';
import type { HeapResults, SystemName } from './report.js';
import type { Sinks } from './sinks.js';
import { startSut, type SutProcess } from './sut-process.js';
import type { RegistryHeapReport } from './sut/registry-heap-probe.js';

const here = import.meta.dirname;

/** Entry file of each system. */
const entries: Record<SystemName, string> = {
  bridge: join(here, 'sut', 'bridge-system.ts'),
  bare: join(here, 'sut', 'bare-forwarder.ts'),
  'bolt-minimal': join(here, 'sut', 'bolt-minimal.ts'),
};

/** Where the systems run: the sinks they talk to and a scratch directory. */
export interface SystemsContext {
  sinks: Sinks;
  workDir: string;
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

/** Start one system. `label` names its log file (e.g. `bridge-sqlite`). */
export function startSystem(context: SystemsContext, system: SystemName, storeUrl = 'memory:', label: string = system): Promise<SutProcess> {
  return startSut({
    name: label,
    entry: entries[system],
    env: benchEnv(context, storeUrl),
    workDir: context.workDir,
  });
}

/**
 * Heap per conversation through the real path: a fresh bridge, `warmUp` conversations to settle
 * code and caches, then `count` more (one DM and one user each, as in Slack), heap read after
 * forced collections before and after. `warmUp + count` stays under every bound of the memory
 * store (10,000) and the Slack users cache (5,000), so nothing is evicted while measuring.
 */
export async function measureBridgeHeap(context: SystemsContext, book: TraceBook, warmUp: number, count: number): Promise<NonNullable<HeapResults['realPath']>> {
  const bridge = await startSystem(context, 'bridge', 'memory:', 'bridge-heap');
  try {
    await warmUpConversations(bridge, warmUp, book);
    const before = await bridge.heap();
    await warmUpConversations(bridge, count, book, warmUp);
    const after = await bridge.heap();
    return { conversations: count, bytesPerConversation: (after.heapUsedBytes - before.heapUsedBytes) / count };
  } finally {
    await bridge.stop();
  }
}

/** Heap per conversation through ConversationRegistry over the memory store (a child process of its own). */
export function measureRegistryHeap(count: number): Promise<NonNullable<HeapResults['registry']>> {
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
      if (report) resolve({ conversations: report.conversations, bytesPerConversation: report.bytesPerConversation });
      else reject(new Error(`registry heap probe exited with ${code} without a report`));
    });
  });
}
