/**
 * OpenTelemetry end to end: a bridge process with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a real
 * OTLP/HTTP receiver on loopback (JSON encoding) sends one connected trace per flow: a Slack
 * event through the journal to the Converse call, and a sendMessage webhook through the outbox
 * to chat.postMessage, with W3C traceparent on the outbound requests and the trace id on the log
 * lines. Without the variable, nothing is exported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEvent } from '../slack/support/signed-requests.js';
import { startBridgeProcess, type BridgeProcess, slackUltimateEnv } from '../support/bridge-process.js';
import { startFakeServer, type FakeServer, type RecordedRequest } from '../support/fake-http-server.js';
import { slackCalls, startFakeSlack } from '../support/fake-platforms.js';
import { pollFor } from '../support/poll.js';
import { dmEvent } from './durability/slack-burst.js';

const secret = 'tracing-signing-secret';
const webhookToken = 'tracing-webhook-token';
let dir: string;
let receiver: FakeServer;
let bot: FakeServer;
let slack: FakeServer;

/** One span as OTLP/JSON carries it. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bridge-tracing-'));
  receiver = await startFakeServer(() => ({ body: {} }));
  bot = await startFakeServer(() => ({ body: {} }));
  slack = await startFakeSlack();
});

afterAll(async () => {
  await Promise.all([receiver.close(), bot.close(), slack.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function bridgeEnv(name: string, otel: Record<string, string>): Record<string, string> {
  return {
    ...slackUltimateEnv({ storeUrl: `sqlite:${join(dir, `${name}.db`)}`, botUrl: bot.url, slackUrl: slack.url, signingSecret: secret, webhookToken }),
    LOG_LEVEL: 'info',
    ...otel,
  };
}

/** Every span the receiver got so far. */
function exportedSpans(): OtlpSpan[] {
  return receiver.requests
    .filter((request) => request.path === '/v1/traces')
    .flatMap((request) => (request.body.resourceSpans as Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>).flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans)));
}

function traceIdOf(request: RecordedRequest): string {
  const header = String(request.headers.traceparent ?? '');
  const match = /^00-([0-9a-f]{32})-[0-9a-f]{16}-0[01]$/.exec(header);
  expect(match, `a W3C traceparent on ${request.path}`).not.toBeNull();
  return match![1]!;
}

/** The spans of one trace, once they include every name in `names`; checks they form one tree. */
async function connectedTrace(traceId: string, names: string[]): Promise<OtlpSpan[]> {
  const spans = await pollFor(() => {
    const mine = exportedSpans().filter((span) => span.traceId === traceId);
    return names.every((name) => mine.some((span) => span.name.startsWith(name))) ? mine : undefined;
  }, `the spans ${names.join(', ')} of trace ${traceId}`, 15_000);
  const ids = new Set(spans.map((span) => span.spanId));
  const roots = spans.filter((span) => !span.parentSpanId || !ids.has(span.parentSpanId));
  expect(roots, 'one root: every other span hangs off it').toHaveLength(1);
  return spans;
}

describe('OpenTelemetry traces', () => {
  let bridge: BridgeProcess;

  beforeAll(async () => {
    bridge = await startBridgeProcess(
      bridgeEnv('traced', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100' }),
    );
  }, 30_000);
  afterAll(async () => {
    await bridge.stop();
  });

  it('follows a Slack event through the journal to the bot call, and the webhook through the outbox to the Slack post', async () => {
    expect((await postEvent(`${bridge.url}/slack/events`, dmEvent(900, 0), { secret })).status).toBe(200);
    const converse = await pollFor(() => bot.requests.find((request) => request.body.text === 'c900-m0'), 'the Converse request');
    const inbound = await connectedTrace(traceIdOf(converse), ['POST', 'outbox.enqueue', 'outbox.deliver']);
    expect(inbound.filter((span) => span.name === 'outbox.deliver')).toHaveLength(1);

    const webhook = await fetch(`${bridge.url}/converse-webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${webhookToken}` },
      body: JSON.stringify({ botId: 'bot-1', data: { eventType: 'sendMessage', platformConversationId: converse.body.platformConversationId, type: 'text', text: 'Traced reply', buttons: [], carouselCards: [] } }),
    });
    expect(webhook.status).toBe(200);
    const post = await pollFor(() => slackCalls(slack, 'chat.postMessage').find((request) => request.body.text === 'Traced reply'), 'the Slack post');
    const outbound = traceIdOf(post);
    expect(outbound).not.toBe(traceIdOf(converse));
    await connectedTrace(outbound, ['POST', 'outbox.enqueue', 'outbox.deliver']);

    const lines = bridge.stdout().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { traceId?: string });
    expect(lines.some((line) => line.traceId === outbound || line.traceId === traceIdOf(converse))).toBe(true);
  }, 40_000);
});

describe('without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('exports nothing and sends no traceparent', async () => {
    const before = receiver.requests.length;
    const bridge = await startBridgeProcess(bridgeEnv('untraced', {}));
    try {
      expect((await postEvent(`${bridge.url}/slack/events`, dmEvent(901, 0), { secret })).status).toBe(200);
      const converse = await pollFor(() => bot.requests.find((request) => request.body.text === 'c901-m0'), 'the Converse request');
      expect(converse.headers.traceparent).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(receiver.requests.length).toBe(before);
    } finally {
      await bridge.stop();
    }
  }, 30_000);
});
