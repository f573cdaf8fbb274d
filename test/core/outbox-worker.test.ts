import { describe, expect, it } from 'vitest';
import { BotRequestError, DeliveryError, StoreUnavailableError } from '../../src/core/errors.js';
import { Metrics } from '../../src/core/metrics.js';
import type { AttemptContext, DestinationHandler } from '../../src/core/outbox/destination-handler.js';
import { OutboxWorker } from '../../src/core/outbox/outbox-worker.js';
import { defaultRetryTable } from '../../src/core/retry-policy.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Destination, Json, OutboxEntry, QueueRef, Store } from '../../src/store/store.js';
import type { Logger } from '../../src/core/logger.js';
import { capturingLogger, silentLogger } from '../support/silent-logger.js';

/** A handler whose attempts are scripted: `fail(entry, call)` returns an error to throw, or undefined to succeed. */
function scripted(fail: (entry: OutboxEntry, call: number, attempt: AttemptContext) => Error | undefined | Promise<Error | undefined>) {
  const done: Array<{ key: string; payload: Json }> = [];
  const gaveUp: Array<{ key: string; reason: string }> = [];
  let calls = 0;
  const handler: DestinationHandler = {
    async deliver(entry, attempt) {
      calls += 1;
      const error = await fail(entry, calls, attempt);
      if (error) throw error;
      done.push({ key: entry.key, payload: entry.payload });
    },
    async onGiveUp(entry, reason) {
      gaveUp.push({ key: entry.key, reason });
    },
  };
  return { handler, done, gaveUp, calls: () => calls };
}

function worker(store: Store, handler: DestinationHandler, options: { sleeps?: number[]; now?: () => number; advance?: (ms: number) => void; botRetryMinutes?: number; attemptDeadlineMs?: number; logger?: Logger } = {}) {
  const metrics = new Metrics();
  const handlers = { bot: handler, conversation: handler, ticket: handler, widget: handler } satisfies Record<Destination, DestinationHandler>;
  const loop = new OutboxWorker({
    store,
    handlers,
    retry: defaultRetryTable(options.botRetryMinutes ?? 10),
    logger: options.logger ?? silentLogger(),
    metrics,
    now: options.now,
    random: () => 0.5,
    sleep: async (ms) => {
      options.sleeps?.push(ms);
      options.advance?.(ms);
    },
    timing: { leaseTtlMs: 1_000, sweepIntervalMs: 60_000, ...(options.attemptDeadlineMs ? { attemptDeadlineMs: options.attemptDeadlineMs } : {}) },
  });
  return { loop, metrics };
}

const chat = (key: string): QueueRef => ({ destination: 'conversation', key });

