/** The bridge's real server assembly (createApp) on loopback (port 0) around some front routes, and a JSON POST helper. */
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { pino } from 'pino';
import { Metrics } from '../../../src/core/metrics.js';
import { createApp } from '../../../src/http/create-app.js';
import type { FrontRoute } from '../../../src/http/front-route.js';

/** A running app. */
export interface TestServer {
  baseUrl: string;
  close(): Promise<void>;
}

/** Start a server with the bot side's `routes`. */
export async function startTestServer(routes: FrontRoute[]): Promise<TestServer> {
  const app = createApp({ adapters: [], botRoutes: routes, readiness: [], metrics: new Metrics(), logger: pino({ level: 'silent' }), isShuttingDown: () => false });
  const server: Server = await new Promise((resolve) => {
    const listening = createServer(app).listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** An answer: status and parsed JSON body (undefined when the body is not JSON). */
export interface JsonAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON answers
  headers: Headers;
}

/** POST `body` (serialised unless it is already a string) with `headers`. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // A non-JSON answer is itself a finding: the caller asserts on `body` being undefined.
    parsed = undefined;
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
