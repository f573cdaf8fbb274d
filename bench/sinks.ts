/**
 * The sink servers the systems under test talk to, on 127.0.0.1 only: a fake Ultimate Chat API
 * (`POST /converse/chat` → 200 `{}`) and a fake Slack Web API (`chat.postMessage`, `users.info`,
 * `auth.test`, the desk's `conversations.members` and `users.getPresence`; anything else
 * `{ok:true}`). Each request's arrival is stamped when its headers arrive and routed by the
 * correlation token in its body to the run that sent it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { nowNs, type TraceBook } from './correlation.js';
import { listenOnLoopback } from './loopback.js';
import { benchIdentity } from './payloads.js';

/** A running sink server. */
export interface Sink {
  url: string;
  /** Requests seen, by route. */
  counts: Map<string, number>;
  /** TCP connections accepted: many per request means the client does not keep connections alive. */
  connections(): number;
  close(): Promise<void>;
}

/** Both sinks. */
export interface Sinks {
  chat: Sink;
  slack: Sink;
  close(): Promise<void>;
}

const maxBodyBytes = 1024 * 1024;

/** Start both sinks; arrivals are recorded in `book`. */
export async function startSinks(book: TraceBook): Promise<Sinks> {
  const chat = await startSink((route, body, arrivedAt) => {
    if (route !== 'POST /converse/chat') return { status: 404, body: { error: 'not_found' } };
    book.arrive(body, arrivedAt, platformConversationIdOf(body));
    return { status: 200, body: {} };
  });
  let tsCounter = 0;
  const slack = await startSink((route, body, arrivedAt) => {
    const method = route.startsWith('POST /api/') ? route.slice('POST /api/'.length) : '';
    switch (method) {
      case 'chat.postMessage': {
        book.arrive(body, arrivedAt);
        tsCounter += 1;
        const ts = `${Math.floor(Date.now() / 1000)}.${String(tsCounter % 1_000_000).padStart(6, '0')}`;
        return { status: 200, body: { ok: true, channel: fieldOf(body, 'channel') ?? benchIdentity.deskChannel, ts, message: { type: 'message', ts } } };
      }
      case 'auth.test':
        return {
          status: 200,
          body: { ok: true, url: 'https://bench.slack.com/', team: 'Bench', user: 'benchbot', team_id: benchIdentity.teamId, user_id: benchIdentity.botUserId, bot_id: benchIdentity.botId, is_enterprise_install: false },
        };
      case 'users.info':
        return { status: 200, body: { ok: true, user: slackUser(fieldOf(body, 'user') ?? 'U0UNKNOWN') } };
      case 'bots.info':
        return { status: 200, body: { ok: true, bot: { id: benchIdentity.botId, user_id: benchIdentity.botUserId, name: 'benchbot', deleted: false } } };
      case 'conversations.members':
        return { status: 200, body: { ok: true, members: [...benchIdentity.deskMembers], response_metadata: { next_cursor: '' } } };
      case 'users.getPresence':
        return { status: 200, body: { ok: true, presence: 'active', online: true, auto_away: false, manual_away: false, connection_count: 1 } };
      case '':
        return { status: 404, body: { ok: false, error: 'unknown_method' } };
      default:
        return { status: 200, body: { ok: true } };
    }
  });
  return { chat, slack, close: async () => void (await Promise.all([chat.close(), slack.close()])) };
}

/** A users.info user as Slack's documentation shows one (anonymised). */
function slackUser(id: string): Record<string, unknown> {
  return {
    id,
    team_id: benchIdentity.teamId,
    name: `user.${id.toLowerCase()}`,
    deleted: false,
    real_name: `Bench User ${id}`,
    tz: 'Europe/Berlin',
    tz_offset: 3600,
    locale: 'en-US',
    is_bot: false,
    is_app_user: false,
    profile: { real_name: `Bench User ${id}`, display_name: id, email: `${id.toLowerCase()}@bench.example`, image_72: 'https://bench.example/a72.png', image_192: 'https://bench.example/a192.png' },
  };
}

type Handler = (route: string, body: string, arrivedAt: bigint) => { status: number; body: unknown };

async function startSink(handle: Handler): Promise<Sink> {
  const counts = new Map<string, number>();
  const server: Server = createServer({ keepAliveTimeout: 30_000 }, (req: IncomingMessage, res: ServerResponse) => {
    const arrivedAt = nowNs();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      const route = `${req.method ?? 'GET'} ${(req.url ?? '/').split('?')[0]}`;
      counts.set(route, (counts.get(route) ?? 0) + 1);
      const answer = size > maxBodyBytes ? { status: 413, body: { ok: false, error: 'too_large' } } : handle(route, Buffer.concat(chunks).toString('utf8'), arrivedAt);
      const text = JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  const listening = await listenOnLoopback(server);
  return { url: listening.url, counts, connections: () => connections, close: () => listening.stop() };
}

/** A field of a JSON or form-encoded body, without parsing the whole body twice. */
function fieldOf(body: string, name: string): string | undefined {
  if (body.startsWith('{')) {
    const value = (JSON.parse(body) as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  }
  return new URLSearchParams(body).get(name) ?? undefined;
}

function platformConversationIdOf(body: string): string | undefined {
  const match = /"platformConversationId":"([^"]+)"/.exec(body);
  return match?.[1];
}
