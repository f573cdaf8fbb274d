/**
 * Proactive delivery through continueConversationAsync against a loopback connector stand-in:
 * one attempt per call (botbuilder's own retries are off), Bot Framework errors mapped to
 * retryable or final DeliveryErrors with Retry-After, and no repeats after a partial send.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addressOf } from '../../adapters/teams/conversation-address.js';
import { DeliveryError } from '../../src/core/errors.js';
import { deliveryContext } from '../support/delivery-context.js';
import type { ChannelAddress } from '../../src/core/visitor-event.js';
import type { RecordedRequest, ScriptedResponse } from '../support/fake-http-server.js';
import { defaultConnector, startTeamsHarness, type TeamsHarness } from './support/teams-harness.js';

let harness: TeamsHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const conversationId = 'a:1Ld0zxsQ2rK6Sr5DbfVNgUY3XHc8JbQb1xSp7U0nXqsC';

function addressAt(serviceUrl: string): ChannelAddress {
  return addressOf({
    reference: {
      activityId: '1485983408511',
      channelId: 'msteams',
      serviceUrl,
      conversation: { id: conversationId, conversationType: 'personal' },
      bot: { id: '28:c9e8c047-2a74-40a2-b28a-b162d5f5327c', name: 'Teams TestBot' },
      user: { id: '29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQ', name: 'Megan Bowen', aadObjectId: '7faf8ab2-3d56-4244-b585-20c8a42ed2b8' },
      locale: 'en-US',
    },
    tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  });
}

/** A connector that answers sends from a queue of responses, then succeeds. */
function scripted(responses: ScriptedResponse[]): (request: RecordedRequest) => ScriptedResponse {
  return (request) => (request.method === 'POST' && responses.length > 0 ? responses.shift()! : defaultConnector(request));
}

async function deliveryError(work: Promise<unknown>): Promise<DeliveryError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

const sends = (h: TeamsHarness) => h.connector.requests.filter((request) => request.method === 'POST');