describe('OutboxWorker', () => {
  it('carries out one queue in enqueue order, also when enqueued in several calls', async () => {
    const store = new MemoryStore();
    const handler = scripted(() => undefined);
    const { loop } = worker(store, handler.handler);
    await store.enqueue(chat('c1'), ['one', 'two'], 0);
    loop.notify(chat('c1'));
    await store.enqueue(chat('c1'), ['three'], 0);
    loop.notify(chat('c1'));
    await loop.idle();
    expect(handler.done.map((entry) => entry.payload)).toEqual(['one', 'two', 'three']);
    expect(await store.pending(chat('c1'), 10)).toEqual([]);
  });

  it('retries after the platform Retry-After, counts it as rate limited, and never repeats a delivered entry', async () => {
    const store = new MemoryStore();
    const sleeps: number[] = [];
    const handler = scripted((_entry, call) => (call === 1 ? new DeliveryError('rate limited', { retryable: true, retryAfterMs: 1200, platformCode: 'ratelimited' }) : undefined));
    const { loop, metrics } = worker(store, handler.handler, { sleeps });
    await store.enqueue(chat('c1'), ['one', 'two'], 0);
    loop.notify(chat('c1'));
    await loop.idle();
    expect(handler.done.map((entry) => entry.payload)).toEqual(['one', 'two']);
    expect(sleeps).toEqual([1200]);
    expect((await metrics.rateLimited.get()).values[0]?.value).toBe(1);
    expect((await metrics.deliveryRetries.get()).values).toEqual([expect.objectContaining({ labels: { destination: 'conversation' }, value: 1 })]);
  });

  it("names the queue and its conversation or ticket on a delivery's log lines", async () => {
    const store = new MemoryStore();
    const { logger, lines } = capturingLogger();
    const handler = scripted((_entry, call) => (call === 1 ? new DeliveryError('Slack answered 500', { retryable: true }) : undefined));
    const { loop } = worker(store, handler.handler, { logger });
    await store.enqueue(chat('c1'), ['one'], 0);
    await store.enqueue({ destination: 'ticket', key: 't1' }, ['post'], 0);
    loop.notify(chat('c1'));
    loop.notify({ destination: 'ticket', key: 't1' });
    await loop.idle();
    const retries = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'delivery failed, will retry');
    expect(retries).toEqual([expect.objectContaining({ queue: 'conversation:c1', conversationId: 'c1', seq: 1 })]);
    const failing = scripted(() => new DeliveryError('refused', { retryable: false }));
    const second = worker(store, failing.handler, { logger });
    await store.enqueue({ destination: 'ticket', key: 't2' }, ['post'], 0);
    second.loop.notify({ destination: 'ticket', key: 't2' });
    await second.loop.idle();
    const dead = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'delivery finally failed: dead-lettered');
    expect(dead).toMatchObject({ queue: 'ticket:t2', ticketId: 't2' });
    expect(dead).not.toHaveProperty('conversationId');
  });

  it('names the conversation a bot delivery recorded in its progress on its dead-letter line (the bot queue is keyed by the thread)', async () => {
    const store = new MemoryStore();
    const { logger, lines } = capturingLogger();
    const handler = scripted(async (_entry, call, attempt) => {
      if (call > 1) return undefined;
      await attempt.saveProgress({ conversationId: 'conv-9', isNew: true });
      return new BotRequestError('bot_request_failed', 'the bot answered 503', { retryable: true });
    });
    const { loop } = worker(store, handler.handler, { logger });
    const thread: QueueRef = { destination: 'bot', key: 'slack:T1:D1' };
    await store.enqueue(thread, ['hello'], 0);
    loop.notify(thread);
    await loop.idle();
    // Enqueued at time 0, the entry is past the bot's retry window at once: its one failure dead-letters it.
    const dead = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'delivery finally failed: dead-lettered');
    expect(dead).toMatchObject({ queue: 'bot:slack:T1:D1', conversationId: 'conv-9' });
  });

  it('dead-letters an entry after the attempts run out, tells the handler once, and goes on with the next', async () => {
    const store = new MemoryStore();
    const handler = scripted((entry) => (entry.payload === 'bad' ? new DeliveryError('down', { retryable: true }) : undefined));
    const { loop, metrics } = worker(store, handler.handler);
    await store.enqueue(chat('c1'), ['bad', 'good'], 0);
    loop.notify(chat('c1'));
    await loop.idle();
    expect(handler.calls()).toBe(11); // ten attempts at 'bad', then 'good'
    expect(handler.gaveUp).toEqual([{ key: 'c1', reason: 'down' }]);
    expect(handler.done.map((entry) => entry.payload)).toEqual(['good']);
    const [letter] = await store.deadLetters(10);
    expect(letter).toMatchObject({ destination: 'conversation', key: 'c1', payload: 'bad', attempts: 10, reason: 'down' });
    expect((await metrics.deadLetters.get()).values).toEqual([expect.objectContaining({ labels: { destination: 'conversation' }, value: 1 })]);
  });

  it('retries a store failure inside a handler (a Redis timeout, SQLite busy) instead of dead-lettering', async () => {
    const store = new MemoryStore();
    const handler = scripted((_entry, call) => (call === 1 ? new StoreUnavailableError('redis store: getConversation did not complete') : undefined));
    const { loop } = worker(store, handler.handler);
    await store.enqueue({ destination: 'bot', key: 'slack:T1:D1' }, ['hello'], Date.now());
    loop.notify({ destination: 'bot', key: 'slack:T1:D1' });
    await loop.idle();
    expect(handler.done.map((entry) => entry.payload)).toEqual(['hello']);
    expect(handler.gaveUp).toEqual([]);
    expect(await store.deadLetters(10)).toEqual([]);
  });

  it('never runs a retry next to an attempt past its deadline: nothing twice, nothing out of order', async () => {
    const store = new MemoryStore();
    const seen: string[] = [];
    let attempts = 0;
    const handler = scripted(async (entry) => {
      const attempt = ++attempts;
      seen.push(`start ${String(entry.payload)}`);
      if (attempt === 1) await new Promise((resolve) => setTimeout(resolve, 300)); // a slow platform, past the 100 ms deadline
      seen.push(`posted ${String(entry.payload)}`);
      return undefined;
    });
    const { loop } = worker(store, handler.handler, { attemptDeadlineMs: 100 });
    await store.enqueue(chat('c1'), ['m1', 'm2'], 0);
    loop.notify(chat('c1'));
    await loop.idle();
    expect(seen).toEqual(['start m1', 'posted m1', 'start m2', 'posted m2']);
  });

  it('does not retry a final failure', async () => {
    const store = new MemoryStore();
    const handler = scripted(() => new DeliveryError('channel_not_found', { retryable: false, platformCode: 'channel_not_found' }));
    const { loop } = worker(store, handler.handler);
    await store.enqueue(chat('c1'), ['x'], 0);
    loop.notify(chat('c1'));
    await loop.idle();
    expect(handler.calls()).toBe(1);
    expect(await store.deadLetters(10)).toHaveLength(1);
  });

  it('retries a bot event for BOT_RETRY_MINUTES, however many attempts that takes, then gives up', async () => {
    const store = new MemoryStore();
    let clock = 0;
    const handler = scripted(() => new BotRequestError('bot_request_failed', 'Ultimate answered 503', { retryable: true, status: 503 }));
    const { loop } = worker(store, handler.handler, { now: () => clock, advance: (ms) => (clock += ms), botRetryMinutes: 5 });
    await store.enqueue({ destination: 'bot', key: 'slack:T1:D1' }, ['hello'], 0);
    loop.notify({ destination: 'bot', key: 'slack:T1:D1' });
    await loop.idle();
    expect(clock).toBeLessThanOrEqual(5 * 60_000);
    expect(handler.calls()).toBeGreaterThan(10);
    expect(handler.gaveUp).toHaveLength(1);
    expect(await store.deadLetters(10)).toHaveLength(1);
  });

  it('gives each attempt the progress an earlier attempt saved', async () => {
    const store = new MemoryStore();
    const seen: Array<Json | undefined> = [];
    const handler = scripted(async (_entry, call, attempt) => {
      seen.push(attempt.progress);
      if (call === 1) {
        await attempt.saveProgress({ posted: 1 });
        return new DeliveryError('timeout', { retryable: true });
      }
      return undefined;
    });
    const { loop } = worker(store, handler.handler);
    await store.enqueue(chat('c1'), ['long'], 0);
    loop.notify(chat('c1'));
    await loop.idle();
    expect(seen).toEqual([undefined, { posted: 1 }]);
  });

  it('keeps queues apart: one queue waiting on retries does not hold another back', async () => {
    const store = new MemoryStore();
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const handler = scripted(async (entry) => {
      if (entry.key === 'slow') await stuck;
      return undefined;
    });
    const { loop } = worker(store, handler.handler);
    await store.enqueue(chat('slow'), ['a'], 0);
    await store.enqueue(chat('fast'), ['b'], 0);
    loop.notify(chat('slow'));
    loop.notify(chat('fast'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handler.done.map((entry) => entry.key)).toEqual(['fast']);
    release();
    await loop.idle();
    expect(handler.done.map((entry) => entry.key)).toEqual(['fast', 'slow']);
  });

  it('leaves a queue alone while another replica holds its lease, and takes it over once the lease expires', async () => {
    const store = new MemoryStore();
    const handler = scripted(() => undefined);
    const { loop } = worker(store, handler.handler);
    await store.enqueue(chat('c1'), ['one'], 0);
    const other = (await store.acquireLease(chat('c1'), 200, 0))?.lease;
    expect(other).toBeDefined();
    loop.notify(chat('c1'));
    await loop.idle();
    expect(handler.done).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    loop.notify(chat('c1'));
    await loop.idle();
    expect(handler.done.map((entry) => entry.payload)).toEqual(['one']);
    // The replica whose lease expired cannot complete what it had: the store refuses its token.
    await expect(store.complete(other!, 1)).rejects.toMatchObject({ code: 'lease_lost' });
  });

  it('delivers an entry another replica enqueued while this one held the lease, without waiting for the sweep', async () => {
    const store = new MemoryStore();
    let enqueueElsewhere: (() => Promise<void>) | undefined = async () => {
      await store.enqueue(chat('c1'), ['from the other replica'], 0); // its notify found the lease taken
    };
    const handler = scripted(async () => {
      const enqueue = enqueueElsewhere;
      enqueueElsewhere = undefined;
      await enqueue?.();
      return undefined;
    });
    const { loop } = worker(store, handler.handler); // the sweep runs once a minute
    await store.enqueue(chat('c1'), ['one'], 0);
    loop.notify(chat('c1'));
    await loop.idle();
    expect(handler.done.map((entry) => entry.payload)).toEqual(['one', 'from the other replica']);
    expect(await store.pending(chat('c1'), 10)).toEqual([]);
  });

  it('renews the lease while a delivery runs longer than the lease, so nobody else takes the queue meanwhile', async () => {
    const store = new MemoryStore();
    const handler = scripted(async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_500)); // 2.5 leases of 1 s
      return undefined;
    });
    const { loop } = worker(store, handler.handler);
    await store.enqueue(chat('c1'), ['slow'], 0);
    loop.notify(chat('c1'));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await store.acquireLease(chat('c1'), 1_000, 0)).toBeUndefined();
    await loop.idle();
    expect(handler.done).toHaveLength(1);
    expect(await store.pending(chat('c1'), 10)).toEqual([]);
  });

  it('on stop, leaves an entry that is waiting for a retry in the outbox for the next start', async () => {
    const store = new MemoryStore();
    const handler = scripted(() => new DeliveryError('down', { retryable: true }));
    const metrics = new Metrics();
    const handlers = { bot: handler.handler, conversation: handler.handler, ticket: handler.handler, widget: handler.handler };
    const loop = new OutboxWorker({ store, handlers, retry: defaultRetryTable(10), logger: silentLogger(), metrics, random: () => 0.5, timing: { leaseTtlMs: 1_000 } });
    await store.enqueue(chat('c1'), ['x'], 0);
    loop.notify(chat('c1'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await loop.stop(2_000);
    expect(await store.pending(chat('c1'), 10)).toHaveLength(1);
    expect(await store.deadLetters(10)).toEqual([]);
  });

  it('resumes every queue with pending entries at start, and reports the outbox gauges', async () => {
    const store = new MemoryStore();
    const handler = scripted(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return undefined;
    });
    await store.enqueue(chat('c1'), ['a'], 1_000);
    await store.enqueue({ destination: 'ticket', key: 't1' }, ['b', 'c'], 2_000);
    const { loop, metrics } = worker(store, handler.handler, { now: () => 11_000 });
    await loop.start();
    const depth = (await metrics.outboxDepth.get()).values;
    expect(depth).toEqual(expect.arrayContaining([expect.objectContaining({ labels: { destination: 'ticket' }, value: 2 })]));
    const age = (await metrics.outboxOldestAge.get()).values;
    expect(age).toEqual(expect.arrayContaining([expect.objectContaining({ labels: { destination: 'conversation' }, value: 10 })]));
    await loop.idle();
    await loop.stop();
    expect(handler.done.map((entry) => entry.payload).sort()).toEqual(['a', 'b', 'c']);
  });
});
