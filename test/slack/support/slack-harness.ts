/**
 * The Slack adapter on the bridge's real server assembly (createApp: front route, express) on loopback, its Web API calls going to the msw
 * fake, and a recording sink as the core.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { pino } from 'pino';
import { createSlackAdapter } from '../../../adapters/slack/index.js';
import type { SlackEnv } from '../../../src/config/env.js';
import type { ChannelAdapter } from '../../../src/core/channel-adapter.js';
import type { Logger } from '../../../src/core/logger.js';
import { Metrics } from '../../../src/core/metrics.js';
import { createApp } from '../../../src/http/create-app.js';
import { fakeSlackApiUrl, type FakeSlackApi } from './fake-slack-api.js';
import { RecordingSink } from './recording-sink.js';

/** The signing secret the harness's adapter verifies. */
export const signingSecret = 'test-signing-secret-8f14e45fceea167a';

/** The environment of the adapter under test. */
export const testSlackEnv: SlackEnv = { botToken: 'xoxb-test-token-1234', signingSecret, apiUrl: fakeSlackApiUrl };

/** A running adapter. */
export interface SlackHarness {
  adapter: ChannelAdapter;
  sink: RecordingSink;
  metrics: Metrics;
  /** URL of POST /slack/events. */
  eventsUrl: string;
  close(): Promise<void>;
}

/** Start the adapter on a loopback server. */
export async function startSlackHarness(options: { sink?: RecordingSink; now?: () => number; logger?: Logger } = {}): Promise<SlackHarness> {
  const sink = options.sink ?? new RecordingSink();
  const metrics = new Metrics();
  const logger = options.logger ?? pino({ level: 'silent' });
  const adapter = createSlackAdapter({ env: testSlackEnv, sink, logger, metrics, now: options.now });
  const app = createApp({ adapters: [adapter], botRoutes: [], readiness: [], metrics, logger, isShuttingDown: () => false });
  const server = await new Promise<Server>((resolve) => {
    const listening = createServer(app).listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    adapter,
    sink,
    metrics,
    eventsUrl: `http://127.0.0.1:${port}/slack/events`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** Current value of a labelled counter. */
export async function counterValue(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((entry) => entry.name === name);
  const value = metric?.values.find((entry) => Object.entries(labels).every(([key, label]) => entry.labels[key] === label));
  return value?.value ?? 0;
}

/** Register the usual hooks: msw for the file, a fresh fake API state and adapter for each test. */
export function useSlackHarness(api: FakeSlackApi, started: (harness: SlackHarness) => void, options: { now?: () => number; logger?: Logger } = {}): void {
  let current: SlackHarness | undefined;
  beforeAll(() => api.listen());
  afterAll(() => api.close());
  beforeEach(async () => {
    api.reset();
    current = await startSlackHarness(options);
    started(current);
  });
  afterEach(() => current?.close());
}
