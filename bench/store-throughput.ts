/**
 * Store micro-benchmark (not part of `npm test` or `npm run bench`): operations per second of the
 * hot store calls, this checkout's stores against a baseline revision's, in interleaved rounds
 * (A B, B A, A B) so drift on a shared machine hits both alike. It shows what group commit
 * (SQLite) and per-tick pipelining (Redis) buy; the figures are ratios, absolute rates depend on the disk.
 *
 *   npx tsx bench/store-throughput.ts [--baseline REV] [--rounds 3] [--ops 3000] [--no-sqlite] [--no-redis] [--only NAME]
 *
 * The baseline's src/store and src/core are extracted with `git archive REV` (default `main`)
 * into ./data, next to the SQLite files, which live on the repository's disk (not a tmpfs) with
 * `synchronous` as shipped. Redis is the one at REDIS_URL (default redis://127.0.0.1:6379), under
 * a key prefix of this run that is deleted afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { ConversationRecord, Store } from '../src/store/store.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

interface Settings {
  baseline: string;
  rounds: number;
  ops: number;
  concurrency: number;
  sqlite: boolean;
  redis: boolean;
  redisUrl: string;
  /** Only the workloads whose name contains this. */
  only: string;
}

function parseSettings(argv: string[]): Settings {
  const value = (flag: string, fallback: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 && argv[index + 1] ? argv[index + 1]! : fallback;
  };
  return {
    baseline: value('--baseline', 'main'),
    rounds: Number(value('--rounds', '3')),
    ops: Number(value('--ops', '3000')),
    concurrency: Number(value('--concurrency', '64')),
    sqlite: !argv.includes('--no-sqlite'),
    redis: !argv.includes('--no-redis'),
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    only: value('--only', ''),
  };
}

/** How to open one store kind of one code version. */
type Opener = (name: string) => Store;

interface Variant {
  label: string;
  sqlite: Opener;
  redis: Opener;
}

interface StoreModules {
  SqliteStore: new (options: { path: string }) => Store;
  RedisStore: new (options: { url: string; keyPrefix: string }) => Store;
}

const dataDir = join(repoRoot, 'data', `store-throughput-${process.pid}`);
const runPrefix = `bench-store:${randomUUID()}:`;

function variant(label: string, modules: StoreModules, settings: Settings): Variant {
  return {
    label,
    sqlite: (name) => new modules.SqliteStore({ path: join(dataDir, `${label}-${name}.db`) }),
    redis: (name) => new modules.RedisStore({ url: settings.redisUrl, keyPrefix: `${runPrefix}${label}:${name}:` }),
  };
}

