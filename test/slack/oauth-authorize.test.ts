/**
 * Bolt's authorize in multi-workspace mode, on the adapter's real route: an event from a workspace
 * without an installation is acked and ignored (nothing reaches the core), while a store that
 * fails during the lookup answers 503 so Slack retries the event instead of it being lost.
 * /readyz's Slack check needs no token there (api.test).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../adapters/slack/index.js';
import type { SlackEnv } from '../../src/config/env.js';
import { Metrics } from '../../src/core/metrics.js';
import type { RecordStore } from '../../src/store/store.js';
import { FakeSlackApi, fakeSlackApiUrl } from './support/fake-slack-api.js';
import { RecordingSink } from './support/recording-sink.js';
import { counterValue } from './support/slack-harness.js';
import { postEvent } from './support/signed-requests.js';
import { fixture } from './support/slack-fixtures.js';

const signingSecret = 'oauth-authorize-signing-secret';
const env: SlackEnv = {
  signingSecret,
  apiUrl: fakeSlackApiUrl,
  oauth: { clientId: '1.2', clientSecret: 'client-secret', stateSecret: 'state-secret', secretsKey: Buffer.alloc(32, 3), publicUrl: 'https://bridge.example.com' },
};
const api = new FakeSlackApi();
let server: Server | undefined;

beforeAll(() => api.listen());
afterAll(() => api.close());
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  api.reset();
});

async function start(records: Pick<RecordStore, 'getRecord' | 'compareAndSet'>) {
  const sink = new RecordingSink();
  const metrics = new Metrics();
  const adapter = createSlackAdapter({ env, sink, logger: pino({ level: 'silent' }), metrics, records });
  const app = express();
  const router = express.Router();
  adapter.mount!(router);
  app.use(router);
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return { adapter, sink, metrics, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events` };
}

describe('multi-workspace authorize', () => {
  it('acks and ignores an event from a workspace without an installation', async () => {
    const { sink, metrics, url } = await start({ getRecord: async () => undefined, compareAndSet: async () => 1 });
    const response = await postEvent(url, fixture('event-message-im'), { secret: signingSecret });
    expect(response.status).toBe(200);
    expect(sink.visitorEvents).toHaveLength(0);
    expect(await counterValue(metrics, 'bridge_events_in_total', { platform: 'slack', type: 'ignored' })).toBe(1);
  });

  it('answers 503 when the store fails during the lookup, so Slack retries', async () => {
    const { sink, url } = await start({ getRecord: () => Promise.reject(new Error('SQLITE_IOERR')), compareAndSet: async () => 1 });
    const response = await postEvent(url, fixture('event-message-im'), { secret: signingSecret });
    expect(response.status).toBe(503);
    expect(sink.visitorEvents).toHaveLength(0);
  });

  it('checks readiness with api.test, which needs no workspace token', async () => {
    const { adapter } = await start({ getRecord: async () => undefined, compareAndSet: async () => 1 });
    api.on('api.test', () => ({}));
    await adapter.checkReady!();
    expect(api.callsOf('api.test')).toHaveLength(1);
    api.on('api.test', () => new Response('', { status: 503 }));
    await expect(adapter.checkReady!()).rejects.toMatchObject({ platformCode: 'http_503' });
  });
});
