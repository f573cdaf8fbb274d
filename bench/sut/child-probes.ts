/**
 * What a system under test measures about itself for the benchmark: CPU time, heap, garbage
 * collection pauses (a PerformanceObserver on `gc` entries, installed when this module loads),
 * and CPU profiles taken through node:inspector with positions mapped back to the .ts sources.
 */
import { writeFileSync } from 'node:fs';
import type { Profiler } from 'node:inspector';
import { Session } from 'node:inspector/promises';
import { findSourceMap } from 'node:module';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapSnapshot } from 'node:v8';

/** Process figures of a child. */
export interface ChildStats {
  /** User + system CPU time since the process started, microseconds. */
  cpuUs: number;
  heapUsedBytes: number;
  rssBytes: number;
  /** Garbage collection pauses since the process started: count and total, milliseconds. */
  gcCount: number;
  gcPauseMs: number;
  /** The longest pause since the previous stats reading. */
  gcMaxPauseMs: number;
  /** When this reading was taken (the child's monotonic clock), milliseconds. */
  wallMs: number;
}

const gc = { count: 0, totalMs: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.count += 1;
    gc.totalMs += entry.duration;
    gc.maxMs = Math.max(gc.maxMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });

/** Current figures; resets the longest-pause reading. */
export function processStats(): ChildStats {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  const stats = { cpuUs: cpu.user + cpu.system, heapUsedBytes: memory.heapUsed, rssBytes: memory.rss, gcCount: gc.count, gcPauseMs: gc.totalMs, gcMaxPauseMs: gc.maxMs, wallMs: performance.now() };
  gc.maxMs = 0;
  return stats;
}

/**
 * Four full collections (needs --expose-gc), each followed by a timer turn so that finalizers
 * run and what they held goes with the next (an AbortSignal.timeout's timer stays reachable from
 * a FinalizationRegistry until its finalizer has run).
 */
async function collectGarbage(): Promise<void> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('the process was started without --expose-gc');
  for (let round = 0; round < 4; round++) {
    collect();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The live heap: the bytes of every object a heap snapshot finds reachable after
 * `collectGarbage`, but compiled code (V8 compiles functions late and flushes bytecode it has
 * not run lately: hundreds of kilobytes either way between two readings) and the natives a
 * snapshot lists (Node's histograms, outside V8's heap). Exact where `heapUsed` is not: after
 * forced collections it still counts up to a megabyte of page fragments, which moves from one
 * reading to the next. The snapshot is parsed here; its garbage goes with the next collection.
 */
export async function liveHeapBytes(): Promise<number> {
  await collectGarbage();
  const chunks: string[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(String(chunk));
  const { snapshot, nodes } = JSON.parse(chunks.join('')) as HeapSnapshot;
  const fields = snapshot.meta.node_fields;
  const [typeAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('self_size')];
  const [native, code] = [snapshot.meta.node_types[0].indexOf('native'), snapshot.meta.node_types[0].indexOf('code')];
  let bytes = 0;
  for (let index = 0; index < nodes.length; index += fields.length) {
    const type = nodes[index + typeAt];
    if (type !== native && type !== code) bytes += nodes[index + sizeAt]!;
  }
  return bytes;
}

/** The parts of V8's heap snapshot format read here. */
interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
}

let session: Session | undefined;

/** Start V8's CPU profiler. */
export async function startProfile(): Promise<void> {
  if (!session) {
    session = new Session();
    session.connect();
  }
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}

/** Stop the profiler and write the profile to `file`. */
export async function stopProfile(file: string): Promise<void> {
  if (!session) throw new Error('no profile was started');
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(file, JSON.stringify(toOriginalPositions(profile)));
}

/**
 * tsx runs the TypeScript sources as transpiled code, so V8's positions point into that code.
 * The source maps tsx registers map them back to the .ts file, line and column.
 */
function toOriginalPositions(profile: Profiler.Profile): Profiler.Profile {
  for (const { callFrame } of profile.nodes) {
    if (!callFrame.url.startsWith('file://') || callFrame.url.includes('/node_modules/')) continue;
    const entry = findSourceMap(callFrame.url)?.findEntry(callFrame.lineNumber, callFrame.columnNumber);
    if (!entry || !('originalSource' in entry)) continue;
    callFrame.url = entry.originalSource;
    callFrame.lineNumber = entry.originalLine;
    callFrame.columnNumber = entry.originalColumn;
  }
  return profile;
}
