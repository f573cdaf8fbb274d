/**
 * Where the processes of a run sit on the CPUs. With `taskset` (util-linux) and at least two
 * CPUs allowed, every system under test (and the private Redis, its store) runs on the first
 * allowed CPU and this process (autocannon and the sinks) on the second, so the load generator
 * never competes with the event loop it measures. Without taskset, or on one CPU, nothing is
 * pinned and the report says so: the figures then include that competition.
 */
import { execFileSync } from 'node:child_process';

/** How the processes of a run are placed. */
export interface CpuPlacement {
  pinned: boolean;
  /** One line for the report: where things run, or why nothing is pinned. */
  description: string;
  /**
   * The command line that runs `command args` on the systems' CPU: `taskset -c N command args`
   * when pinned, unchanged otherwise.
   */
  onSystemCpu(command: string, args: readonly string[]): { command: string; args: string[] };
}

/** Pin this process to the load CPU (all its threads) and say how systems are to be started. */
export function placeProcesses(): CpuPlacement {
  const unpinned = (why: string): CpuPlacement => ({ pinned: false, description: `not pinned: ${why}`, onSystemCpu: (command, args) => ({ command, args: [...args] }) });
  let affinity: string;
  try {
    affinity = execFileSync('taskset', ['-pc', String(process.pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return unpinned(missing ? 'taskset is not installed (util-linux), so the load generator shares CPUs with the systems under test' : `taskset failed: ${(error as Error).message}`);
  }
  const cpus = parseCpuList(affinity.split(':').at(-1)?.trim() ?? '');
  if (cpus.length < 2) return unpinned(`only ${cpus.length} CPU allowed to this process, so the load generator shares it with the systems under test`);
  const [systemCpu, loadCpu] = cpus as [number, number, ...number[]];
  try {
    // -a: every thread of this process (libuv's pool and V8's helpers too), not only the main one.
    execFileSync('taskset', ['-a', '-pc', String(loadCpu), String(process.pid)], { stdio: 'ignore' });
  } catch (error) {
    return unpinned(`taskset could not pin the load generator: ${(error as Error).message}`);
  }
  return {
    pinned: true,
    description: `taskset: systems under test and Redis on CPU ${systemCpu}; load generator and sinks on CPU ${loadCpu}${cpus.length > 2 ? ` (CPUs ${cpus.slice(2).join(',')} unused)` : ''}`,
    onSystemCpu: (command, args) => ({ command: 'taskset', args: ['-c', String(systemCpu), command, ...args] }),
  };
}

/** A CPU list as taskset prints it (`0-3,6`) as numbers. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) continue;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    for (let cpu = from; cpu <= to; cpu++) cpus.push(cpu);
  }
  return cpus;
}
