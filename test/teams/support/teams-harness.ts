/**
 * What the Teams tests share: the real adapter mounted on a real express server on loopback,
 * a loopback HTTP server standing in for the Bot Framework connector (the activities'
 * `serviceUrl`), a recording InboundSink, and the documented activity fixtures.
 */
import express from 'express';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createTeamsAdapter, type TeamsAdapterDeps } from '../../../adapters/teams/index.js';
import type { AgentEvent, AgentEventOutcome, ChannelAdapter, InboundSink } from '../../../src/core/channel-adapter.js';
import type { Logger } from '../../../src/core/logger.js';
import { Metrics } from '../../../src/core/metrics.js';
import type { ChannelAddress, VisitorEvent, VisitorEventOutcome } from '../../../src/core/visitor-event.js';
import { startFakeServer, type FakeServer, type RecordedRequest, type ScriptedResponse } from '../../support/fake-http-server.js';
import { silentLogger } from '../../support/silent-logger.js';

/** A fixture activity from test/fixtures/teams, as a fresh mutable object. */
export function fixture(name: string): Record<string, unknown> & { serviceUrl: string } {
  const path = join(import.meta.dirname, '..', '..', 'fixtures', 'teams', `${name}.json`);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> & { serviceUrl: string };
}

/** An InboundSink that records what it hears and answers from settable outcomes. */
export class RecordingSink implements InboundSink {
  readonly visitorEvents: VisitorEvent[] = [];
  readonly agentEvents: AgentEvent[] = [];
  visitorOutcome: VisitorEventOutcome = { status: 'accepted' };
  agentOutcome: AgentEventOutcome = { status: 'accepted' };
  readonly liveKeys = new Set<string>();
  readonly ticketThreads = new Set<string>();
  /** Awaited after recording, inside the turn: load the profile, deliver a reply like the core would. */
  onVisitorEvent?: (event: VisitorEvent) => void | Promise<void>;

  async visitorEvent(event: VisitorEvent): Promise<VisitorEventOutcome> {
    this.visitorEvents.push(event);
    await this.onVisitorEvent?.(event);
    return this.visitorOutcome;
  }

  async agentEvent(event: AgentEvent): Promise<AgentEventOutcome> {
    this.agentEvents.push(event);
    return this.agentOutcome;
  }

  async knowsAddress(_channel: string, key: string): Promise<boolean> {
    return this.liveKeys.has(key);
  }

  async knowsTicketThread(thread: ChannelAddress): Promise<boolean> {
    return this.ticketThreads.has(thread.key);
  }
}

/** The default connector answers: ids for sends, the fixture user for member lookups. */
export function defaultConnector(request: RecordedRequest): ScriptedResponse {
  if (request.method === 'POST' && /\/v3\/conversations\/[^/]+\/activities/.test(request.path)) return { status: 201, body: { id: `sent-${Date.now()}` } };
  if (request.method === 'PUT') return { status: 200, body: { id: request.path.split('/').pop() } };
  if (request.method === 'GET' && /\/members\//.test(request.path)) {
    return {
      body: {
        id: decodeURIComponent(request.path.split('/').pop() ?? ''),
        name: 'Megan Bowen',
        aadObjectId: '7faf8ab2-3d56-4244-b585-20c8a42ed2b8',
        email: 'MeganB@contoso.example',
        userPrincipalName: 'meganb@contoso.example',
        tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      },
    };
  }
  return { status: 404, body: { error: { code: 'NotFound', message: `no route ${request.method} ${request.path}` } } };
}

/** A running adapter with its loopback server, connector stand-in and sink. */
export interface TeamsHarness {
  adapter: ChannelAdapter;
  sink: RecordingSink;
  connector: FakeServer;
  /** Base URL of the express server with the adapter mounted. */
  url: string;
  /** POST an activity (its serviceUrl pointed at the connector stand-in) to /api/messages. */
  post(activity: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  /** POST a raw body to /api/messages, as it is. */
  postRaw(body: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** Start the adapter on loopback; `script` answers connector calls (default: `defaultConnector`). */
export async function startTeamsHarness(
  options: {
    env?: Partial<TeamsAdapterDeps['env']>;
    script?: (request: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse>;
    connectorTimeoutMs?: number;
    /** The adapter's service URL for desk teams it has not learned (default: the connector stand-in). */
    defaultServiceUrl?: string;
    /** The adapter's logger (default: silent). */
    logger?: Logger;
  } = {},
): Promise<TeamsHarness> {
  const connector = await startFakeServer(options.script ?? defaultConnector);
  const sink = new RecordingSink();
  const adapter = createTeamsAdapter({
    env: { graphApiUrl: 'https://graph.microsoft.com/v1.0', ...options.env },
    sink,
    logger: options.logger ?? silentLogger(),
    metrics: new Metrics(),
    connectorTimeoutMs: options.connectorTimeoutMs,
    defaultServiceUrl: options.defaultServiceUrl ?? `${connector.url}/`,
  });
  const app = express();
  const router = express.Router();
  adapter.mount!(router);
  app.use(router);
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    adapter,
    sink,
    connector,
    url,
    post: (activity, headers = {}) =>
      fetch(`${url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ ...activity, serviceUrl: `${connector.url}/` }),
      }),
    postRaw: (body, headers = {}) => fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connector.close();
    },
  };
}
