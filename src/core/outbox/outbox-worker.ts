/**
 * The one delivery loop of the bridge. Every piece of work that crosses a boundary (a visitor
 * event to the bot, a message to a requester, a post into a ticket thread, a widget API call) is
 * an entry in the store's outbox before anything acknowledges it; this loop carries it out.
 *
 * Each queue (destination + key) is drained by one replica at a time, in order, under a fenced
 * lease that is renewed while a delivery is in flight; the store refuses writes from a replica
 * whose lease was taken over. Queues run concurrently, so one conversation's backlog or rate
 * limit never delays another. A sweep picks up queues nobody drains (after a crash, or when
 * another replica died) and refreshes the outbox gauges.
 */
import { BotRequestError, BridgeError, DeliveryError, LeaseLostError } from '../errors.js';
import { withDeadline } from '../deadline.js';
import { detached, inSpan } from '../tracing.js';
import type { Traced } from './outbox.js';
import type { LogContext, Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { mayRetry, retryDelayMs, type RetryTable } from '../retry-policy.js';
import { destinations, type Destination, type Json, type Lease, type ListAppend, type OutboxEntry, type QueueRef, type Store } from '../../store/store.js';
import type { DestinationHandler } from './destination-handler.js';
import { LeaseKeeper } from './lease-keeper.js';

/** Timing of the loop; the defaults suit production, tests shorten them. */
export interface OutboxTiming {
  /** How long a lease lasts without renewal: a crashed replica's queues wait at most this plus a sweep. */
  leaseTtlMs: number;
  /** How often to look for queues nobody drains. */
  sweepIntervalMs: number;
  /** The deadline of one whole attempt; each outbound call inside has its own, shorter one. */
  attemptDeadlineMs: number;
}

/** Leases of 15 s and a sweep every 5 s: another replica takes a crashed one's queues over within about 20 s. */
export const defaultOutboxTiming: OutboxTiming = { leaseTtlMs: 15_000, sweepIntervalMs: 5_000, attemptDeadlineMs: 60_000 };

/** What the loop needs. Clock, sleep and randomness are parameters for tests. */
export interface OutboxWorkerDeps {
  store: Store;
  handlers: Record<Destination, DestinationHandler>;
  retry: RetryTable;
  logger: Logger;
  metrics: Metrics;
  timing?: Partial<OutboxTiming>;
  now?: () => number;
  random?: () => number;
  /** Replaces the interruptible wait between retries (tests). */
  sleep?: (ms: number) => Promise<void>;
}

const batchSize = 20;
/** Queues drained at once by one replica; more wait their turn (a bot outage over thousands of conversations). */
const maxConcurrentDrains = 1_000;
/** Queues waiting for a free drain; past this the sweep finds them. */
const maxWaitingQueues = 10_000;
/** The name of the error an attempt past its deadline raises; only the loop itself sees it. */
const attemptDeadlineName = 'AttemptDeadlineError';
const sweepLimit = 5_000;

/** What became of an entry: delivered (to be completed), dead-lettered, or left for later (shutdown, lease lost). */
type AttemptOutcome = 'delivered' | 'dead' | 'stop';

/** What a drain did: whether it reached the queue's end, and the last delivered entry it left for the release to complete. */
interface HeldOutcome {
  drained: boolean;
  delivered?: number;
}

/** The delivery loop. Call `notify` after enqueueing; `start` resumes what a restart left behind. */
export class OutboxWorker {
  private readonly running = new Map<string, Promise<void>>();
  private readonly rerun = new Set<string>();
  private readonly waiting = new Map<string, QueueRef>();
  private readonly wakeUps = new Set<() => void>();
  private readonly timing: OutboxTiming;
  private readonly now: () => number;
  private readonly random: () => number;
  private sweepTimer?: NodeJS.Timeout;
  private stopping = false;

  constructor(private readonly deps: OutboxWorkerDeps) {
    this.timing = { ...defaultOutboxTiming, ...deps.timing };
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
  }

  /** Resume every queue with pending entries, and keep sweeping for orphaned ones. */
  async start(): Promise<void> {
    await this.sweep();
    this.sweepTimer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'outbox sweep failed'));
    }, this.timing.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  /** Make sure the queue is being drained (here, or by the replica holding its lease). */
  notify(queue: QueueRef): void {
    if (this.stopping) return;
    const id = queueId(queue);
    if (this.running.has(id)) {
      this.rerun.add(id);
      return;
    }
    if (this.running.size >= maxConcurrentDrains) {
      if (this.waiting.size < maxWaitingQueues) this.waiting.set(id, queue);
      return;
    }
    // A queue's loop belongs to no request: it starts outside the notifier's trace, and its log lines name the queue.
    const log = logContextOf(queue, id);
    const loop = detached(() => this.drain(queue, log))
      .catch((error: unknown) => this.deps.logger.warn({ ...log, err: error }, 'outbox queue paused after a store failure; the sweep resumes it'))
      .finally(() => {
        this.running.delete(id);
        if (this.rerun.delete(id)) this.notify(queue);
        const [next] = this.waiting;
        if (next) {
          this.waiting.delete(next[0]);
          this.notify(next[1]);
        }
      });
    this.running.set(id, loop);
  }

  /** Resolves when no queue is being drained (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()]);
  }

  /** Stop taking work, cut retry waits short, and wait (up to `deadlineMs`) for deliveries in flight. */
  async stop(deadlineMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const wake of this.wakeUps) wake();
    await withDeadline(this.idle(), deadlineMs, 'waiting for deliveries in flight').catch((error: unknown) => {
      this.deps.logger.warn({ err: error, queues: this.running.size }, 'stopping with deliveries in flight; they stay in the outbox');
    });
  }

  private async sweep(): Promise<void> {
    for (const queue of await this.deps.store.queuesWithPending(sweepLimit)) {
      if (!this.running.has(queueId(queue))) this.notify(queue);
    }
    await this.refreshGauges();
  }

  private async refreshGauges(): Promise<void> {
    const depths = new Map((await this.deps.store.outboxDepths()).map((depth) => [depth.destination, depth]));
    const now = this.now();
    for (const destination of destinations) {
      const depth = depths.get(destination);
      this.deps.metrics.outboxDepth.set({ destination }, depth?.depth ?? 0);
      const oldest = depth?.oldestEnqueuedAt;
      this.deps.metrics.outboxOldestAge.set({ destination }, oldest === undefined ? 0 : Math.max(0, now - oldest) / 1000);
    }
  }

  /** Drain `queue` while holding its lease; `log`, the queue's ids, goes on the worker's lines about it. */
  private async drain(queue: QueueRef, log: LogContext): Promise<void> {
    const acquired = await this.deps.store.acquireLease(queue, this.timing.leaseTtlMs, batchSize);
    if (!acquired) return; // another replica drains it
    const keeper = new LeaseKeeper(this.deps.store, acquired.lease, this.timing.leaseTtlMs, this.deps.logger, log);
    let held: HeldOutcome = { drained: false };
    try {
      held = await this.carryOutHeld(queue, acquired.entries, keeper, log);
    } finally {
      // An entry enqueued by another replica while this one held the lease found the lease taken:
      // the release tells whether the queue has entries now, and then it is drained once more.
      const pendingAfter = await keeper.release(held.delivered);
      if (held.drained && pendingAfter && !this.stopping && !keeper.lost) this.rerun.add(queueId(queue));
    }
  }

  /**
   * Carry a held queue's entries out, batch by batch, completing each delivered one; the queue's
   * last is left for the release to complete, in the same store step.
   */
  private async carryOutHeld(queue: QueueRef, first: OutboxEntry[], keeper: LeaseKeeper, log: LogContext): Promise<HeldOutcome> {
    for (let entries = first; entries.length > 0; entries = await this.deps.store.pending(queue, batchSize)) {
      // A short batch was the whole queue: an entry enqueued here since then has asked for a
      // rerun (notify), one enqueued by another replica is found at the release.
      const wholeQueue = entries.length < batchSize;
      for (const [index, entry] of entries.entries()) {
        const outcome = await this.carryOut(entry, keeper, log);
        if (outcome === 'stop') return { drained: false };
        if (outcome !== 'delivered') continue;
        if (wholeQueue && index === entries.length - 1) return { drained: true, delivered: entry.seq };
        await this.deps.store.complete(keeper.lease, entry.seq);
      }
      if (wholeQueue) break;
      if (this.stopping || keeper.lost) return { drained: false };
    }
    return { drained: true };
  }

  /** Deliver one entry, retrying it under its destination's policy, or dead-letter it; the caller completes a delivered one. */
  private async carryOut(entry: OutboxEntry, keeper: LeaseKeeper, log: LogContext): Promise<AttemptOutcome> {
    const { store, metrics } = this.deps;
    const handler = this.deps.handlers[entry.destination];
    const policy = this.deps.retry[entry.destination];
    const lease = keeper.lease;
    let progress = entry.progress;
    const attempt = {
      get progress() {
        return progress;
      },
      saveProgress: async (next: Json, append?: ListAppend) => {
        await store.saveProgress(lease, entry.seq, next, append);
        progress = next;
      },
    };
    // Waited here so far: with the clock, it bounds a policy's age also when waits are simulated.
    let waitedMs = 0;
    for (let attempts = entry.attempts; ; ) {
      if (this.stopping || keeper.lost) return 'stop';
      try {
        const deliver = () => this.attemptOnce(() => handler.deliver({ ...entry, attempts, progress }, attempt), entry, deliveryLog(log, progress));
        await inSpan('outbox.deliver', { 'bridge.destination': entry.destination, 'bridge.attempt': attempts + 1 }, deliver, (entry.payload as Traced | null)?.traceparent);
      } catch (error) {
        if (error instanceof LeaseLostError) return 'stop';
        attempts += 1;
        const { retryable, retryAfterMs } = retryHint(error);
        const waitMs = retryDelayMs(policy, attempts, this.random, retryAfterMs);
        if (retryAfterMs !== undefined || isRateLimit(error)) metrics.rateLimited.inc({ platform: await this.platformOf(handler, { ...entry, progress }) });
        if (retryable && this.stopping) return 'stop'; // stays in the outbox; the next start resumes it
        const elapsedMs = Math.max(this.now() - entry.enqueuedAt, waitedMs);
        if (!retryable || !mayRetry(policy, attempts, elapsedMs, waitMs)) {
          // Only the lease holder may give up: telling someone is not fenced, the dead letter is.
          if (keeper.lost || !(await store.renewLease(lease, this.timing.leaseTtlMs))) return 'stop';
          await this.giveUp(lease, { ...entry, attempts, progress }, describe(error), error, deliveryLog(log, progress));
          return 'dead';
        }
        await store.recordAttempt(lease, entry.seq);
        metrics.deliveryRetries.inc({ destination: entry.destination });
        this.deps.logger.warn({ ...deliveryLog(log, progress), err: error, destination: entry.destination, seq: entry.seq, attempts, waitMs }, 'delivery failed, will retry');
        await this.wait(waitMs);
        waitedMs += waitMs;
        continue;
      }
      metrics.deliveryLatency.observe({ destination: entry.destination }, Math.max(0, this.now() - entry.enqueuedAt) / 1000);
      return 'delivered';
    }
  }

  /**
   * One attempt, run to its end. An attempt past its deadline is not abandoned, since a retry next
   * to it would post twice and out of order: the loop keeps waiting (and renewing the lease) and
   * says so; the outbound calls inside have whole-request deadlines of their own that end it.
   */
  private async attemptOnce(attempt: () => Promise<void>, entry: OutboxEntry, log: LogContext): Promise<void> {
    const running = attempt();
    try {
      await withDeadline(running, this.timing.attemptDeadlineMs, `delivering to ${entry.destination}`, attemptDeadlineName);
    } catch (error) {
      if (!(error instanceof Error && error.name === attemptDeadlineName)) throw error;
      this.deps.logger.error({ ...log, destination: entry.destination, key: entry.key, seq: entry.seq }, 'a delivery attempt is past its deadline; waiting for it to end');
      await running;
    }
  }

  private async platformOf(handler: DestinationHandler, entry: OutboxEntry): Promise<string> {
    try {
      return (await handler.platformOf?.(entry)) ?? entry.destination;
    } catch {
      return entry.destination; // a label is not worth failing a delivery over
    }
  }

  private async giveUp(lease: Lease, entry: OutboxEntry, reason: string, error: unknown, log: LogContext): Promise<void> {
    const handler = this.deps.handlers[entry.destination];
    try {
      await handler.onGiveUp?.(entry, reason);
    } catch (notifyError) {
      // The dead letter below is what operators act on; a failed notice must not keep the entry.
      this.deps.logger.warn({ ...log, err: notifyError, destination: entry.destination }, 'could not tell anyone about a failed delivery');
    }
    await this.deps.store.recordAttempt(lease, entry.seq); // the dead letter counts the last attempt too
    await this.deps.store.deadLetter(lease, entry.seq, reason, this.now());
    this.deps.metrics.deadLetters.inc({ destination: entry.destination });
    this.deps.logger.error({ ...log, err: error, destination: entry.destination, key: entry.key, seq: entry.seq, reason }, 'delivery finally failed: dead-lettered');
  }

  private wait(ms: number): Promise<void> {
    if (this.deps.sleep) return this.deps.sleep(ms);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeUps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeUps.add(wake);
    });
  }
}

