/**
 * Loopback stand-ins for the APIs the bridge calls in end-to-end tests: Ultimate's Chat API and
 * the Slack Web API (the shapes of Slack's documented answers). Each records every request.
 */
import { fixture } from '../slack/support/slack-fixtures.js';
import { startFakeServer, type FakeServer, type RecordedRequest, type ScriptedResponse } from './fake-http-server.js';

/** The bot's Slack identity in the fake workspace. */
export const fakeBotUserId = 'UBOTBRIDGE';

/** A fake Ultimate Chat API that accepts every event. */
export function startFakeUltimate(): Promise<FakeServer> {
  return startFakeServer(() => ({ body: {} }));
}

/** A fake Slack Web API; `override` may answer a method differently (return undefined for the default). */
export function startFakeSlack(
  override: (request: RecordedRequest) => ScriptedResponse | undefined = () => undefined,
  names: Record<string, string> = {},
): Promise<FakeServer> {
  let ts = 1_700_000_000;
  return startFakeServer((request) => {
    const custom = override(request);
    if (custom) return custom;
    const method = request.path.replace(/^\/api\//, '');
    switch (method) {
      case 'auth.test':
        return { body: { ok: true, user_id: fakeBotUserId, bot_id: 'BBRIDGE', team_id: 'T123ABC456', user: 'bridge' } };
      case 'users.info': {
        const answer = fixture('users-info');
        answer.user.id = String(request.body.user);
        const name = names[answer.user.id];
        if (name) answer.user.real_name = answer.user.profile.real_name = answer.user.profile.display_name = name;
        return { body: answer };
      }
      case 'chat.postMessage':
        ts += 1;
        return { body: { ok: true, channel: request.body.channel, ts: `${ts}.000100`, message: { text: request.body.text } } };
      case 'chat.getPermalink':
        return { body: { ok: true, permalink: `https://example.slack.com/archives/${String(request.body.channel)}/p${String(request.body.message_ts).replace('.', '')}` } };
      default:
        return { body: { ok: true } };
    }
  });
}

/** Requests to one Slack method, in order. */
export function slackCalls(slack: FakeServer, method: string): RecordedRequest[] {
  return slack.requests.filter((request) => request.path === `/api/${method}`);
}
