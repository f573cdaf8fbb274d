/**
 * Fuzz of every inbound route of a whole bridge on loopback, with valid credentials: the seed
 * and platform payloads of test/fixtures, mutated (dropped fields, wrong types, nulls, huge
 * strings, arrays for objects, other bodies) and sent with bad JSON, wrong content types and
 * compression headers now and then. At LOG_LEVEL=debug with every log line captured: no request
 * is answered 5xx, nothing crashes, and no log line holds a secret or an email.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyBridgeConfig } from '../../src/config/bridge-config.js';
import { loadEnv, secretsOf } from '../../src/config/env.js';
import { Metrics } from '../../src/core/metrics.js';
import { startBridge, type BridgeRuntime } from '../../src/runtime.js';
import { loadFixtures } from '../bot/support/fixtures.js';
import { signatureHeaders } from '../slack/support/signed-requests.js';
import { startFakeServer, type FakeServer } from '../support/fake-http-server.js';
import { startFakeSlack } from '../support/fake-platforms.js';
import { capturingLogger } from '../support/silent-logger.js';
import { mutate, pick, seededRandom, wireVariant, type Json } from './support/fuzz-payloads.js';

const secrets = {
  SLACK_BOT_TOKEN: 'xoxb-fuzz-bot-token-5d41402abc4b2a76',
  SLACK_SIGNING_SECRET: 'fuzz-signing-secret-7d793037a0760186',
  WEBHOOK_TOKEN: 'fuzz-webhook-token-1f3870be274f6c49',
  CSML_API_KEY: 'fuzz-csml-key-8277e0910d750195',
  CSML_API_SECRET: 'fuzz-csml-secret-e4da3b7fbbce2345',
};
/** Requests per route: a few hundred in all, from one seed. */
const iterationsPerRoute = 60;
const fuzzSeed = 0x5eed_2026;
/** An email anywhere in a log line (Teams thread ids such as `19:x@thread.tacv2` are not emails). */
const emailPattern = /[\w.+-]+@(?!thread\.)[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/i;

const fixturesRoot = new URL('../fixtures/', import.meta.url);
const readJson = (path: string): Json => JSON.parse(readFileSync(new URL(path, fixturesRoot), 'utf8')) as Json;

interface RunningBridge {
  runtime: BridgeRuntime;
  lines: string[];
  dir: string;
}

const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
let slack: FakeServer;
let connector: FakeServer;
let csmlApi: FakeServer;
let demo: RunningBridge;
let csml: RunningBridge;

async function start(env: Record<string, string>): Promise<RunningBridge> {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-fuzz-'));
  const resolved = loadEnv({ PORT: '0', STORE_URL: `sqlite:${join(dir, 'bridge.db')}`, LOG_LEVEL: 'debug', ...env }, () => false);
  // The logger the runtime would build for itself, writing into `lines`.
  const { logger, lines } = capturingLogger({ level: 'debug', secrets: secretsOf(resolved) });
  const runtime = await startBridge({ env: resolved, config: emptyBridgeConfig, logger, metrics: new Metrics(), host: '127.0.0.1', deliverySleep: async () => undefined });
  return { runtime, lines, dir };
}

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  slack = await startFakeSlack();
  connector = await startFakeServer(() => ({ body: { id: 'activity-1' } }));
  csmlApi = await startFakeServer(() => ({ body: { messages: [], conversation_end: false } }));
  demo = await start({
    BOT_BACKEND: 'demo',
    TEAMS_ENABLED: 'true',
    SLACK_BOT_TOKEN: secrets.SLACK_BOT_TOKEN,
    SLACK_SIGNING_SECRET: secrets.SLACK_SIGNING_SECRET,
    SLACK_API_URL: `${slack.url}/api/`,
    WEBHOOK_TOKEN: secrets.WEBHOOK_TOKEN,
  });
  csml = await start({
    BOT_BACKEND: 'csml',
    TEAMS_ENABLED: 'false',
    CSML_API_URL: csmlApi.url,
    CSML_API_KEY: secrets.CSML_API_KEY,
    CSML_API_SECRET: secrets.CSML_API_SECRET,
    WEBHOOK_TOKEN: secrets.WEBHOOK_TOKEN,
  });
});

afterAll(async () => {
  for (const bridge of [demo, csml]) {
    if (!bridge) continue;
    await bridge.runtime.shutdown();
    rmSync(bridge.dir, { recursive: true, force: true });
  }
  await Promise.all([slack?.close(), connector?.close(), csmlApi?.close()]);
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
});

/** One fuzzed route: where it is, its seeds, how a body is sent and authenticated. */
interface RouteCase {
  name: string;
  bridge: () => RunningBridge;
  path: string;
  seeds: () => Json[];
  contentType: string;
  /** The body's text on the wire, from its JSON. */
  encode(body: Json): string;
  /** Headers that authenticate `text`. */
  auth(text: string): Record<string, string>;
}

const bearer = () => ({ authorization: `Bearer ${secrets.WEBHOOK_TOKEN}` });
const slackSigned = (text: string) => signatureHeaders(secrets.SLACK_SIGNING_SECRET, text);
const payloadsOf = (platform: 'ultimate' | 'csml', pattern: RegExp) => () => loadFixtures(platform, pattern).map((fixture) => fixture.payload as Json);

