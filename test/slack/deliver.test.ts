/**
 * deliver(): one attempt per call, posted to the right thread, failures mapped to DeliveryError
 * (429 with Retry-After, 5xx and network retryable; Slack refusals not), the native carousel
 * replaced by the section layout within the same call when Slack answers invalid_blocks, and a
 * split message continued (not re-posted) when the core retries. Web API via msw.
 */
import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { threadAddress } from '../../adapters/slack/thread-address.js';
import type { BotCard } from '../../src/core/bot-message.js';
import { deliveryContext } from '../support/delivery-context.js';
import { DeliveryError } from '../../src/core/errors.js';
import { FakeSlackApi, rateLimited } from './support/fake-slack-api.js';
import { useSlackHarness, type SlackHarness } from './support/slack-harness.js';

const api = new FakeSlackApi();
let harness: SlackHarness;
const channelThread = threadAddress({ team: 'T123ABC456', channel: 'C123ABC456', threadTs: '1515449522.000016' });
const dm = threadAddress({ team: 'T123ABC456', channel: 'D024BE91L' });
const text = { kind: 'text' as const, text: 'Hello', buttons: [] };

useSlackHarness(api, (started) => (harness = started));

async function deliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('deliver', () => {
  it('posts into the thread of a channel conversation, and top-level into a DM, with the bot token', async () => {
    await harness.adapter.deliver(channelThread, text, deliveryContext());
    await harness.adapter.deliver(dm, text, deliveryContext());
    const [inThread, inDm] = api.callsOf('chat.postMessage');
    expect(inThread!.args).toMatchObject({ channel: 'C123ABC456', thread_ts: '1515449522.000016', text: 'Hello' });
    expect(inDm!.args.channel).toBe('D024BE91L');
    expect(inDm!.args).not.toHaveProperty('thread_ts');
    expect(inThread!.authorization).toBe('Bearer xoxb-test-token-1234');
  });

  it('puts the conversation id into button values and posts agents with their name and avatar', async () => {
    await harness.adapter.deliver(
      dm,
      { kind: 'text', text: 'Pick', buttons: [{ kind: 'reply', text: 'Yes' }], sender: { name: 'Dana (Support)', avatarUrl: 'https://img.example.com/dana.png' } },
      deliveryContext('conv-42'),
    );
    const [call] = api.callsOf('chat.postMessage');
    expect(call!.args.username).toBe('Dana (Support)');
    expect(call!.args.icon_url).toBe('https://img.example.com/dana.png');
    expect(call!.args.blocks[1].elements[0].value).toBe('{"c":"conv-42","t":"Yes"}');
  });

  it('maps 429 to a retryable DeliveryError with Retry-After in milliseconds, after exactly one request', async () => {
    api.on('chat.postMessage', () => rateLimited(7));
    const error = await deliveryError(harness.adapter.deliver(channelThread, text, deliveryContext()));
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 7000, platformCode: 'ratelimited' });
    expect(api.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('maps 5xx to retryable and Slack refusals to not retryable', async () => {
    api.on('chat.postMessage', () => new HttpResponse('upstream failed', { status: 503 }));
    expect(await deliveryError(harness.adapter.deliver(channelThread, text, deliveryContext()))).toMatchObject({ retryable: true, platformCode: 'http_503' });
    for (const refusal of ['not_in_channel', 'channel_not_found', 'invalid_auth']) {
      api.on('chat.postMessage', () => ({ ok: false, error: refusal }));
      const error = await deliveryError(harness.adapter.deliver(channelThread, text, deliveryContext()));
      expect(error).toMatchObject({ retryable: false, platformCode: refusal });
      expect(error.message).toBe(`Slack chat.postMessage failed: ${refusal}`);
    }
    api.on('chat.postMessage', () => ({ ok: false, error: 'internal_error' }));
    expect(await deliveryError(harness.adapter.deliver(channelThread, text, deliveryContext()))).toMatchObject({ retryable: true, platformCode: 'internal_error' });
  });

  it('maps a network failure to retryable', async () => {
    api.on('chat.postMessage', () => HttpResponse.error());
    expect(await deliveryError(harness.adapter.deliver(channelThread, text, deliveryContext()))).toMatchObject({ retryable: true, platformCode: 'request_error' });
  });

  it('re-renders a rejected native carousel as sections and posts again in the same call, then keeps the fallback', async () => {
    const cards: BotCard[] = [
      { title: 'A', buttons: [{ kind: 'reply', text: 'Pick A' }] },
      { title: 'B', buttons: [{ kind: 'reply', text: 'Pick B' }] },
    ];
    api.on('chat.postMessage', (args) =>
      args.blocks.some((block: { type: string }) => block.type === 'carousel') ? { ok: false, error: 'invalid_blocks' } : { channel: args.channel, ts: '1.1' },
    );
    await harness.adapter.deliver(channelThread, { kind: 'carousel', cards }, deliveryContext());
    const calls = api.callsOf('chat.postMessage');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.args.blocks.map((block: { type: string }) => block.type)).toEqual(['carousel']);
    expect(calls[1]!.args.blocks.map((block: { type: string }) => block.type)).toEqual(['section', 'actions', 'section', 'actions']);
    await harness.adapter.deliver(channelThread, { kind: 'carousel', cards }, deliveryContext());
    expect(api.callsOf('chat.postMessage')).toHaveLength(3); // straight to the fallback now
  });

  it('does not repeat the posts of a split message when the core retries after a failure', async () => {
    const long = { kind: 'text' as const, text: Array.from({ length: 60_000 }, (_, index) => `w${index}`).join(' '), buttons: [] };
    api.on('chat.postMessage', (args, call) => (call === 2 ? rateLimited(1) : { channel: args.channel, ts: `2.${call}` }));
    // One context for both attempts: the core's store hands the saved progress to the retry.
    const context = deliveryContext();
    await deliveryError(harness.adapter.deliver(channelThread, long, context));
    expect(context.progress).toEqual({ posted: 1, layout: 'native' });
    await harness.adapter.deliver(channelThread, long, context);
    const sections = api.callsOf('chat.postMessage').map((call) => call.args.blocks[0].text.text as string);
    expect(sections).toHaveLength(4); // part 1, part 2 (429), then part 2 again and part 3
    expect(sections[1]).toBe(sections[2]);
    expect(new Set([sections[0], sections[2], sections[3]]).size).toBe(3);
  });

  it('posts again without images when Slack cannot fetch one, and keeps native carousels for the workspace', async () => {
    const cards: BotCard[] = [
      { title: 'A', imageUrl: 'https://img.example.com/broken.png', buttons: [{ kind: 'reply', text: 'Pick A' }] },
      { title: 'B', buttons: [{ kind: 'reply', text: 'Pick B' }] },
    ];
    // Slack's answer when it cannot download an image: the whole post is refused as invalid_blocks.
    api.on('chat.postMessage', (args) => (JSON.stringify(args.blocks).includes('image_url') ? { ok: false, error: 'invalid_blocks' } : { channel: args.channel, ts: '3.1' }));
    const context = deliveryContext();
    await harness.adapter.deliver(channelThread, { kind: 'carousel', cards }, context);
    const calls = api.callsOf('chat.postMessage');
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args.blocks.map((block: { type: string }) => block.type)).toEqual(['carousel']);
    expect(JSON.stringify(calls[1]!.args.blocks)).not.toContain('broken.png');
    expect(context.progress).toBeUndefined(); // one post, completed next: nothing to record
    await harness.adapter.deliver(channelThread, { kind: 'carousel', cards: [cards[1]!] }, deliveryContext());
    expect(api.callsOf('chat.postMessage')[2]!.args.blocks[0].type).toBe('carousel'); // still native
  });

  it('posts an image Slack cannot fetch as a link to it, never dropping the message', async () => {
    api.on('chat.postMessage', (args) => (JSON.stringify(args.blocks).includes('image_url') ? { ok: false, error: 'invalid_blocks' } : { channel: args.channel, ts: '3.2' }));
    await harness.adapter.deliver(dm, { kind: 'media', mediaType: 'image', url: 'https://img.example.com/broken.png', text: 'The router' }, deliveryContext());
    const [, second] = api.callsOf('chat.postMessage');
    expect(JSON.stringify(second!.args.blocks)).toContain('https://img.example.com/broken.png');
    expect(JSON.stringify(second!.args.blocks)).not.toContain('image_url');
  });

  it('refuses an address it cannot reply to without calling Slack', async () => {
    const error = await deliveryError(harness.adapter.deliver({ channel: 'slack', key: 'x', reference: {} }, text, deliveryContext()));
    expect(error.retryable).toBe(false);
    expect(api.callsOf('chat.postMessage')).toHaveLength(0);
  });

  it('checks readiness with auth.test and reports a refusal', async () => {
    await harness.adapter.checkReady!();
    api.on('auth.test', () => ({ ok: false, error: 'invalid_auth' }));
    await expect(harness.adapter.checkReady!()).rejects.toThrow('Slack auth.test failed: invalid_auth');
  });
});