/** The baseline revision's store modules, extracted where tsx resolves their dependencies from this repository. */
async function loadBaseline(rev: string): Promise<StoreModules> {
  const dir = join(dataDir, 'baseline');
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['-C', repoRoot, 'archive', rev, 'src/store', 'src/core'], { maxBuffer: 64 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  const sqlite = (await import(pathToFileURL(join(dir, 'src/store/sqlite-store.ts')).href)) as Pick<StoreModules, 'SqliteStore'>;
  const redis = (await import(pathToFileURL(join(dir, 'src/store/redis-store.ts')).href)) as Pick<StoreModules, 'RedisStore'>;
  return { ...sqlite, ...redis };
}

async function loadCurrent(): Promise<StoreModules> {
  const sqlite = await import('../src/store/sqlite-store.js');
  const redis = await import('../src/store/redis-store.js');
  return { SqliteStore: sqlite.SqliteStore, RedisStore: redis.RedisStore };
}

/** Runs `op(i)` for i in [0, ops) from `concurrency` callers at once; answers ops per second. */
async function drive(ops: number, concurrency: number, op: (index: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, ops) }, async () => {
      while (next < ops) await op(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return ops / seconds;
}

const payload = { kind: 'text', text: 'a bot reply of typical size, with a button or two', buttons: [{ kind: 'reply', text: 'Yes' }] };
const queueOf = (index: number, queues: number) => ({ destination: 'bot' as const, key: `c-${index % queues}` });

/** One measured workload: opens a fresh store, prepares it, measures, closes. */
interface Workload {
  name: string;
  run: (store: Store, settings: Settings) => Promise<number>;
}

const workloads: Workload[] = [
  {
    name: 'enqueue+dedupe ×C',
    run: (store, { ops, concurrency }) =>
      drive(ops, concurrency, (n) => store.enqueue(queueOf(n, 256), [payload], n, { key: `Ev-${n}`, ttlMs: 900_000 })),
  },
  {
    name: 'enqueue+dedupe ×1',
    run: (store, { ops }) =>
      drive(Math.ceil(ops / 6), 1, (n) => store.enqueue(queueOf(n, 256), [payload], n, { key: `Ev-${n}`, ttlMs: 900_000 })),
  },
  {
    name: 'complete ×C',
    run: async (store, { ops, concurrency }) => {
      // One queue per caller, filled in bulk, each under its own lease, completed head first.
      const perQueue = Math.ceil(ops / concurrency);
      const leases = await Promise.all(
        Array.from({ length: concurrency }, async (_, index) => {
          await store.enqueue(queueOf(index, concurrency), Array.from({ length: perQueue }, () => payload), 0);
          return (await store.acquireLease(queueOf(index, concurrency), 600_000, 0))!.lease;
        }),
      );
      const done = leases.map(() => 0);
      return drive(perQueue * concurrency, concurrency, async (n) => {
        const index = n % concurrency;
        done[index]! += 1;
        await store.complete(leases[index]!, done[index]!);
      });
    },
  },
  {
    name: 'delivery cycle ×C',
    run: async (store, { ops, concurrency }) => {
      // What the delivery loop does per event: lease with the head read, complete, release (3 store calls).
      const queues = ops;
      await Promise.all(Array.from({ length: concurrency }, (_, caller) =>
        (async () => {
          for (let index = caller; index < queues; index += concurrency) await store.enqueue(queueOf(index, queues), [payload], 0);
        })(),
      ));
      return drive(queues, concurrency, async (n) => {
        const { lease, entries } = (await store.acquireLease(queueOf(n, queues), 30_000, 10))!;
        await store.complete(lease, entries[0]!.seq);
        await store.releaseLease(lease);
      });
    },
  },
  {
    name: 'find conversation ×C',
    run: async (store, { ops, concurrency }) => {
      // What every inbound platform event asks first: the conversation bound to its thread.
      const threads = 256;
      await Promise.all(Array.from({ length: threads }, (_, index) => store.createConversation(conversationOf(index))));
      return drive(ops, concurrency, async (n) => {
        if (!(await store.findConversationByAddress('slack', threadOf(n % threads)))) throw new Error(`thread ${n % threads} lost`);
      });
    },
  },
];

const threadOf = (index: number) => `T1:C1:1712345678.${String(index).padStart(6, '0')}`;

function conversationOf(index: number): ConversationRecord {
  return {
    id: `conv-${index}`,
    address: { channel: 'slack', key: threadOf(index), reference: { channel: 'C1', threadTs: '1712345678.000100', team: 'T1' } },
    requester: { id: 'U1', name: 'Ada', locale: 'en-GB' },
    session: 'active',
    createdAt: 0,
    updatedAt: 0,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function measure(open: Opener, name: string, workload: Workload, settings: Settings): Promise<number> {
  const store = open(name);
  try {
    await store.ping();
    return await workload.run(store, settings);
  } finally {
    await store.close();
  }
}

async function deleteRedisKeys(url: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const admin = new Redis(url, { maxRetriesPerRequest: 1 });
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${runPrefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await admin.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await admin.quit();
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  mkdirSync(dataDir, { recursive: true });
  try {
    const baseline = variant('baseline', await loadBaseline(settings.baseline), settings);
    const current = variant('current', await loadCurrent(), settings);
    const kinds = (['sqlite', 'redis'] as const).filter((kind) => settings[kind]);
    const rates = new Map<string, { baseline: number[]; current: number[] }>();
    for (let round = 0; round < settings.rounds; round += 1) {
      // A B, B A, A B: neither version always runs first.
      const order = round % 2 === 0 ? [baseline, current] : [current, baseline];
      for (const kind of kinds) {
        for (const workload of workloads.filter(({ name }) => name.includes(settings.only))) {
          const row = `${kind} ${workload.name}`;
          const entry = rates.get(row) ?? { baseline: [], current: [] };
          rates.set(row, entry);
          for (const version of order) {
            const rate = await measure(version[kind], `${round}-${workloads.indexOf(workload)}`, workload, settings);
            entry[version.label as 'baseline' | 'current'].push(rate);
          }
        }
      }
      process.stderr.write(`round ${round + 1} of ${settings.rounds} done\n`);
    }
    const command = `npx tsx bench/store-throughput.ts ${process.argv.slice(2).join(' ')}`.trim();
    console.log(
      `${command}  (baseline ${settings.baseline}, ${settings.rounds} interleaved rounds, ${settings.ops} ops per run, C = ${settings.concurrency} callers)`,
    );
    console.log('| workload | baseline ops/s (median) | current ops/s (median) | ratio per round | median ratio |');
    console.log('|---|---:|---:|---|---:|');
    for (const [row, { baseline: before, current: after }] of rates) {
      const ratios = after.map((rate, index) => rate / before[index]!);
      console.log(
        `| ${row} | ${median(before).toFixed(0)} | ${median(after).toFixed(0)} | ${ratios.map((ratio) => ratio.toFixed(2)).join(' ')} | ${median(ratios).toFixed(2)}× |`,
      );
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    if (settings.redis) await deleteRedisKeys(settings.redisUrl);
  }
}

await main();
