/**
 * LOG_LEVEL=debug with the Slack SDK's own debug lines: its pre-formatted "http request result"
 * and "http request body" lines, and Bolt's dump of every incoming body, must not carry a
 * users.info answer's email, the bot token or the signing secret past the bridge's redaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebClient, sanitizeSdkLine } from '../../adapters/slack/web-client.js';
import { FakeSlackApi, fakeSlackApiUrl } from './support/fake-slack-api.js';
import { postEvent } from './support/signed-requests.js';
import { fixture } from './support/slack-fixtures.js';
import { signingSecret, startSlackHarness, testSlackEnv } from './support/slack-harness.js';
import { capturingLogger } from '../support/silent-logger.js';

const api = new FakeSlackApi();
const email = 'spengler@ghostbusters.example.com';
beforeAll(() => api.listen());
afterAll(() => api.close());

function expectNothingSecret(lines: string[]): void {
  const text = lines.join('\n');
  expect(text).not.toContain(email);
  expect(text).not.toMatch(/@ghostbusters/);
  expect(text).not.toContain(testSlackEnv.botToken);
  expect(text).not.toContain(signingSecret);
}

describe('Slack SDK debug logs', () => {
  it('a users.info call at debug level logs neither the email nor the token', async () => {
    expect(JSON.stringify(fixture('users-info'))).toContain(email);
    const log = capturingLogger({ level: 'debug' });
    const client = createWebClient({ ...testSlackEnv, apiUrl: fakeSlackApiUrl }, log.logger);
    const answer = await client.users.info({ user: 'U2147483697' });
    expect(answer.user?.profile?.email).toBe(email);
    expect(log.lines.some((line) => line.includes('slack-sdk'))).toBe(true); // the SDK did log at debug
    expectNothingSecret(log.lines);
  });

  it('a DM through the route (Bolt logs the body, users.info fetches the profile) leaks nothing at debug level', async () => {
    api.reset();
    const log = capturingLogger({ level: 'debug' });
    const harness = await startSlackHarness({ logger: log.logger });
    try {
      const response = await postEvent(harness.eventsUrl, fixture('event-message-im'), { secret: signingSecret });
      expect(response.status).toBe(200);
      const event = await harness.sink.nthVisitorEvent(1);
      await harness.adapter.requesterProfile!(event.address, event.requester);
      await api.waitForCalls('users.info');
      expectNothingSecret(log.lines);
    } finally {
      await harness.close();
    }
  });

  it.each([
    ['http request result: {"ok":true,"user":{"profile":{"email":"a@b.example"}}}', 'http request result: [payload omitted]'],
    ['{"type":"event_callback","event":{"text":"mail me: a@b.example"}}', '[payload omitted]'],
    ['apiCall(\'users.info\') start', "apiCall('users.info') start"],
    ['An API error occurred: invalid_auth for xoxb-123-abc', 'An API error occurred: invalid_auth for [token]'],
    ['contact a.b+c@d.example now', 'contact [email] now'],
  ])('sanitizeSdkLine(%j)', (line, expected) => {
    expect(sanitizeSdkLine(line)).toBe(expected);
  });
});