describe('proactive delivery', () => {
  it('sends the rendered activities into the stored conversation', async () => {
    harness = await startTeamsHarness();
    await harness.adapter.deliver(addressAt(`${harness.connector.url}/`), { kind: 'text', text: 'Your order shipped.', buttons: [] }, deliveryContext('conv-1'));
    const [send] = sends(harness);
    // botbuilder posts proactive messages as replies to its own continuation activity id.
    expect(decodeURIComponent(send!.path)).toMatch(new RegExp(`^/v3/conversations/${conversationId}/activities(/[\\w-]+)?$`));
    expect(send!.body).toMatchObject({
      type: 'message',
      text: 'Your order shipped.',
      textFormat: 'markdown',
      conversation: { id: conversationId },
      recipient: { id: '29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQ' },
      from: { id: '28:c9e8c047-2a74-40a2-b28a-b162d5f5327c' },
    });
  });

  it('sends into a conversation whose address an earlier release stored with the full reference', async () => {
    harness = await startTeamsHarness();
    const serviceUrl = `${harness.connector.url}/`;
    const stored: ChannelAddress = {
      channel: 'teams',
      key: conversationId,
      reference: {
        channelId: 'msteams',
        serviceUrl,
        conversation: { id: conversationId, conversationType: 'personal', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
        bot: { id: '28:c9e8c047-2a74-40a2-b28a-b162d5f5327c', name: 'Teams TestBot' },
        user: { id: '29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQ', name: 'Megan Bowen', aadObjectId: '7faf8ab2-3d56-4244-b585-20c8a42ed2b8' },
        locale: 'en-US',
        tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      },
    };
    await harness.adapter.deliver(stored, { kind: 'text', text: 'Still here.', buttons: [] }, deliveryContext('conv-old'));
    const [send] = sends(harness);
    expect(send!.body).toMatchObject({ type: 'message', text: 'Still here.', conversation: { id: conversationId }, recipient: { id: '29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQ' } });
  });

  it('throws a retryable DeliveryError with retryAfterMs on 429, after exactly one request, and succeeds on the retry', async () => {
    harness = await startTeamsHarness({ script: scripted([{ status: 429, headers: { 'retry-after': '3' }, body: { error: { code: 'TooManyRequests' } } }]) });
    const address = addressAt(`${harness.connector.url}/`);
    const error = await deliveryError(harness.adapter.deliver(address, { kind: 'text', text: 'hi', buttons: [] }, deliveryContext()));
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 3_000, platformCode: '429' });
    expect(sends(harness)).toHaveLength(1);
    await harness.adapter.deliver(address, { kind: 'text', text: 'hi', buttons: [] }, deliveryContext());
    expect(sends(harness)).toHaveLength(2);
  });

  it.each([412, 502, 504])('treats HTTP %i as retryable, without retrying inside botbuilder', async (status) => {
    harness = await startTeamsHarness({ script: scripted([{ status, body: {} }]) });
    const error = await deliveryError(harness.adapter.deliver(addressAt(`${harness.connector.url}/`), { kind: 'text', text: 'hi', buttons: [] }, deliveryContext()));
    expect(error).toMatchObject({ retryable: true, platformCode: String(status) });
    expect(sends(harness)).toHaveLength(1);
  });

  it.each([403, 404, 400])('treats HTTP %i as final', async (status) => {
    harness = await startTeamsHarness({ script: scripted([{ status, body: { error: { code: 'Forbidden', message: 'Bot is not part of the conversation roster' } } }]) });
    const error = await deliveryError(harness.adapter.deliver(addressAt(`${harness.connector.url}/`), { kind: 'text', text: 'hi', buttons: [] }, deliveryContext()));
    expect(error).toMatchObject({ retryable: false, platformCode: String(status) });
    expect(sends(harness)).toHaveLength(1);
  });

  it('times out a connector that does not answer, as a retryable error', async () => {
    harness = await startTeamsHarness({ connectorTimeoutMs: 300, script: (request) => (request.method === 'POST' ? new Promise<ScriptedResponse>(() => undefined) : defaultConnector(request)) });
    const error = await deliveryError(harness.adapter.deliver(addressAt(`${harness.connector.url}/`), { kind: 'text', text: 'hi', buttons: [] }, deliveryContext()));
    expect(error).toMatchObject({ retryable: true, platformCode: 'timeout' });
  });

  it('treats an unreachable connector as a retryable network error', async () => {
    harness = await startTeamsHarness();
    const error = await deliveryError(harness.adapter.deliver(addressAt('http://127.0.0.1:9/'), { kind: 'text', text: 'hi', buttons: [] }, deliveryContext()));
    expect(error).toMatchObject({ retryable: true, platformCode: 'ECONNREFUSED' });
  });

  it('continues a message of several activities where a 429 stopped it, without repeating what was sent', async () => {
    let posts = 0;
    harness = await startTeamsHarness({
      script: (request) => {
        if (request.method !== 'POST') return defaultConnector(request);
        posts += 1;
        return posts === 2 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 201, body: { id: `sent-${posts}` } };
      },
    });
    const address = addressAt(`${harness.connector.url}/`);
    const message = { kind: 'carousel' as const, text: 'Pick one', cards: [{ title: 'A', buttons: [] }] };
    // One context for both attempts: the core's store hands the saved progress to the retry.
    const context = deliveryContext();
    await deliveryError(harness.adapter.deliver(address, message, context));
    expect(context.progress).toEqual({ posted: 1 });
    await harness.adapter.deliver(address, message, context);
    expect(sends(harness).map((request) => (request.body.attachmentLayout ? 'carousel' : request.body.text))).toEqual(['Pick one', 'carousel', 'carousel']);
  });

  it('refuses a damaged stored address as a final error, naming the field', async () => {
    harness = await startTeamsHarness();
    const address = addressAt(`${harness.connector.url}/`);
    const error = await deliveryError(harness.adapter.deliver({ ...address, reference: { ...address.reference, serviceUrl: 'not a url' } }, { kind: 'text', text: 'hi', buttons: [] }, deliveryContext()));
    expect(error).toMatchObject({ retryable: false, platformCode: 'invalid_address' });
    expect(error.message).toContain('serviceUrl');
    expect(sends(harness)).toHaveLength(0);
  });
});
