/**
 * Correlation of what the load generator sends with what the sink servers receive. Every
 * generated payload carries a token `cbr<run>n<seq>x` in its text; the sender notes the send
 * time, the sink notes the arrival time, both on the one monotonic clock of this process
 * (`process.hrtime.bigint`), so the difference is the latency the system under test added
 * (its processing plus two loopback hops, the same for the bridge and the baselines).
 * The token is plain alphanumerics so it survives JSON, form encoding and Markdown conversion.
 */

/** Nanoseconds on the process's monotonic clock. */
export const nowNs = (): bigint => process.hrtime.bigint();

/** Milliseconds between two `nowNs` readings. */
export const msBetween = (from: bigint, to: bigint): number => Number(to - from) / 1e6;

const tokenPattern = /cbr(\d+)n(\d+)x/g;

/** One sent item: when it left, when (if) it arrived, and what the sink saw with it. */
interface Trace {
  sentAt: bigint;
  arrivedAt?: bigint;
  /** A value the sink extracted on arrival (e.g. the platformConversationId the bot saw). */
  seen?: string;
  /** A label the sender attached (e.g. the Slack channel the event came from). */
  label?: string;
}

/** The tokens of one measurement run. */
export class RunTrace {
  private readonly traces: Trace[] = [];

  constructor(readonly run: number) {}

  /** A new token, stamped as sent now. */
  send(label?: string): string {
    const seq = this.traces.length;
    this.traces.push(label === undefined ? { sentAt: nowNs() } : { sentAt: nowNs(), label });
    return `cbr${this.run}n${seq}x`;
  }

  /** Record an arrival; later arrivals of the same token (retries, a second field) are ignored. */
  arrive(seq: number, at: bigint, seen?: string): void {
    const trace = this.traces[seq];
    if (!trace || trace.arrivedAt !== undefined) return;
    trace.arrivedAt = at;
    if (seen !== undefined) trace.seen = seen;
  }

  /** How many tokens were sent. */
  get sent(): number {
    return this.traces.length;
  }

  /** How many tokens arrived, whenever they were sent. */
  get arrived(): number {
    let count = 0;
    for (const trace of this.traces) if (trace.arrivedAt !== undefined) count++;
    return count;
  }

  /** Tokens sent in [from, to) that have not arrived yet. */
  pendingBetween(from: bigint, to: bigint): number {
    let pending = 0;
    for (const trace of this.traces) if (trace.sentAt >= from && trace.sentAt < to && trace.arrivedAt === undefined) pending++;
    return pending;
  }

  /** Latencies (ms) of tokens sent in [from, to) that arrived, and how many of those never did. */
  latenciesBetween(from: bigint, to: bigint): { latenciesMs: number[]; missing: number } {
    const latenciesMs: number[] = [];
    let missing = 0;
    for (const trace of this.traces) {
      if (trace.sentAt < from || trace.sentAt >= to) continue;
      if (trace.arrivedAt === undefined) missing++;
      else latenciesMs.push(msBetween(trace.sentAt, trace.arrivedAt));
    }
    return { latenciesMs, missing };
  }

  /** Arrivals whose arrival time falls in [from, to): the delivered throughput of a window. */
  arrivalsBetween(from: bigint, to: bigint): number {
    let count = 0;
    for (const trace of this.traces) if (trace.arrivedAt !== undefined && trace.arrivedAt >= from && trace.arrivedAt < to) count++;
    return count;
  }

  /** label → seen value of every arrived token that has both (e.g. Slack channel → platformConversationId). */
  seenByLabel(): Map<string, string> {
    const seen = new Map<string, string>();
    for (const trace of this.traces) if (trace.label !== undefined && trace.seen !== undefined) seen.set(trace.label, trace.seen);
    return seen;
  }
}

/** All runs, so a sink can route any token it finds to its run. */
export class TraceBook {
  private readonly runs = new Map<number, RunTrace>();
  private nextRun = 1;

  /** Open a new run. */
  open(): RunTrace {
    const trace = new RunTrace(this.nextRun++);
    this.runs.set(trace.run, trace);
    return trace;
  }

  private readonly waited = new Set<number>();

  /** Tokens not arrived yet, of runs not yet waited for (what a system under test may still be working on). */
  pending(): number {
    let pending = 0;
    for (const run of this.runs.values()) if (!this.waited.has(run.run)) pending += run.sent - run.arrived;
    return pending;
  }

  /** Stop counting the runs so far in `pending` (their late arrivals are still recorded). */
  waitedForAll(): void {
    for (const run of this.runs.keys()) this.waited.add(run);
  }

  /** Record every token found in `text` as arrived at `at`; returns how many tokens were found. */
  arrive(text: string, at: bigint, seen?: string): number {
    let found = 0;
    for (const match of text.matchAll(tokenPattern)) {
      this.runs.get(Number(match[1]))?.arrive(Number(match[2]), at, seen);
      found++;
    }
    return found;
  }
}

/** p-th percentile (0-100) of `values` by nearest rank; NaN for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** p50, p99 and max of a set of latencies. */
export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Summarise latencies (ms). */
export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { samples: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) ?? Number.NaN };
}
