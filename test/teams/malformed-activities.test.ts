/**
 * Bad input on POST /api/messages (real route, real adapter, loopback connector): malformed
 * activities get a 400 naming the first problem, with auth off and with auth on (signed by the
 * msw Bot Framework stand-in); nothing reaches the core or the connector, nothing is logged at
 * error level and nothing is printed to stderr. Then a fuzz pass over every documented fixture,
 * each field replaced by values of the wrong type or removed, and bodies cut short: never a 5xx.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { capturingLogger } from '../support/silent-logger.js';
import { botFrameworkIdentity } from './support/bot-framework-auth.js';
import { fixture, startTeamsHarness, type TeamsHarness } from './support/teams-harness.js';

const fixtures = ['personal-message', 'channel-mention', 'message-back-submit', 'submit-empty-text', 'conversation-update-personal-install', 'installation-update-team'];
const appId = '0f6b3a2c-9d41-4e7a-8b25-6c1d2e3f4a5b';
const identity = botFrameworkIdentity();
const msw = setupServer(...identity.handlers);

let harness: TeamsHarness;
let logLines: string[];
let stderr: string[];

beforeAll(() => msw.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => msw.close());

beforeEach(() => {
  stderr = [];
  // botbuilder's CloudAdapter.process prints failed turns with console.error: catch any of it.
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void stderr.push(args.map(String).join(' ')));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await harness?.close();
});

async function start(auth: boolean): Promise<void> {
  const captured = capturingLogger({ level: 'debug' });
  logLines = captured.lines;
  harness = await startTeamsHarness({ logger: captured.logger, env: auth ? { appId, appPassword: 'test-secret', appType: 'MultiTenant' } : {} });
}

/** Headers that make a request authentic when auth is on. */
const signed = () => ({ authorization: identity.channelAuthorization(appId, `${harness.connector.url}/`) });

const errorLines = () => logLines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.level >= 50);

function expectNothingHappened(): void {
  expect(harness.sink.visitorEvents).toEqual([]);
  expect(harness.sink.agentEvents).toEqual([]);
  expect(harness.connector.requests).toEqual([]);
  expect(errorLines()).toEqual([]);
  expect(stderr).toEqual([]);
}

const malformed: Array<[string, (activity: Record<string, unknown>) => void, string]> = [
  ['entities is a number', (activity) => void (activity.entities = 5), 'entities'],
  ['from is a string', (activity) => void (activity.from = 'megan'), 'from'],
  ['from has no id', (activity) => void (activity.from = { name: 'Megan' }), 'from.id'],
  ['text is a number', (activity) => void (activity.text = 42), 'text'],
  ['no conversation', (activity) => void delete activity.conversation, 'conversation'],
  ['conversation id is an object', (activity) => void (activity.conversation = { id: {} }), 'conversation.id'],
  ['recipient is a list', (activity) => void (activity.recipient = []), 'recipient'],
  ['the activity id is an object', (activity) => void (activity.id = {}), 'id'],
  ['attachments is a string', (activity) => void (activity.attachments = 'file.pdf'), 'attachments'],
  ['channelData.team is a number', (activity) => void (activity.channelData = { team: 7 }), 'channelData.team'],
];

describe.each([
  ['auth off', false],
  ['auth on, signed', true],
])('malformed activities, %s', (_name, auth) => {
  beforeEach(() => start(auth));

  it.each(malformed)('answers 400 when %s', async (_case, mutate, path) => {
    const activity = fixture('personal-message');
    mutate(activity);
    const response = await harness.post(activity, auth ? signed() : {});
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request', path, message: expect.stringContaining(`activity at ${path}`) });
    expectNothingHappened();
  });

  it('answers 400 for an activity without a serviceUrl', async () => {
    const { serviceUrl: _serviceUrl, ...activity } = fixture('personal-message');
    // botbuilder compares the token's serviceurl claim only with a serviceUrl that is there.
    const response = await harness.postRaw(JSON.stringify(activity), auth ? signed() : {});
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request', path: 'serviceUrl' });
    expectNothingHappened();
  });

  it('answers 400 in JSON for a body that is not JSON, or not an object', async () => {
    for (const body of ['{"type": "message", ', 'not json', '[1,2]', 'null', '"message"']) {
      const response = await harness.postRaw(body, auth ? signed() : {});
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
    }
    const gzip = await harness.postRaw(JSON.stringify(fixture('personal-message')), { 'content-encoding': 'gzip', ...(auth ? signed() : {}) });
    expect(gzip.status).toBe(400);
    expectNothingHappened();
  });
});

describe('authentication comes first', () => {
  beforeEach(() => start(true));

  it('answers an unsigned malformed activity with 401, not with what is wrong in it', async () => {
    const response = await harness.post({ ...fixture('personal-message'), entities: 5 });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'unauthorized', message: 'The request does not carry a valid Bot Framework token' });
    expectNothingHappened();
  });

  it('still runs a well-formed signed activity', async () => {
    const response = await harness.post(fixture('personal-message'), signed());
    expect(response.status).toBe(200);
    expect(harness.sink.visitorEvents).toHaveLength(1);
  });
});

/** Values of the wrong type (and a few of the right type but absurd), for every field. */
const wrongValues: unknown[] = [5, true, null, '', [5], { id: 5 }, 'y'.repeat(5_000)];

/** Every mutation of `activity`: each field (two levels deep, first list element included) replaced or removed. */
function* mutations(activity: Record<string, unknown>): Generator<[string, Record<string, unknown>]> {
  for (const path of fieldPaths(activity)) {
    yield [`${path} removed`, mutated(activity, path, undefined)];
    for (const value of wrongValues) yield [`${path} = ${JSON.stringify(value).slice(0, 20)}`, mutated(activity, path, value)];
  }
}

function fieldPaths(value: unknown, prefix: string[] = [], depth = 0): string[][] {
  if (depth > 2 || typeof value !== 'object' || value === null) return [];
  const entries = Array.isArray(value) ? (value.length > 0 ? [['0', value[0]] as const] : []) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...fieldPaths(child, [...prefix, key], depth + 1)]);
}

function mutated(activity: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(activity);
  let parent = copy as Record<string, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  const last = path.at(-1)!;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

describe('fuzzing /api/messages with mutated documented activities', () => {
  it.each([
    ['auth off', false],
    ['auth on, signed', true],
  ])('never answers 5xx, never logs an error, never prints to stderr (%s)', async (_name, auth) => {
    await start(auth);
    const failures: string[] = [];
    let requests = 0;
    for (const name of fixtures) {
      const base = fixture(name);
      for (const [what, activity] of mutations(base)) {
        const response = await harness.post(activity, auth ? signed() : {});
        requests += 1;
        if (response.status >= 500) failures.push(`${name}: ${what} → ${response.status} ${await response.text()}`);
        else await response.arrayBuffer();
      }
      const text = JSON.stringify({ ...base, serviceUrl: `${harness.connector.url}/` });
      for (let cut = 1; cut < text.length; cut += Math.ceil(text.length / 25)) {
        const response = await harness.postRaw(text.slice(0, cut), auth ? signed() : {});
        requests += 1;
        if (response.status !== 400) failures.push(`${name}: body cut at ${cut} → ${response.status}`);
        await response.arrayBuffer();
      }
    }
    expect(requests).toBeGreaterThan(800);
    expect(failures).toEqual([]);
    expect(errorLines()).toEqual([]);
    expect(stderr).toEqual([]);
  }, 120_000);
});
