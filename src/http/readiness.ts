/**
 * The readiness answer of `/readyz`, from a cached check run (DESIGN.md 5.5 and 7): every request
 * shares one run at most `maxAgeMs` old, so a load balancer or a scanner polling the route cannot
 * make the bridge fetch Azure AD tokens or call Slack's `auth.test` on every request. The answer
 * names only the failing parts; what went wrong goes to the log.
 */
import { withDeadline } from '../core/deadline.js';
import type { Logger } from '../core/logger.js';

/**
 * One dependency /readyz checks. `check` throws when the dependency is not usable. `name` is the
 * public name of the part, one of `store`, `slack`, `teams`, `bot`.
 */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** The outcome of one check run: the names of the failing parts, empty when ready. */
export interface ReadinessResult {
  failing: string[];
}

/** How the probe runs. */
export interface ReadinessProbeOptions {
  logger: Logger;
  /** Clock (epoch ms) the cache age is measured with. */
  now?: () => number;
  /** How old a cached run may be when it answers; 5 s (DESIGN.md 7). */
  maxAgeMs?: number;
  /** How long one check may take before it counts as failing. */
  checkTimeoutMs?: number;
}

/** Cached, single-flight readiness checks. */
export class ReadinessProbe {
  private readonly now: () => number;
  private readonly maxAgeMs: number;
  private readonly checkTimeoutMs: number;
  private cached: { startedAt: number; result: Promise<ReadinessResult> } | undefined;

  constructor(
    private readonly checks: ReadinessCheck[],
    private readonly options: ReadinessProbeOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.maxAgeMs = options.maxAgeMs ?? 5_000;
    this.checkTimeoutMs = options.checkTimeoutMs ?? 3_000;
  }

  /**
   * The result of the latest run when it started less than `maxAgeMs` ago (or is still running),
   * else of a new run. Age counts from a run's start, so runs start at most once per `maxAgeMs`.
   */
  result(): Promise<ReadinessResult> {
    const at = this.now();
    if (this.cached && at - this.cached.startedAt < this.maxAgeMs) return this.cached.result;
    const result = this.run();
    this.cached = { startedAt: at, result };
    return result;
  }

  private async run(): Promise<ReadinessResult> {
    const outcomes = await Promise.all(
      this.checks.map(async (check) => {
        try {
          await withDeadline(check.check(), this.checkTimeoutMs, 'waiting for an answer');
          return undefined;
        } catch (error) {
          return { name: check.name, reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
        }
      }),
    );
    const failures = outcomes.filter((outcome): outcome is { name: string; reason: string } => outcome !== undefined);
    if (failures.length > 0) this.options.logger.warn({ failures }, 'readiness check failed');
    return { failing: [...new Set(failures.map((failure) => failure.name))] };
  }
}
