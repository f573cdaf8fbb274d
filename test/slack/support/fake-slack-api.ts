/**
 * Slack's Web API for tests, served by msw at SLACK_API_URL (https://slack.test/api/). Every call
 * is recorded with its decoded arguments (form fields; JSON-looking ones parsed), and each method
 * answers with a responder the test can replace (a JSON body, or a full Response for 429/500).
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { fixture, type Json } from './slack-fixtures.js';
import { waitUntil } from './wait-until.js';

/** The Web API base the adapter under test is pointed at. */
export const fakeSlackApiUrl = 'https://slack.test/api/';

/** One recorded Web API call. */
export interface SlackCall {
  method: string;
  args: Json;
  authorization: string | null;
}

/** What a method answers: a JSON body (ok:true added when absent) or a complete Response. */
export type Responder = (args: Json, call: number) => Json | Response | Promise<Json | Response>;

/** The bot the fake workspace knows (the user mentioned in the app_mention fixture). */
export const fakeBot = { userId: 'U0LAN0Z89', botId: 'B0LAN0Z89', teamId: 'T123ABC456' };

/** A fake Slack Web API. */
export class FakeSlackApi {
  readonly calls: SlackCall[] = [];
  private readonly responders = new Map<string, Responder>();
  private counters = new Map<string, number>();
  private posted = 0;
  readonly server: ReturnType<typeof setupServer>;

  constructor() {
    this.reset();
    this.server = setupServer(
      http.post(`${fakeSlackApiUrl}:method`, async ({ request, params }) => {
        const method = String(params.method);
        const args = decodeArgs(await request.text());
        this.calls.push({ method, args, authorization: request.headers.get('authorization') });
        const count = (this.counters.get(method) ?? 0) + 1;
        this.counters.set(method, count);
        const responder = this.responders.get(method);
        if (!responder) return HttpResponse.json({ ok: false, error: 'unknown_method' });
        const answer = await responder(args, count);
        return answer instanceof Response ? answer : HttpResponse.json({ ok: true, ...answer });
      }),
    );
  }

  /** Default answers for the methods the adapter uses. */
  reset(): void {
    this.calls.length = 0;
    this.posted = 0;
    this.counters = new Map();
    this.responders.clear();
    this.on('auth.test', () => ({ user_id: fakeBot.userId, bot_id: fakeBot.botId, team_id: fakeBot.teamId, team: 'Fake', user: 'bridge' }));
    this.on('users.info', (args) => {
      const info = fixture('users-info');
      info.user.id = args.user;
      return info;
    });
    this.on('chat.postMessage', (args) => ({ channel: args.channel, ts: `1700000000.${String(++this.posted).padStart(6, '0')}`, message: { text: args.text } }));
    this.on('chat.update', (args) => ({ channel: args.channel, ts: args.ts }));
    this.on('chat.postEphemeral', () => ({ message_ts: '1700000001.000001' }));
  }

  /** Replace a method's answer. */
  on(method: string, responder: Responder): void {
    this.responders.set(method, responder);
  }

  /** Recorded calls of one method. */
  callsOf(method: string): SlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Wait until a method was called `count` times; returns those calls. */
  waitForCalls(method: string, count = 1): Promise<SlackCall[]> {
    return waitUntil(() => {
      const calls = this.callsOf(method);
      return calls.length >= count ? calls : undefined;
    }, `${count} call(s) of ${method}`);
  }

  /** Start intercepting (requests to anything but the fake API pass through, e.g. the test's own server). */
  listen(): void {
    this.server.listen({
      onUnhandledRequest: (request, print) => {
        if (new URL(request.url).hostname === 'slack.test') print.error();
      },
    });
  }

  /** Stop intercepting. */
  close(): void {
    this.server.close();
  }
}

/** A rate-limited answer, as Slack sends it. */
export function rateLimited(retryAfterSeconds: number): Response {
  return new Response(JSON.stringify({ ok: false, error: 'ratelimited' }), {
    status: 429,
    headers: { 'content-type': 'application/json', 'retry-after': String(retryAfterSeconds) },
  });
}

function decodeArgs(body: string): Json {
  const args: Json = {};
  for (const [key, value] of new URLSearchParams(body)) {
    args[key] = parseJsonField(value);
  }
  return args;
}

/** The SDK sends objects and arrays as JSON strings; other fields (a text like "[A | B]") stay strings. */
function parseJsonField(value: string): unknown {
  if (!/^[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value; // text that merely starts with a bracket
  }
}
