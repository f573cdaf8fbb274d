/**
 * Ordered, durable delivery of bot messages. Messages are in the store's outbox before the bot's
 * webhook is answered; this loop drains one conversation's outbox at a time, in order, through
 * the conversation's channel adapter. Each conversation has its own loop, so one conversation's
 * backlog or rate limit never delays another. A lease in the store keeps two replicas from
 * draining the same conversation; a periodic sweep picks up conversations whose replica died.
 */
import { randomUUID } from 'node:crypto';
import type { ChannelAdapter } from './channel-adapter.js';
import { withDeadline } from './deadline.js';
import { DeliveryError } from './errors.js';
import { withLogContext, type Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { defaultDeliveryRetry, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import type { OutboxEntry, Store } from '../store/store.js';

/** What the delivery loop needs. Clock, sleep and randomness are parameters for tests. */
export interface DeliveryDeps {
  store: Store;
  /** Adapters by channel name (`slack`, `teams`, `widget`). */
  adapters: ReadonlyMap<string, Pick<ChannelAdapter, 'deliver'>>;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  retry?: RetryPolicy;
  /**
   * How long a replica owns a conversation's queue without renewing; it renews while it waits,
   * so this only bounds how long a crashed replica's queues wait for another to take over.
   */
  leaseTtlMs?: number;
  /** How often to look for queues nobody drains (after a crash or on another replica's death). */
  sweepIntervalMs?: number;
}

const batchSize = 20;
const sweepLimit = 500;

/** The delivery loop. Call `notify` after enqueueing; `start` resumes what a restart left behind. */
export class DeliveryService {
  private readonly owner = randomUUID();
  private readonly running = new Map<string, Promise<void>>();
  private readonly rerun = new Set<string>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly retry: RetryPolicy;
  private readonly leaseTtlMs: number;
  private sweepTimer?: NodeJS.Timeout;
  private stopping = false;
  private readonly wakeUps = new Set<() => void>();

  constructor(private readonly deps: DeliveryDeps) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.retry = deps.retry ?? defaultDeliveryRetry;
    this.leaseTtlMs = deps.leaseTtlMs ?? 15_000;
    this.sleep = deps.sleep ?? ((ms) => this.interruptibleSleep(ms));
  }

  /** Resume every queue with pending messages, and keep sweeping for orphaned ones. */
  async start(): Promise<void> {
    await this.sweep();
    const interval = this.deps.sweepIntervalMs ?? 5_000;
    this.sweepTimer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.deps.logger.error({ err: error }, 'delivery sweep failed'));
    }, interval);
    this.sweepTimer.unref();
  }

  /** Make sure the conversation's queue is being drained. */
  notify(conversationId: string): void {
    if (this.stopping) return;
    if (this.running.has(conversationId)) {
      this.rerun.add(conversationId);
      return;
    }
    const loop = withLogContext({ conversationId }, () => this.drain(conversationId))
      .catch((error: unknown) => this.deps.logger.error({ err: error, conversationId }, 'delivery loop failed'))
      .finally(() => {
        this.running.delete(conversationId);
        if (this.rerun.delete(conversationId)) this.notify(conversationId);
      });
    this.running.set(conversationId, loop);
  }

  /** Resolves when no conversation is being drained (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()]);
  }

  /** Stop taking new work, cut backoff waits short, and wait (up to `deadlineMs`) for loops in flight. */
  async stop(deadlineMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const wake of this.wakeUps) wake();
    await withDeadline(this.idle(), deadlineMs, 'waiting for deliveries in flight').catch((error: unknown) => {
      this.deps.logger.warn({ err: error, conversations: this.running.size }, 'stopping with deliveries in flight; they stay in the outbox');
    });
  }

  private async sweep(): Promise<void> {
    const ids = await this.deps.store.conversationsWithPending(sweepLimit);
    for (const id of ids) this.notify(id);
  }

  private async drain(conversationId: string): Promise<void> {
    const leaseKey = `lease:delivery:${conversationId}`;
    if (!(await this.deps.store.claim(leaseKey, this.owner, this.leaseTtlMs))) return;
    let leasedAt = this.now();
    try {
      while (!this.stopping) {
        const entries = await this.deps.store.pending(conversationId, batchSize);
        if (entries.length === 0) return;
        for (const entry of entries) {
          if (this.stopping) return;
          // Slow sends add up: renew before half the lease is gone, and stop if another replica has the queue.
          if (this.now() - leasedAt > this.leaseTtlMs / 2) {
            if (!(await this.renewLease(conversationId))) return;
            leasedAt = this.now();
          }
          if ((await this.deliverWithRetries(entry)) === 'lease-lost') return;
        }
      }
    } finally {
      await this.deps.store.release(leaseKey, this.owner);
    }
  }

  /** Deliver one entry, retrying it; 'lease-lost' when another replica took the queue over meanwhile. */
  private async deliverWithRetries(entry: OutboxEntry): Promise<'done' | 'lease-lost'> {
    const { store, metrics, logger } = this.deps;
    const conversation = await store.getConversation(entry.conversationId);
    const channel = conversation?.address.channel ?? 'unknown';
    const adapter = conversation ? this.deps.adapters.get(channel) : undefined;
    if (!conversation || !adapter) {
      await this.giveUp(entry, channel, conversation ? `no adapter for channel ${channel}` : 'conversation not found');
      return 'done';
    }
    for (let attempt = entry.attempts + 1; ; attempt++) {
      try {
        await adapter.deliver(conversation.address, entry.message, { conversationId: entry.conversationId });
        await store.complete(entry.conversationId, entry.seq);
        metrics.eventsOut.inc({ platform: channel, type: entry.message.kind });
        metrics.deliveryLatency.observe({ platform: channel }, Math.max(0, this.now() - entry.enqueuedAt) / 1000);
        return 'done';
      } catch (error) {
        const retryable = error instanceof DeliveryError && error.retryable;
        if (!retryable || attempt >= this.retry.maxAttempts || this.stopping) {
          if (this.stopping && retryable) return 'done'; // left in the outbox; the next start resumes it
          await this.giveUp(entry, channel, describe(error), error);
          return 'done';
        }
        await store.recordAttempt(entry.conversationId, entry.seq);
        metrics.deliveryRetries.inc({ platform: channel });
        const waitMs = retryDelayMs(this.retry, attempt, this.random, (error as DeliveryError).retryAfterMs);
        logger.warn({ err: error, seq: entry.seq, attempt, waitMs }, 'delivery failed, will retry');
        if (!(await this.waitHoldingLease(entry.conversationId, waitMs))) return 'lease-lost';
      }
    }
  }

  /**
   * Wait before a retry, renewing the lease at least twice per TTL so a long Retry-After is not
   * mistaken for a dead replica. False if another replica took the queue over meanwhile.
   */
  private async waitHoldingLease(conversationId: string, waitMs: number): Promise<boolean> {
    for (let remaining = waitMs; remaining > 0 && !this.stopping; ) {
      const chunk = Math.min(remaining, this.leaseTtlMs / 2);
      await this.sleep(chunk);
      remaining -= chunk;
      if (!(await this.renewLease(conversationId))) return false;
    }
    return true;
  }

  /** Extend this replica's lease; false if another replica holds it now. */
  private async renewLease(conversationId: string): Promise<boolean> {
    const leaseKey = `lease:delivery:${conversationId}`;
    await this.deps.store.release(leaseKey, this.owner);
    return this.deps.store.claim(leaseKey, this.owner, this.leaseTtlMs);
  }

  private async giveUp(entry: OutboxEntry, channel: string, reason: string, error?: unknown): Promise<void> {
    await this.deps.store.deadLetter(entry.conversationId, entry.seq, reason, this.now());
    this.deps.metrics.deadLetters.inc({ platform: channel });
    this.deps.logger.error({ err: error, conversationId: entry.conversationId, seq: entry.seq, reason }, 'message could not be delivered: dead-lettered');
  }

  private interruptibleSleep(ms: number): Promise<void> {
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

function describe(error: unknown): string {
  if (error instanceof DeliveryError) return `${error.message}${error.platformCode ? ` (${error.platformCode})` : ''}`;
  return error instanceof Error ? error.message : String(error);
}
