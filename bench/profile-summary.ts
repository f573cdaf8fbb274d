/**
 * Reads a V8 `.cpuprofile` (from `npm run bench -- --cpu-prof`) and prints where the time went:
 * the time spent under each package or project folder, the top functions by self time, and the
 * project's functions by inclusive time (a function's callees count for it), with file:line.
 *
 *   npx tsx bench/profile-summary.ts PATH.cpuprofile [--top 25] [--filter TEXT]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Time per function and per area of a profile, in milliseconds. */
export interface ProfileSummary {
  totalMs: number;
  functions: Array<{ name: string; where: string; selfMs: number; inclusiveMs: number }>;
  areas: Array<{ area: string; inclusiveMs: number; selfMs: number }>;
}

const root = fileURLToPath(new URL('..', import.meta.url));

/** Summarise a parsed profile. `filter` keeps only samples whose stack mentions it. */
export function summarizeProfile(profile: CpuProfile, filter?: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));

  const functions = new Map<string, { name: string; where: string; selfMs: number; inclusiveMs: number }>();
  const areas = new Map<string, { inclusiveMs: number; selfMs: number }>();
  let totalMs = 0;
  for (const [id, us] of selfUs) {
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!);
    if (filter && !stack.some((node) => node.callFrame.url.includes(filter) || node.callFrame.functionName.includes(filter))) continue;
    const ms = us / 1000;
    totalMs += ms;
    const leaf = stack[0]!;
    const counted = new Set<string>();
    for (const node of stack) {
      const where = location(node);
      const key = `${node.callFrame.functionName}@${where}`;
      const entry = functions.get(key) ?? { name: node.callFrame.functionName || '(anonymous)', where, selfMs: 0, inclusiveMs: 0 };
      if (node === leaf) entry.selfMs += ms;
      // Recursion must not count one sample twice.
      if (!counted.has(key)) entry.inclusiveMs += ms;
      counted.add(key);
      functions.set(key, entry);
    }
    const seen = new Set<string>();
    for (const node of stack) {
      const area = areaOf(node.callFrame.url, node.callFrame.functionName);
      const totals = areas.get(area) ?? { inclusiveMs: 0, selfMs: 0 };
      if (node === leaf) totals.selfMs += ms;
      if (!seen.has(area)) totals.inclusiveMs += ms;
      seen.add(area);
      areas.set(area, totals);
    }
  }
  return {
    totalMs,
    functions: [...functions.values()].sort((a, b) => b.selfMs - a.selfMs),
    areas: [...areas.entries()].map(([area, totals]) => ({ area, ...totals })).sort((a, b) => b.inclusiveMs - a.inclusiveMs),
  };
}

function location(node: ProfileNode): string {
  const { url, lineNumber, columnNumber } = node.callFrame;
  if (!url) return '(native)';
  const path = url.startsWith('file://') ? relative(root, fileURLToPath(url)) : url;
  return `${path}:${lineNumber + 1}:${columnNumber + 1}`;
}

/** A package (`node_modules/x`), a project folder (`src/core`), node's internals, or a V8 pseudo-frame. */
function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:internals';
  const path = url.startsWith('file://') ? relative(root, fileURLToPath(url)) : url;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (modules) return modules[1]!;
  return path.split('/').slice(0, 2).join('/');
}

function main(): void {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) throw new Error('usage: tsx bench/profile-summary.ts PATH.cpuprofile [--top N] [--filter TEXT]');
  const topAt = rest.indexOf('--top');
  const filterAt = rest.indexOf('--filter');
  const top = topAt >= 0 ? Number(rest[topAt + 1]) : 25;
  const filter = filterAt >= 0 ? rest[filterAt + 1] : undefined;
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, filter);
  const share = (ms: number) => `${((100 * ms) / summary.totalMs).toFixed(1).padStart(5)}%`;
  process.stdout.write(`${summary.totalMs.toFixed(0)} ms of samples${filter ? ` whose stack mentions "${filter}"` : ''}\n\nby area (inclusive | self)\n`);
  for (const area of summary.areas.slice(0, top)) process.stdout.write(`  ${share(area.inclusiveMs)} | ${share(area.selfMs)}  ${area.area}\n`);
  process.stdout.write('\ntop functions by self time\n');
  for (const fn of summary.functions.slice(0, top)) process.stdout.write(`  ${share(fn.selfMs)}  ${fn.name}  ${fn.where}\n`);
  process.stdout.write('\nproject functions by inclusive time (src/, adapters/)\n');
  const project = summary.functions.filter((fn) => /^(src|adapters)\//.test(fn.where)).sort((a, b) => b.inclusiveMs - a.inclusiveMs);
  for (const fn of project.slice(0, top)) process.stdout.write(`  ${share(fn.inclusiveMs)}  ${fn.name}  ${fn.where}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
