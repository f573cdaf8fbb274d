/** GET /readyz through the real app: one cached, single-flight check run per 5 s, and an answer that names parts only. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/core/metrics.js';
import { createApp } from '../../src/http/create-app.js';
import type { ReadinessCheck } from '../../src/http/readiness.js';
import { capturingLogger } from '../support/silent-logger.js';

/** A check that counts its runs, fails while `error` is set, and takes `delayMs`. */
function countingCheck(name: string, delayMs = 0): ReadinessCheck & { runs: number; error?: Error } {
  const check = {
    name,
    runs: 0,
    error: undefined as Error | undefined,
    async check() {
      check.runs += 1;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (check.error) throw check.error;
    },
  };
  return check;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(checks: ReadinessCheck[], options: { shuttingDown?: () => boolean } = {}) {
  const clock = { now: 1_000_000 };
  const log = capturingLogger({ level: 'debug' });
  const app = createApp({
    adapters: [],
    botRoutes: [],
    readiness: checks,
    metrics: new Metrics(),
    logger: log.logger,
    isShuttingDown: options.shuttingDown ?? (() => false),
    now: () => clock.now,
  });
  const server: Server = await new Promise((resolve) => {
    const listening = createServer(app).listen(0, '127.0.0.1', () => resolve(listening));
  });
  servers.push(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`;
  const ready = async () => {
    const response = await fetch(url);
    return { status: response.status, text: await response.text() };
  };
  return { clock, log, ready };
}

describe('/readyz', () => {
  it('answers 100 concurrent requests from one check run, with exactly {"ready":true}', async () => {
    const store = countingCheck('store', 50);
    const slack = countingCheck('slack', 20);
    const { ready } = await serve([store, slack]);
    const answers = await Promise.all(Array.from({ length: 100 }, () => ready()));
    expect(new Set(answers.map((answer) => `${answer.status} ${answer.text}`))).toEqual(new Set(['200 {"ready":true}']));
    expect([store.runs, slack.runs]).toEqual([1, 1]);
  });

  it('reuses a run for 5 s of the clock, then runs again once', async () => {
    const store = countingCheck('store');
    const { clock, ready } = await serve([store]);
    await ready();
    clock.now += 4_999;
    await Promise.all([ready(), ready(), ready()]);
    expect(store.runs).toBe(1);
    clock.now += 1;
    await Promise.all([ready(), ready(), ready()]);
    expect(store.runs).toBe(2);
  });

  it('names only the failing parts; the error text goes to the log, never the answer', async () => {
    const store = countingCheck('store');
    const bot = countingCheck('bot');
    const teams = countingCheck('teams');
    store.error = new Error('connect ECONNREFUSED 10.20.30.40:6379 (redis://cache.internal:6379)');
    teams.error = new Error('AADSTS7000215: Invalid client secret provided.');
    const { ready, log } = await serve([store, bot, teams]);
    const answer = await ready();
    expect(answer.status).toBe(503);
    expect(answer.text).toBe('{"ready":false,"failing":["store","teams"]}');
    expect(log.lines.join('\n')).toContain('10.20.30.40:6379');
    expect(log.lines.join('\n')).toContain('AADSTS7000215');
  });

  it('recovers once the cache has aged past a failure', async () => {
    const store = countingCheck('store');
    store.error = new Error('down');
    const { clock, ready } = await serve([store]);
    expect((await ready()).status).toBe(503);
    store.error = undefined;
    expect((await ready()).status).toBe(503); // still the cached failure
    clock.now += 5_000;
    expect(await ready()).toEqual({ status: 200, text: '{"ready":true}' });
  });

  it('answers 503 with nothing failing while shutting down, without running the checks', async () => {
    const store = countingCheck('store');
    const { ready } = await serve([store], { shuttingDown: () => true });
    expect(await ready()).toEqual({ status: 503, text: '{"ready":false,"failing":[]}' });
    expect(store.runs).toBe(0);
  });
});