const routes: RouteCase[] = [
  {
    name: 'POST /slack/events (Events API)',
    bridge: () => demo,
    path: '/slack/events',
    seeds: () =>
      ['event-message-im', 'event-app-mention', 'event-thread-reply', 'event-bot-message', 'event-message-changed', 'event-app-home-opened', 'event-file-share', 'url-verification'].map(
        (name) => readJson(`slack/${name}.json`),
      ),
    contentType: 'application/json',
    encode: (body) => JSON.stringify(body),
    auth: slackSigned,
  },
  {
    name: 'POST /slack/events (interactivity)',
    bridge: () => demo,
    path: '/slack/events',
    seeds: () => [readJson('slack/block-actions.json')],
    contentType: 'application/x-www-form-urlencoded',
    encode: (body) => new URLSearchParams({ payload: JSON.stringify(body) }).toString(),
    auth: slackSigned,
  },
  {
    name: 'POST /slack/events (slash commands)',
    bridge: () => demo,
    path: '/slack/events',
    seeds: () => [readJson('slack/slash-command.json'), { ...(readJson('slack/slash-command.json') as Record<string, Json>), command: '/unknown', text: '' }],
    contentType: 'application/x-www-form-urlencoded',
    // A form has only strings: whatever the mutation made of a field is sent as its JSON text.
    encode: (body) =>
      body !== null && typeof body === 'object' && !Array.isArray(body)
        ? new URLSearchParams(Object.entries(body).map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : JSON.stringify(value)])).toString()
        : JSON.stringify(body),
    auth: slackSigned,
  },
  {
    name: 'POST /converse-webhook',
    bridge: () => demo,
    path: '/converse-webhook',
    seeds: payloadsOf('ultimate', /^00[24]-(send-message|escalate|is-team-online|widget)/),
    contentType: 'application/json',
    encode: (body) => JSON.stringify(body),
    auth: bearer,
  },
  {
    name: 'POST /action-webhook',
    bridge: () => demo,
    path: '/action-webhook',
    seeds: payloadsOf('ultimate', /^00[24]-action\.json$/),
    contentType: 'application/json',
    encode: (body) => JSON.stringify(body),
    auth: bearer,
  },
  {
    name: 'POST /csml/callback',
    bridge: () => csml,
    path: '/csml/callback',
    seeds: () =>
      payloadsOf('csml', /^001-chat-response\.json$/)().map((reply) => ({ ...(reply as Record<string, Json>), client: { user_id: 'a8f4c2b0-0000-4000-8000-000000000001', bot_id: 'bot' } })),
    contentType: 'application/json',
    encode: (body) => JSON.stringify(body),
    auth: bearer,
  },
  {
    name: 'POST /api/messages (Teams, auth off with the demo bot)',
    bridge: () => demo,
    path: '/api/messages',
    seeds: () =>
      ['personal-message', 'channel-mention', 'message-back-submit', 'submit-empty-text', 'conversation-update-personal-install', 'installation-update-team'].map((name) => ({
        ...(readJson(`teams/${name}.json`) as Record<string, Json>),
        serviceUrl: `${connector.url}/`,
      })),
    contentType: 'application/json',
    encode: (body) => JSON.stringify(body),
    auth: () => ({}),
  },
];

/** Send the route's fuzzed requests; what was answered 5xx (or not at all), one line each. */
async function fuzzRoute(route: RouteCase, random: () => number): Promise<string[]> {
  const failures: string[] = [];
  const seeds = route.seeds();
  expect(seeds.length).toBeGreaterThan(0);
  for (let iteration = 0; iteration < iterationsPerRoute; iteration++) {
    const seed = pick(random, seeds);
    // The first round sends every seed unchanged: the fuzz starts from bodies the route accepts.
    const { body, description } = iteration < seeds.length ? { body: seeds[iteration]!, description: 'seed as it is' } : mutate(seed, random);
    const wire = wireVariant(random, route.contentType);
    let text = route.encode(body);
    if (wire.truncate) text = text.slice(0, Math.max(1, Math.floor(text.length * random())));
    const headers: Record<string, string> = { ...route.auth(text) };
    if (wire.contentType) headers['content-type'] = wire.contentType;
    if (wire.contentEncoding) headers['content-encoding'] = wire.contentEncoding;
    const what = `${route.name} #${iteration}: ${description}${wire.description ? ` [${wire.description}]` : ''}`;
    try {
      const response = await fetch(`${route.bridge().runtime.url}${route.path}`, { method: 'POST', headers, body: Buffer.from(text, 'utf8') });
      const answer = await response.text();
      if (response.status >= 500) failures.push(`${what} → ${response.status} ${answer.slice(0, 200)}`);
    } catch (error) {
      failures.push(`${what} → no answer (${(error as Error).message})`);
    }
  }
  return failures;
}

describe('route fuzz with valid credentials', () => {
  it.each(routes.map((route, index) => [route.name, index] as const))('%s: never 5xx for bad input', async (_name, index) => {
    expect(await fuzzRoute(routes[index]!, seededRandom(fuzzSeed + index))).toEqual([]);
  });

  it('nothing crashed, both bridges still answer, and no log line holds a secret or an email', async () => {
    for (const bridge of [demo, csml]) {
      await bridge.runtime.bridge.settle(5_000);
      expect((await fetch(`${bridge.runtime.url}/healthz`)).status).toBe(200);
    }
    expect(crashes).toEqual([]);
    const lines = [...demo.lines, ...csml.lines];
    expect(lines.length).toBeGreaterThan(100);
    expect(lines.some((line) => line.includes('"level":20'))).toBe(true); // debug lines were written
    for (const secret of Object.values(secrets)) expect(lines.filter((line) => line.includes(secret))).toEqual([]);
    expect(lines.filter((line) => emailPattern.test(line)).map((line) => line.slice(0, 300))).toEqual([]);
  });
});
