/**
 * Socket Mode: with SLACK_APP_TOKEN the adapter connects out (apps.connections.open via msw, then
 * a real WebSocket server on loopback playing Slack), receives a documented event envelope, acks
 * it once the core has it (never before, never when the core failed), and mounts no HTTP route.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { createSlackAdapter } from '../../adapters/slack/index.js';
import { Metrics } from '../../src/core/metrics.js';
import { StoreUnavailableError } from '../../src/core/errors.js';
import { FakeSlackApi } from './support/fake-slack-api.js';
import { RecordingSink } from './support/recording-sink.js';
import { fixture } from './support/slack-fixtures.js';
import { testSlackEnv } from './support/slack-harness.js';
import { waitUntil } from './support/wait-until.js';

const api = new FakeSlackApi();
let server: WebSocketServer;
const sockets: WebSocket[] = [];
const received: unknown[] = [];

beforeAll(async () => {
  api.listen();
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('message', (data) => received.push(JSON.parse(String(data))));
    socket.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'applink-test' }, connection_info: { app_id: 'A0PNCHHK2' } }));
  });
});
afterAll(async () => {
  api.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('Socket Mode', () => {
  it('receives events over the socket, acks them and hands them to the core', async () => {
    const { port } = server.address() as AddressInfo;
    api.on('apps.connections.open', () => ({ url: `ws://127.0.0.1:${port}/link/?ticket=test` }));
    const sink = new RecordingSink();
    const adapter = createSlackAdapter({ env: { ...testSlackEnv, appToken: 'xapp-1-A0PNCHHK2-test' }, sink, logger: pino({ level: 'silent' }), metrics: new Metrics() });
    const router = express.Router();
    adapter.mount!(router);
    expect(router.stack).toHaveLength(0);

    await adapter.start!();
    expect(api.callsOf('apps.connections.open')[0]!.authorization).toBe('Bearer xapp-1-A0PNCHHK2-test');
    sockets[0]!.send(JSON.stringify({ envelope_id: 'env-1', payload: fixture('event-message-im'), type: 'events_api', accepts_response_payload: false, retry_attempt: 0, retry_reason: '' }));
    const event = await sink.nthVisitorEvent(1);
    expect(event.action).toEqual({ kind: 'message', text: 'Hello hello can you hear me?' });
    expect(event.eventId).toBe('Ev0PV52K21');
    await waitUntil(() => ackOf('env-1'), 'the envelope ack');
    await adapter.stop!();
  });

  it('acks an envelope only once the core has taken its event, and not at all when the core failed', async () => {
    const { port } = server.address() as AddressInfo;
    api.on('apps.connections.open', () => ({ url: `ws://127.0.0.1:${port}/link/?ticket=test` }));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const sink = new GatedSink(held);
    const adapter = createSlackAdapter({ env: { ...testSlackEnv, appToken: 'xapp-1-A0PNCHHK2-test' }, sink, logger: pino({ level: 'silent' }), metrics: new Metrics() });
    await adapter.start!();
    const socket = sockets.at(-1)!;
    const envelope = (id: string, retry: number) => JSON.stringify({ envelope_id: id, payload: fixture('event-message-im'), type: 'events_api', accepts_response_payload: false, retry_attempt: retry, retry_reason: retry ? 'timeout' : '' });

    // The journal write is in flight: no ack yet.
    socket.send(envelope('env-held', 0));
    await sink.nthVisitorEvent(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ackOf('env-held')).toBeUndefined();
    release();
    await waitUntil(() => ackOf('env-held'), 'the ack after the core took the event');

    // The core could not journal the event: no ack, so Slack delivers it again; the redelivery is acked.
    sink.failNext = true;
    socket.send(envelope('env-failed', 0));
    await sink.nthVisitorEvent(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ackOf('env-failed')).toBeUndefined();
    socket.send(envelope('env-redelivered', 1));
    await sink.nthVisitorEvent(3);
    await waitUntil(() => ackOf('env-redelivered'), 'the redelivery ack');
    expect(ackOf('env-failed')).toBeUndefined();
    await adapter.stop!();
  });

  it('acks a slash command with its listener\'s answer, and an interaction nobody listens to empty', async () => {
    const { port } = server.address() as AddressInfo;
    api.on('apps.connections.open', () => ({ url: `ws://127.0.0.1:${port}/link/?ticket=test` }));
    const adapter = createSlackAdapter({ env: { ...testSlackEnv, appToken: 'xapp-1-A0PNCHHK2-test' }, sink: new RecordingSink(), logger: pino({ level: 'silent' }), metrics: new Metrics() });
    await adapter.start!();
    const socket = sockets.at(-1)!;
    socket.send(JSON.stringify({ envelope_id: 'env-command', payload: { ...fixture('slash-command'), command: '/weather' }, type: 'slash_commands', accepts_response_payload: true }));
    const answer = (await waitUntil(() => ackOf('env-command'), 'the command ack')) as { payload?: { response_type?: string; text?: string } };
    expect(answer.payload).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Unknown command /weather') });
    const shortcut = { type: 'shortcut', token: 'x', action_ts: '1712345678.000100', team: { id: 'T0A6R9YLSKA', domain: 'dev' }, user: { id: 'U0A60JBHJBE', team_id: 'T0A6R9YLSKA' }, callback_id: 'no_such_shortcut', trigger_id: '1.2.3' };
    socket.send(JSON.stringify({ envelope_id: 'env-shortcut', payload: shortcut, type: 'interactive', accepts_response_payload: false }));
    await waitUntil(() => ackOf('env-shortcut'), 'the empty ack of an interaction without a listener');
    await adapter.stop!();
  });
});

function ackOf(envelopeId: string): unknown {
  return received.find((message) => (message as { envelope_id?: string }).envelope_id === envelopeId);
}

/** A sink whose first event waits for `held`, and whose next event fails once `failNext` is set. */
class GatedSink extends RecordingSink {
  failNext = false;

  constructor(private readonly held: Promise<void>) {
    super();
  }

  override async visitorEvent(event: Parameters<RecordingSink['visitorEvent']>[0]) {
    const outcome = super.visitorEvent(event);
    await this.held;
    if (this.failNext) {
      this.failNext = false;
      throw new StoreUnavailableError('store timed out');
    }
    return outcome;
  }
}
