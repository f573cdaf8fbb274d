/**
 * Load generation with autocannon. Three shapes:
 * - `max`: closed loop on many connections for a fixed time, to find the throughput ceiling;
 * - `paced`: a target rate. autocannon's `overallRate` lets each connection send its share of a
 *   second as fast as it can at the start of each one-second tick, i.e. in bursts. Twenty
 *   instances of one connection each, started 50 ms apart, interleave those bursts into a
 *   nearly even stream, so "half load" is half load on average *and* most of the time;
 * - `amount`: a fixed number of requests (warm-ups).
 * Every request is rebuilt by `build` just before it is written (autocannon's setupRequest runs
 * synchronously before the socket write), which is where correlation tokens get their send time.
 */
import autocannon, { type AutocannonInstance } from 'autocannon';
import { nowNs } from './correlation.js';

/** The shape of the load. */
export type LoadShape = { kind: 'max'; connections: number } | { kind: 'paced'; rate: number } | { kind: 'amount'; amount: number; connections: number };

/** One load run. */
export interface LoadSpec {
  url: string;
  path: string;
  shape: LoadShape;
  /** Seconds (ignored for `amount`). */
  durationS: number;
  /** Seconds at the start left out of the measurement window. */
  warmupS: number;
  build: () => { body: string; headers: Record<string, string> };
}

/** What a run did, with its measurement window on the `nowNs` clock. */
export interface LoadResult {
  windowFrom: bigint;
  windowTo: bigint;
  windowS: number;
  /** 2xx answers received inside the window. */
  okInWindow: number;
  /** 2xx answers in the whole run. */
  okTotal: number;
  /** Response times (ms) of 2xx answers received inside the window. */
  responseMs: number[];
  non2xx: number;
  errors: number;
  /** The first non-2xx answer, for diagnosis. */
  firstRejection?: string;
}

/** Instances of the paced shape and the gap between their starts. */
const pacedInstances = 20;
const pacedStaggerMs = 50;
/** The last moments of a run, when autocannon tears connections down mid-request, are left out. */
const tailCutMs = 250;

/** Run the load and collect what happened inside the window. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const startedAt = nowNs();
  const windowFrom = startedAt + BigInt(Math.round(spec.warmupS * 1e9));
  const windowTo = spec.shape.kind === 'amount' ? BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000n : startedAt + BigInt(Math.round((spec.durationS * 1000 - tailCutMs) * 1e6));
  const result: LoadResult = { windowFrom, windowTo, windowS: 0, okInWindow: 0, okTotal: 0, responseMs: [], non2xx: 0, errors: 0 };
  // Each element settles with the instance's summary: an autocannon instance is itself a promise.
  const summaries = await Promise.all(
    plan(spec).map(async ({ delayMs, options }) => {
      await delay(delayMs);
      const instance = autocannon({
        url: spec.url,
        timeout: 20,
        ...options,
        requests: [
          {
            method: 'POST',
            path: spec.path,
            // A headers object of its own per request: autocannon writes Content-Length into the one it is given.
            setupRequest: (request) => {
              const { body, headers } = spec.build();
              return { ...request, body, headers: { ...headers } };
            },
            onResponse: (status, body) => {
              if ((status < 200 || status >= 300) && result.firstRejection === undefined) result.firstRejection = `${status} ${body.slice(0, 300)}`;
            },
          },
        ],
      });
      record(instance, result);
      return instance;
    }),
  );
  for (const summary of summaries) {
    result.okTotal += summary['2xx'];
    result.non2xx += summary.non2xx;
    result.errors += summary.errors;
  }
  const endedAt = nowNs();
  const to = endedAt < windowTo ? endedAt : windowTo;
  result.windowTo = to;
  result.windowS = Number(to - windowFrom) / 1e9;
  return result;
}

function plan(spec: LoadSpec): Array<{ delayMs: number; options: Record<string, number> }> {
  const { shape } = spec;
  switch (shape.kind) {
    case 'max':
      return [{ delayMs: 0, options: { connections: shape.connections, duration: spec.durationS } }];
    case 'amount':
      return [{ delayMs: 0, options: { connections: Math.min(shape.connections, shape.amount), amount: shape.amount } }];
    case 'paced': {
      const count = Math.max(1, Math.min(pacedInstances, shape.rate));
      return Array.from({ length: count }, (_, index) => ({
        delayMs: index * pacedStaggerMs,
        options: { connections: 1, duration: spec.durationS, overallRate: Math.floor(shape.rate / count) + (index < shape.rate % count ? 1 : 0) },
      }));
    }
  }
}

function record(instance: AutocannonInstance, result: LoadResult): void {
  instance.on('response', (_client: unknown, status: number, _bytes: number, responseTimeMs: number) => {
    if (status < 200 || status >= 300) return;
    const at = nowNs();
    if (at < result.windowFrom || at >= result.windowTo) return;
    result.okInWindow += 1;
    result.responseMs.push(responseTimeMs);
  });
}

function delay(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
