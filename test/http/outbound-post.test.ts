/**
 * The hot-path clients' transport (src/http/outbound-post.ts) against a raw TCP server on
 * loopback that speaks just enough HTTP/1.1 to close a keep-alive connection at the moment the
 * client reuses it, as a server's idle timeout does: the bot API client (postJson) and Slack's
 * chat.postMessage (ChatPoster over LeanWebApi) send such a request once more on a connection of its own, and
 * only when no byte of an answer came and the deadline has not passed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatPoster } from '../../adapters/slack/chat-poster.js';
import { LeanWebApi } from '../../adapters/slack/lean-web-api.js';
import { postJson } from '../../src/bot/json-post.js';
import { TransportError } from '../../src/http/outbound-post.js';

/** What the server does with the `index`-th request (from 0) on its `connection`-th connection (from 0). */
type Behaviour = (connection: number, index: number) => 'answer' | 'close' | 'half-answer' | 'hang';

interface RawServer {
  url: string;
  connections: number;
  requests: number;
  close(): Promise<void>;
}

const servers: RawServer[] = [];
const clientsToClose: { close(): void }[] = [];
afterEach(async () => {
  for (const client of clientsToClose.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const okAnswer = JSON.stringify({ ok: true, channel: 'D1', ts: '1.2' });

async function rawServer(behaviour: Behaviour): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const state = { connections: 0, requests: 0 };
  const server: Server = createServer((socket) => {
    const connection = state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffered = '';
    let index = 0;
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      // One request: its head, then Content-Length bytes of body.
      for (;;) {
        const headEnd = buffered.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const length = Number(/content-length: *(\d+)/i.exec(buffered.slice(0, headEnd))?.[1] ?? 0);
        if (buffered.length < headEnd + 4 + length) return;
        buffered = buffered.slice(headEnd + 4 + length);
        state.requests += 1;
        const action = behaviour(connection, index++);
        if (action === 'close') return void socket.destroy();
        if (action === 'half-answer') return void socket.end('HTTP/1.1 200 OK\r\ncontent-le');
        if (action === 'hang') return;
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${okAnswer.length}\r\nconnection: keep-alive\r\n\r\n${okAnswer}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const raw: RawServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    get connections() {
      return state.connections;
    },
    get requests() {
      return state.requests;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  servers.push(raw);
  return raw;
}

/** A client that keeps its connections between calls; `send` resolves true for the server's answer. */
interface Client {
  send(): Promise<boolean>;
  close(): void;
}

/** The two clients on the transport, each for a server at `url` and a whole-request deadline. */
const clients: Record<string, (url: string, timeoutMs: number) => Client> = {
  'the bot API client (postJson)': (url, timeoutMs) => ({
    send: async () => ((await postJson(`${url}converse`, { text: 'hello' }, { headers: { authorization: 'key' }, timeoutMs })).data as { ok?: boolean }).ok === true,
    close: () => undefined, // its agent is the module's
  }),
  "Slack's chat.postMessage (ChatPoster)": (url, timeoutMs) => {
    const api = new LeanWebApi({ apiUrl: url, timeoutMs, maxSockets: 4 });
    const poster = new ChatPoster(api);
    return { send: async () => (await poster.postMessage({ channel: 'D1', text: 'hello' }, 'xoxb-test')).ts === '1.2', close: () => api.close() };
  },
};

describe.each(Object.entries(clients))('%s over a keep-alive connection', (_name, clientFor) => {
  const connect = async (behaviour: Behaviour, timeoutMs = 2000) => {
    const server = await rawServer(behaviour);
    const client = clientFor(server.url, timeoutMs);
    clientsToClose.push(client);
    return { server, client };
  };

  it('sends a request once more on a new connection when the server closed the reused one before answering', async () => {
    const { server, client } = await connect((connection, index) => (connection === 0 && index === 1 ? 'close' : 'answer'));
    expect(await client.send()).toBe(true);
    expect(await client.send()).toBe(true); // reuses the first connection, which the server closes
    expect({ connections: server.connections, requests: server.requests }).toEqual({ connections: 2, requests: 3 });
  });

  it('does not send again what failed on a new connection', async () => {
    const { server, client } = await connect(() => 'close');
    await expect(client.send()).rejects.toThrow();
    expect({ connections: server.connections, requests: server.requests }).toEqual({ connections: 1, requests: 1 });
  });

  it('sends the repetition on a connection of its own, not on another idle one that may be as stale', async () => {
    const { server, client } = await connect((connection, index) => (connection < 3 && index > 0 ? 'close' : 'answer'));
    expect(await Promise.all([client.send(), client.send(), client.send()])).toEqual([true, true, true]); // three idle connections
    expect(await client.send()).toBe(true);
    expect({ connections: server.connections, requests: server.requests }).toEqual({ connections: 4, requests: 5 });
  });

  it('does not send again once the server began to answer on the reused connection', async () => {
    const { server, client } = await connect((_connection, index) => (index === 0 ? 'answer' : 'half-answer'));
    expect(await client.send()).toBe(true);
    await expect(client.send()).rejects.toThrow();
    expect({ connections: server.connections, requests: server.requests }).toEqual({ connections: 1, requests: 2 });
  });

  it('does not send again after the deadline ended a request on a reused connection', async () => {
    const { server, client } = await connect((_connection, index) => (index === 0 ? 'answer' : 'hang'), 300);
    expect(await client.send()).toBe(true);
    await expect(client.send()).rejects.toThrow(/timeout|deadline/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect({ connections: server.connections, requests: server.requests }).toEqual({ connections: 1, requests: 2 });
  });

  it('keeps one deadline for the request and its repetition', async () => {
    const { server, client } = await connect((connection, index) => (connection === 0 ? (index === 0 ? 'answer' : 'close') : 'hang'), 300);
    expect(await client.send()).toBe(true);
    const started = Date.now();
    await expect(client.send()).rejects.toThrow(/timeout|deadline/);
    expect(Date.now() - started).toBeLessThan(1500);
    expect({ connections: server.connections, requests: server.requests }).toEqual({ connections: 2, requests: 3 });
  });
});

it('reports a closed new connection as a retryable transport failure of the bot API client', async () => {
  const server = await rawServer(() => 'close');
  const failure = await postJson(`${server.url}converse`, {}, { headers: {}, timeoutMs: 2000 }).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(TransportError);
  expect(failure).toMatchObject({ code: 'ECONNRESET', timedOut: false, retryable: true, cause: { code: 'ECONNRESET' } });
});

it('closes a kept-alive connection after 4 s idle, before a server with Node\'s 5 s keep-alive timeout would', async () => {
  const server = await rawServer(() => 'answer');
  const client = clients['the bot API client (postJson)']!(server.url, 2000);
  expect(await client.send()).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 4300));
  expect(await client.send()).toBe(true);
  expect({ connections: server.connections, requests: server.requests }).toEqual({ connections: 2, requests: 2 });
}, 10_000);
