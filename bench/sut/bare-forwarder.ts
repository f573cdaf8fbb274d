/**
 * Child-process entry: the "bare" baseline, the practical limit of a Node process doing the
 * job. `node:http` only: a Slack event gets its v0 signature checked (HMAC, timingSafeEqual,
 * 5-minute window), its JSON parsed, an ack, and one forward to the Chat API; an Ultimate
 * webhook gets its Bearer token checked, its JSON parsed, and a sendMessage is forwarded to
 * chat.postMessage. Conversations are one Map each way, nothing else: no dedupe, no store.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { baselineSettings, bearerTokenCheck, type BaselineSettings } from './baseline-settings.js';
import { listenOnLoopback } from '../loopback.js';
import { serveChild } from './child-control.js';
import { ConversationIds } from './conversation-ids.js';

const maxBodyBytes = 256 * 1024;

serveChild(async () => {
  const settings = baselineSettings();
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const conversations = new ConversationIds();
  const tokenOk = bearerTokenCheck(settings.webhookToken);
  const forward = forwarder(agent);

  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    readBody(req).then(
      (body) => {
        try {
          if (req.method === 'POST' && req.url === '/slack/events') return slackEvent(req, res, body);
          if (req.method === 'POST' && req.url?.startsWith('/converse-webhook')) return converseWebhook(req, res, body);
          reply(res, 404, { error: 'not_found' });
        } catch (error) {
          if (!res.headersSent) reply(res, 400, { error: 'invalid_request', message: (error as Error).message });
        }
      },
      () => reply(res, 413, { error: 'too_large' }),
    );
  });

  function slackEvent(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    if (!validSlackSignature(req, body, settings)) return reply(res, 401, { error: 'invalid_signature' });
    const payload = JSON.parse(body.toString('utf8')) as { type?: string; challenge?: string; event?: { type?: string; channel?: string; text?: string; subtype?: string } };
    if (payload.type === 'url_verification') return reply(res, 200, { challenge: payload.challenge });
    reply(res, 200, {});
    const event = payload.event;
    if (payload.type !== 'event_callback' || event?.type !== 'message' || event.subtype || !event.channel) return;
    forward(`${settings.chatApiUrl}/converse/chat`, { Authorization: settings.ultimateApiKey, botid: settings.ultimateBotId }, {
      platformConversationId: conversations.idFor(event.channel),
      eventType: 'message',
      text: event.text ?? '',
    });
  }

  function converseWebhook(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    if (!tokenOk(req.headers.authorization)) return reply(res, 401, { error: 'unauthorized' });
    const data = (JSON.parse(body.toString('utf8')) as { data?: { eventType?: string; platformConversationId?: string; text?: string } }).data;
    if (data?.eventType === 'isTeamOnline') return reply(res, 200, { isOnline: true });
    if (data?.eventType !== 'sendMessage') return reply(res, 400, { error: 'unsupported' });
    const channel = conversations.channelOf(data.platformConversationId ?? '');
    if (!channel) return reply(res, 404, { error: 'conversation_not_found' });
    reply(res, 200, {});
    forward(`${settings.slackApiUrl}chat.postMessage`, { Authorization: `Bearer ${settings.botToken}` }, { channel, text: data.text ?? '' });
  }

  return listenOnLoopback(server, () => agent.destroy());
});

function validSlackSignature(req: IncomingMessage, body: Buffer, settings: BaselineSettings): boolean {
  const timestamp = Number(req.headers['x-slack-request-timestamp']);
  const signature = req.headers['x-slack-signature'];
  if (!Number.isFinite(timestamp) || typeof signature !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - timestamp) > 300) return false;
  const expected = Buffer.from(`v0=${createHmac('sha256', settings.signingSecret).update(`v0:${timestamp}:`).update(body).digest('hex')}`);
  const presented = Buffer.from(signature);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** POST JSON with a keep-alive agent and a timeout; failures go to stderr (the run counts missing arrivals). */
function forwarder(agent: Agent): (url: string, headers: Record<string, string>, body: unknown) => void {
  return (url, headers, body) => {
    const text = JSON.stringify(body);
    const outgoing = request(url, {
      method: 'POST',
      agent,
      timeout: 10_000,
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
    });
    outgoing.on('response', (response) => response.resume());
    outgoing.on('timeout', () => outgoing.destroy(new Error('forward timed out')));
    outgoing.on('error', (error) => process.stderr.write(`bare forwarder: ${error.message}\n`));
    outgoing.end(text);
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
