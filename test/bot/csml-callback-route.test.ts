/** POST /csml/callback on a real express app on loopback, with a recording BotOutput. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { csmlCallbackRoute } from '../../src/bot/csml/csml-callback-route.js';
import { Metrics } from '../../src/core/metrics.js';
import { loadFixture } from './support/fixtures.js';
import { RecordingTargets } from './support/recording-targets.js';
import { postJson, startTestServer, type TestServer } from './support/test-server.js';
import { captureLogger } from './support/capture-logger.js';

const token = 'csml-hook-token-77aa';
const userId = 'some-user-id';
const bearer = { authorization: `Bearer ${token}` };
const targets = new RecordingTargets([userId]);
const log = captureLogger();
const metrics = new Metrics();
let server: TestServer;

const seedReply = () => loadFixture('csml', '001-chat-response').payload as Record<string, unknown>;

beforeAll(async () => {
  server = await startTestServer([csmlCallbackRoute({ webhookToken: token, output: targets.output, logger: log.logger, metrics, bodyLimit: '2kb' })]);
});
afterAll(async () => {
  await server.close();
  expect(log.text()).not.toContain(token);
});
beforeEach(() => {
  targets.calls.length = 0;
});

describe('POST /csml/callback', () => {
  it('delivers the messages of a chat reply to client.user_id', async () => {
    const answer = await postJson(`${server.baseUrl}/csml/callback`, seedReply(), bearer);
    expect(answer.status).toBe(200);
    expect(answer.body).toStrictEqual({});
    expect(targets.calls).toEqual([{ target: 'output', method: 'messages', conversationId: userId, messages: [{ kind: 'text', text: 'Some message', buttons: [] }] }]);
    const counted = (await metrics.eventsIn.get()).values.find((value) => value.labels.platform === 'csml');
    expect(counted?.value).toBe(1);
  });

  it('ends the conversation on conversation_end', async () => {
    const answer = await postJson(`${server.baseUrl}/csml/callback?token=${token}`, { ...seedReply(), conversation_end: true });
    expect(answer.status).toBe(200);
    expect(targets.calls.map((call) => call.method)).toEqual(['messages', 'conversationEnded']);
  });

  it('refuses a reply without client.user_id (400 with path), an unknown user (404), a wrong token (401)', async () => {
    const { client: _client, ...withoutClient } = seedReply();
    const missing = await postJson(`${server.baseUrl}/csml/callback`, withoutClient, bearer);
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: 'invalid_request', path: 'client' });

    const unknown = await postJson(`${server.baseUrl}/csml/callback`, { ...seedReply(), client: { user_id: 'someone-else' } }, bearer);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('conversation_not_found');

    const unauthorized = await postJson(`${server.baseUrl}/csml/callback`, seedReply(), { authorization: 'Bearer nope' });
    expect(unauthorized.status).toBe(401);
    expect(targets.calls).toEqual([]);
  });

  it('refuses bad content, bad JSON and oversize bodies without delivering anything', async () => {
    const badContent = await postJson(`${server.baseUrl}/csml/callback`, { ...seedReply(), messages: [{ payload: { content_type: 'video', content: { title: 'x' } } }] }, bearer);
    expect(badContent.status).toBe(400);
    expect(badContent.body.path).toBe('messages.0.payload.content.url');

    const badJson = await postJson(`${server.baseUrl}/csml/callback`, '{"messages": [', bearer);
    expect(badJson.status).toBe(400);
    expect(badJson.body.error).toBe('invalid_json');

    const big = await postJson(`${server.baseUrl}/csml/callback`, { ...seedReply(), padding: 'x'.repeat(4_000) }, bearer);
    expect(big.status).toBe(413);
    expect(targets.calls).toEqual([]);
  });
});