/** The id of a queue in logs and in the loop's bookkeeping. */
export function queueId(queue: QueueRef): string {
  return `${queue.destination}:${queue.key}`;
}

/**
 * The ids of a delivery's lines: its queue's, and the conversation a bot delivery recorded in its
 * progress once it knew it (a bot queue is keyed by the thread, not the conversation).
 */
function deliveryLog(log: LogContext, progress: Json | undefined): LogContext {
  const conversationId = (progress as { conversationId?: unknown } | null | undefined)?.conversationId;
  return typeof conversationId === 'string' && log.conversationId === undefined ? { ...log, conversationId } : log;
}

/** The ids a queue's log lines carry (`id` is its queueId): the queue, and the conversation or ticket it belongs to. */
function logContextOf(queue: QueueRef, id: string): LogContext {
  const context: LogContext = { queue: id };
  if (queue.destination === 'ticket') context.ticketId = queue.key;
  else if (queue.destination !== 'bot') context.conversationId = queue.key;
  return context;
}

/** Whether a failure may succeed when repeated, and how long the other side asked to wait. */
function retryHint(error: unknown): { retryable: boolean; retryAfterMs?: number } {
  if (error instanceof DeliveryError || error instanceof BotRequestError) return { retryable: error.retryable, retryAfterMs: error.retryAfterMs };
  // The store was slow or refused for now (a Redis timeout, SQLite busy, a full queue): it passes.
  if (error instanceof BridgeError && (error.code === 'store_unavailable' || error.code === 'store_failed')) return { retryable: true };
  // A whole attempt that ran out of time: the platform gave no answer, so trying again is right.
  if (error instanceof Error && error.name === 'TimeoutError') return { retryable: true };
  return { retryable: false };
}

function isRateLimit(error: unknown): boolean {
  if (error instanceof DeliveryError) return error.platformCode === 'ratelimited' || error.platformCode === '429';
  return error instanceof BotRequestError && error.status === 429;
}

function describe(error: unknown): string {
  if (error instanceof DeliveryError) return `${error.message}${error.platformCode ? ` (${error.platformCode})` : ''}`;
  return error instanceof Error ? error.message : String(error);
}
