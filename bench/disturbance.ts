/**
 * Did something else use the machine while a measurement ran? The machine's busy CPU time
 * (/proc/stat) minus the CPU time of the benchmark's own processes (/proc/PID/stat of this
 * process, every system under test and the private Redis) is what other processes used. Above
 * `disturbedPercent` of one core on average, the measurement is marked disturbed. Linux only;
 * elsewhere the meter says it cannot tell.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** What other processes did during one measurement. */
export interface Disturbance {
  /** CPU time of processes outside the benchmark, % of one core, averaged over the measurement. */
  otherCpuPercent: number;
  /** The 1-minute load average at the end. */
  loadAvg1: number;
  disturbed: boolean;
}

/** Other processes above this (% of one core) mark a measurement disturbed. */
export const disturbedPercent = 10;

/** Measures what other processes use while the benchmark runs. */
export class DisturbanceMeter {
  private readonly ticksPerS: number;

  /** `ownPids` lists the benchmark's processes at the moment of each reading. */
  constructor(private readonly ownPids: () => readonly number[]) {
    this.ticksPerS = clockTicksPerSecond();
  }

  /** Whether /proc can be read here. */
  get available(): boolean {
    return machineBusyTicks() !== undefined;
  }

  /** Start a reading; the returned function ends it (undefined when /proc cannot be read). */
  start(): () => Disturbance | undefined {
    const pids = this.ownPids();
    const busyBefore = machineBusyTicks();
    const ownBefore = processTicks(pids);
    const startedAt = process.hrtime.bigint();
    return () => {
      const busyAfter = machineBusyTicks();
      if (busyBefore === undefined || busyAfter === undefined) return undefined;
      // Only processes alive at both readings count as own; one that ended counts as other.
      const ownAfter = processTicks(pids);
      let ownTicks = 0;
      for (const [pid, after] of ownAfter) ownTicks += after - (ownBefore.get(pid) ?? after);
      const wallS = Number(process.hrtime.bigint() - startedAt) / 1e9;
      const otherTicks = Math.max(0, busyAfter - busyBefore - ownTicks);
      const otherCpuPercent = (100 * otherTicks) / Math.max(1e-9, wallS * this.ticksPerS);
      return { otherCpuPercent, loadAvg1: loadavg()[0] ?? Number.NaN, disturbed: otherCpuPercent > disturbedPercent };
    };
  }
}

/**
 * user + nice + system + steal of all CPUs, in clock ticks. irq and softirq are left out: the
 * benchmark's own loopback traffic (thousands of requests a second) is processed there, and
 * /proc charges that to no process, so counting it marked the bench's own work as disturbance.
 */
function machineBusyTicks(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const [, user, nice, system, , , , , steal] = line.trim().split(/\s+/).map(Number);
    return [user, nice, system, steal].reduce<number>((sum, value) => sum + (value ?? 0), 0);
  } catch {
    return undefined;
  }
}

/** utime + stime (all threads) of each live process, in clock ticks. */
function processTicks(pids: readonly number[]): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) may contain spaces; the fields after its closing parenthesis do not.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // The process has ended: it contributes nothing to either reading.
    }
  }
  return ticks;
}

function clockTicksPerSecond(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    // Linux's USER_HZ is 100 on every common architecture.
    return 100;
  }
}
