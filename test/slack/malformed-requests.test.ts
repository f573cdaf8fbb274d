/**
 * Correctly signed requests on POST /slack/events that Bolt cannot classify or that the bridge
 * does not handle: never a 5xx, never a wait for Slack's 3-second timeout.
 */
import { describe, expect, it } from 'vitest';
import { FakeSlackApi } from './support/fake-slack-api.js';
import { postCommand, signatureHeaders } from './support/signed-requests.js';
import { fixture } from './support/slack-fixtures.js';
import { signingSecret, useSlackHarness, type SlackHarness } from './support/slack-harness.js';

const api = new FakeSlackApi();
let harness: SlackHarness;
useSlackHarness(api, (started) => (harness = started));

/** POST a raw body with a valid signature. */
function postSigned(body: string, contentType = 'application/json', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(harness.eventsUrl, { method: 'POST', headers: { 'content-type': contentType, ...signatureHeaders(signingSecret, body), ...headers }, body });
}

const eventCallback = { token: 'x', team_id: 'T123ABC456', api_app_id: 'A1', type: 'event_callback', event_id: 'Ev1', event_time: 1 };

describe('signed bodies Bolt cannot classify', () => {
  it.each([
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"hello"'],
    ['an array', '[1,2]'],
    ['an empty object', '{}'],
    ['an event that is a string', JSON.stringify({ ...eventCallback, event: 'message' })],
    ['an event that is null', JSON.stringify({ ...eventCallback, event: null })],
    ['an event_callback without event', JSON.stringify(eventCallback)],
    ['an event without a type', JSON.stringify({ ...eventCallback, event: { text: 'hi' } })],
    ['an event whose channel is a number', JSON.stringify({ ...eventCallback, event: { type: 'message', channel: 1e308 } })],
    ['an event whose user is null', JSON.stringify({ ...eventCallback, event: { type: 'message', user: null } })],
    ['authorizations holding null', JSON.stringify({ ...eventCallback, authorizations: [null], event: { type: 'message', channel: 'D1' } })],
    ['block_actions whose team is a number', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', team: 5, user: { id: 'U1' }, actions: [{ action_id: 'a' }] }))}`, 'application/x-www-form-urlencoded'],
    ['block_actions without actions', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U1' }, actions: [] }))}`, 'application/x-www-form-urlencoded'],
    ['a payload that is not JSON', `payload=${encodeURIComponent('{nope')}`, 'application/x-www-form-urlencoded'],
    ['a payload that is null', `payload=null`, 'application/x-www-form-urlencoded'],
  ])('%s → 400 at once, nothing handed over', async (_name, body, contentType = 'application/json') => {
    const started = Date.now();
    const response = await postSigned(body, contentType);
    expect(response.status).toBe(400);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(harness.sink.visitorEvents).toEqual([]);
  });

  it.each([
    ['a shortcut', `payload=${encodeURIComponent(JSON.stringify({ type: 'shortcut', callback_id: 'x', trigger_id: 't', user: { id: 'U1' }, team: { id: 'T1' } }))}`, 'application/x-www-form-urlencoded'],
    ['a view_closed', `payload=${encodeURIComponent(JSON.stringify({ type: 'view_closed', user: { id: 'U1' }, view: {} }))}`, 'application/x-www-form-urlencoded'],
    ['app_rate_limited', JSON.stringify({ token: 'x', type: 'app_rate_limited', team_id: 'T1', minute_rate_limited: 1518467820, api_app_id: 'A1' }), 'application/json'],
    ['an event type nobody listens to', JSON.stringify({ ...eventCallback, event: { type: 'reaction_added', user: 'U1', reaction: 'x', item: {} } }), 'application/json'],
  ])('%s (a shape Slack may send) → 200 at once', async (_name, body, contentType) => {
    const started = Date.now();
    const response = await postSigned(body, contentType);
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('still answers an unsigned body 401, and a gzip-labelled one 415', async () => {
    const unsigned = await fetch(harness.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'null' });
    expect(unsigned.status).toBe(401);
    const gzip = await postSigned(JSON.stringify({ ...eventCallback, event: { type: 'message' } }), 'application/json', { 'content-encoding': 'gzip' });
    expect(gzip.status).toBe(415);
  });
});

describe('slash commands', () => {
  const command = (overrides: Record<string, string>) => ({ ...(fixture('slash-command') as Record<string, string>), ...overrides });

  it('answers an unknown command at once with an ephemeral "unknown command"', async () => {
    const started = Date.now();
    const response = await postCommand(harness.eventsUrl, command({ command: '/weather', text: 'berlin' }), { secret: signingSecret });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_500);
    const answer = (await response.json()) as { response_type: string; text: string };
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/unknown command/i);
    expect(answer.text).toContain('/weather');
  });

  it.each([[''], ['   '], ['`']])('answers /resolve with text %j at once with the usage line', async (text) => {
    const fields = command({ command: '/resolve', text });
    const started = Date.now();
    const response = await postCommand(harness.eventsUrl, fields, { secret: signingSecret });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(((await response.json()) as { text: string }).text).toMatch(/^Usage: \/resolve <ticket id>/);
  });

  it('answers /resolve without a text field at all with the usage line', async () => {
    const { text: _dropped, ...fields } = command({ command: '/resolve' });
    const response = await postCommand(harness.eventsUrl, fields, { secret: signingSecret });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { text: string }).text).toMatch(/^Usage: \/resolve <ticket id>/);
  });
});
