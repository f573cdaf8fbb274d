/**
 * The server assembly (createApp) around front routes, over real HTTP on loopback: a front route
 * gets its POST with the request's id, other methods on its path go to express, and a route that
 * fails unexpectedly is answered 500 while the server goes on serving.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/core/metrics.js';
import { createApp } from '../../src/http/create-app.js';
import { answerJson, type FrontRoute } from '../../src/http/front-route.js';
import { capturingLogger } from '../support/silent-logger.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(routes: FrontRoute[]) {
  const { logger, lines } = capturingLogger();
  const app = createApp({ adapters: [], botRoutes: routes, readiness: [], metrics: new Metrics(), logger, isShuttingDown: () => false });
  const server = await new Promise<Server>((resolve) => {
    const listening = createServer(app).listen(0, '127.0.0.1', () => resolve(listening));
  });
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, lines };
}

const echo: FrontRoute = {
  path: '/echo',
  async handle(req, res) {
    answerJson(res, 200, { method: req.method, url: req.url });
  },
};

describe('front routes', () => {
  it('serve their POST, with the request id, before express; other methods on the path are express 404s', async () => {
    const { url } = await serve([echo]);
    const posted = await fetch(`${url}/echo?x=1`, { method: 'POST', headers: { 'x-request-id': 'req-front-1' } });
    expect(posted.status).toBe(200);
    expect(posted.headers.get('x-request-id')).toBe('req-front-1');
    expect(await posted.json()).toEqual({ method: 'POST', url: '/echo?x=1' });
    const got = await fetch(`${url}/echo`);
    expect(got.status).toBe(404);
    expect(await got.json()).toEqual({ error: 'not_found', message: 'No route for GET /echo' });
  });

  it('answer 500 for a route that fails unexpectedly, log it with the request id, and keep serving', async () => {
    const failing: FrontRoute = {
      path: '/fails',
      async handle() {
        throw new Error('a bug in a route');
      },
    };
    const { url, lines } = await serve([failing, echo]);
    const answer = await fetch(`${url}/fails`, { method: 'POST', headers: { 'x-request-id': 'req-front-2' } });
    expect(answer.status).toBe(500);
    expect(await answer.json()).toEqual({ error: 'internal_error', message: 'Internal error; see the bridge logs for the request id' });
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'unhandled error in request');
    expect(logged).toMatchObject({ requestId: 'req-front-2' });
    expect((await fetch(`${url}/echo`, { method: 'POST' })).status).toBe(200);
  });
});
