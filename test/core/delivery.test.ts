import { describe, expect, it } from 'vitest';
import type { BotMessage } from '../../src/core/bot-message.js';
import type { ChannelAdapter } from '../../src/core/channel-adapter.js';
import { DeliveryService } from '../../src/core/delivery.js';
import { DeliveryError } from '../../src/core/errors.js';
import { Metrics } from '../../src/core/metrics.js';
import type { ChannelAddress } from '../../src/core/visitor-event.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/store.js';
import { silentLogger } from '../support/silent-logger.js';

const text = (value: string): BotMessage => ({ kind: 'text', text: value, buttons: [] });

async function conversation(store: Store, id: string, channel = 'chat') {
  await store.saveConversation({
    id,
    address: { channel, key: `thread-${id}`, reference: {} },
    requester: { id: 'U1' },
    session: 'active',
    createdAt: 0,
    updatedAt: 0,
  });
}

/** A channel whose deliveries are scripted per call: `fail` returns an error to throw, or undefined to succeed. */
function scriptedChannel(fail: (address: ChannelAddress, message: BotMessage, call: number) => Error | undefined) {
  const delivered: Array<{ key: string; text: string }> = [];
  let calls = 0;
  return {
    delivered,
    adapter: {
      async deliver(address: ChannelAddress, message: BotMessage) {
        calls += 1;
        const error = fail(address, message, calls);
        if (error) throw error;
        delivered.push({ key: address.key, text: message.kind === 'text' ? message.text : message.kind });
      },
    },
  };
}

function service(store: Store, adapter: Pick<ChannelAdapter, 'deliver'>, sleeps: number[] = []) {
  const metrics = new Metrics();
  const delivery = new DeliveryService({
    store,
    adapters: new Map([['chat', adapter]]),
    logger: silentLogger(),
    metrics,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { delivery, metrics };
}

describe('DeliveryService', () => {
  it('delivers one conversation in enqueue order, also when enqueued in several calls', async () => {
    const store = new MemoryStore();
    await conversation(store, 'c1');
    const channel = scriptedChannel(() => undefined);
    const { delivery } = service(store, channel.adapter);
    await store.enqueue('c1', [text('one'), text('two')], 0);
    delivery.notify('c1');
    await store.enqueue('c1', [text('three')], 0);
    delivery.notify('c1');
    await delivery.idle();
    expect(channel.delivered.map((entry) => entry.text)).toEqual(['one', 'two', 'three']);
    expect(await store.pending('c1', 10)).toEqual([]);
  });

  it('retries a retryable failure after the platform Retry-After, without duplicates', async () => {
    const store = new MemoryStore();
    await conversation(store, 'c1');
    const sleeps: number[] = [];
    const channel = scriptedChannel((_address, _message, call) =>
      call === 1 ? new DeliveryError('rate limited', { retryable: true, retryAfterMs: 1200, platformCode: 'ratelimited' }) : undefined,
    );
    const { delivery, metrics } = service(store, channel.adapter, sleeps);
    await store.enqueue('c1', [text('one'), text('two')], 0);
    delivery.notify('c1');
    await delivery.idle();
    expect(channel.delivered.map((entry) => entry.text)).toEqual(['one', 'two']);
    expect(sleeps).toEqual([1200]);
    expect((await metrics.deliveryRetries.get()).values[0]?.value).toBe(1);
  });

  it('dead-letters a message that keeps failing and goes on with the next one', async () => {
    const store = new MemoryStore();
    await conversation(store, 'c1');
    const channel = scriptedChannel((_address, message) =>
      message.kind === 'text' && message.text === 'bad' ? new DeliveryError('server error', { retryable: true }) : undefined,
    );
    const sleeps: number[] = [];
    const { delivery, metrics } = service(store, channel.adapter, sleeps);
    await store.enqueue('c1', [text('bad'), text('good')], 0);
    delivery.notify('c1');
    await delivery.idle();
    expect(channel.delivered.map((entry) => entry.text)).toEqual(['good']);
    expect(sleeps).toHaveLength(5); // six attempts in all
    const [dead] = await store.deadLetters(10);
    expect(dead).toMatchObject({ conversationId: 'c1', reason: 'server error', message: text('bad') });
    expect((await metrics.deadLetters.get()).values[0]?.value).toBe(1);
  });

  it('does not retry a failure the platform calls permanent', async () => {
    const store = new MemoryStore();
    await conversation(store, 'c1');
    const channel = scriptedChannel(() => new DeliveryError('channel_not_found', { retryable: false }));
    const sleeps: number[] = [];
    const { delivery } = service(store, channel.adapter, sleeps);
    await store.enqueue('c1', [text('one')], 0);
    delivery.notify('c1');
    await delivery.idle();
    expect(sleeps).toEqual([]);
    expect(await store.deadLetters(10)).toHaveLength(1);
  });

  it("never lets one conversation's backlog delay another", async () => {
    const store = new MemoryStore();
    await conversation(store, 'slow');
    await conversation(store, 'fast');
    let releaseSlow: () => void = () => undefined;
    const slowGate = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    const delivered: string[] = [];
    const delivery = new DeliveryService({
      store,
      adapters: new Map([
        [
          'chat',
          {
            async deliver(address: ChannelAddress, message: BotMessage) {
              if (address.key === 'thread-slow') await slowGate;
              delivered.push(`${address.key}:${message.kind === 'text' ? message.text : ''}`);
            },
          },
        ],
      ]),
      logger: silentLogger(),
      metrics: new Metrics(),
    });
    await store.enqueue('slow', [text('s1')], 0);
    await store.enqueue('fast', [text('f1'), text('f2')], 0);
    delivery.notify('slow');
    delivery.notify('fast');
    await expect.poll(() => delivered).toEqual(['thread-fast:f1', 'thread-fast:f2']);
    releaseSlow();
    await delivery.idle();
    expect(delivered).toEqual(['thread-fast:f1', 'thread-fast:f2', 'thread-slow:s1']);
  });

  it('resumes pending messages left by an earlier process on start', async () => {
    const store = new MemoryStore();
    await conversation(store, 'c1');
    await store.enqueue('c1', [text('left behind')], 0);
    const channel = scriptedChannel(() => undefined);
    const { delivery } = service(store, channel.adapter);
    await delivery.start();
    await delivery.idle();
    await delivery.stop();
    expect(channel.delivered.map((entry) => entry.text)).toEqual(['left behind']);
  });

  it('renews its lease during a long drain, so a second replica never sends the same messages', async () => {
    const store = new MemoryStore();
    await conversation(store, 'c1');
    const sent: string[] = [];
    const slowChannel = (replica: string) => ({
      async deliver(_address: ChannelAddress, message: BotMessage) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        sent.push(`${replica}:${message.kind === 'text' ? message.text : ''}`);
      },
    });
    const replica = (name: string) =>
      new DeliveryService({ store, adapters: new Map([['chat', slowChannel(name)]]), logger: silentLogger(), metrics: new Metrics(), leaseTtlMs: 100 });
    const [a, b] = [replica('A'), replica('B')];
    await store.enqueue('c1', ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'].map(text), 0);
    a.notify('c1');
    await new Promise((resolve) => setTimeout(resolve, 130)); // past A's first lease
    b.notify('c1');
    await Promise.all([a.idle(), b.idle()]);
    expect(sent.map((entry) => entry.split(':')[1])).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
  });

  it('skips a queue another replica holds the lease of', async () => {
    const store = new MemoryStore();
    await conversation(store, 'c1');
    await store.claim('lease:delivery:c1', 'other-replica', 60_000);
    await store.enqueue('c1', [text('one')], 0);
    const channel = scriptedChannel(() => undefined);
    const { delivery } = service(store, channel.adapter);
    delivery.notify('c1');
    await delivery.idle();
    expect(channel.delivered).toEqual([]);
    expect(await store.pending('c1', 10)).toHaveLength(1);
  });
});
