/**
 * Slack end to end through the real routes: signed Slack payloads in, the Ultimate Chat API and the
 * Slack Web API as loopback servers out. A DM reaches the bot with the requester's profile; the
 * bot's buttons and carousel render as Block Kit; clicks come back as text and cardIndex.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, type Json } from '../slack/support/slack-fixtures.js';
import { postEvent, postInteraction } from '../slack/support/signed-requests.js';
import { startBridgeUnderTest, type BridgeUnderTest } from '../support/bridge-under-test.js';
import type { FakeServer } from '../support/fake-http-server.js';
import { slackCalls, startFakeSlack, startFakeUltimate } from '../support/fake-platforms.js';
import { pollFor } from '../support/poll.js';

const secret = 'slack-flow-signing-secret';
const limitedUser = 'U0LIMITED1';
const token = 'slack-flow-webhook-token';
let ultimate: FakeServer;
let slack: FakeServer;
let bridge: BridgeUnderTest;

beforeAll(async () => {
  ultimate = await startFakeUltimate();
  // users.info is rate limited for one requester: their message still reaches the bot.
  slack = await startFakeSlack((request) =>
    request.path === '/api/users.info' && request.body.user === limitedUser ? { status: 429, headers: { 'retry-after': '30' }, body: { ok: false, error: 'ratelimited' } } : undefined,
  );
  bridge = await startBridgeUnderTest({
    BOT_BACKEND: 'ultimate',
    ULTIMATE_API_URL: ultimate.url,
    ULTIMATE_API_KEY: 'ultimate-key',
    ULTIMATE_BOT_ID: 'bot-1',
    WEBHOOK_TOKEN: token,
    SLACK_BOT_TOKEN: 'xoxb-flow',
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: `${slack.url}/api/`,
  });
});
afterAll(async () => {
  await bridge.stop();
  await Promise.all([ultimate.close(), slack.close()]);
});

function dm(eventId: string, text: string): Json {
  const event = fixture('event-message-im');
  event.event_id = eventId;
  event.event.text = text;
  return event;
}

const converseWith = (text: string) => pollFor(() => ultimate.requests.find((request) => request.body.text === text), `Converse "${text}"`);

async function botSays(conversationId: string, data: Record<string, unknown>): Promise<Json> {
  const before = slackCalls(slack, 'chat.postMessage').length;
  const response = await fetch(`${bridge.url}/converse-webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ botId: 'bot-1', data: { eventType: 'sendMessage', platformConversationId: conversationId, buttons: [], carouselCards: [], ...data } }),
  });
  expect(response.status).toBe(200);
  return (await pollFor(() => slackCalls(slack, 'chat.postMessage')[before], 'chat.postMessage')).body;
}

/** Every block, including cards nested in carousels. */
function allBlocks(blocks: Json[]): Json[] {
  return blocks.flatMap((block) => (block.type === 'carousel' ? [block, ...allBlocks(block.elements as Json[])] : [block]));
}

function buttonsOf(posted: Json): Json[] {
  return allBlocks(posted.blocks as Json[])
    .flatMap((block) => [...(block.type === 'actions' ? block.elements : []), ...(block.actions ?? [])] as Json[])
    .filter((element) => element.type === 'button');
}

function blockIdOf(posted: Json, actionId: string): string {
  const holder = allBlocks(posted.blocks as Json[]).find((block) =>
    [...(block.type === 'actions' ? block.elements : []), ...(block.actions ?? [])].some((element: Json) => element.action_id === actionId),
  );
  return (holder?.block_id as string | undefined) ?? 'card';
}

function click(posted: Json, button: Json, messageTs: string): Json {
  const payload = fixture('block-actions');
  payload.user = { id: 'U2147483697', username: 'egon', name: 'egon', team_id: 'T123ABC456' };
  payload.team = { id: 'T123ABC456', domain: 'example' };
  payload.channel = { id: posted.channel, name: 'directmessage' };
  payload.container = { type: 'message', message_ts: messageTs, channel_id: posted.channel, is_ephemeral: false };
  payload.message = { type: 'message', ts: messageTs, bot_id: 'BBRIDGE', text: posted.text, blocks: posted.blocks };
  payload.actions = [{ ...button, block_id: blockIdOf(posted, button.action_id as string), action_ts: '1700000002.000100' }];
  return payload;
}

describe('Slack with the Ultimate bot', () => {
  let conversationId: string;

  it('sends a DM to the bot as a message with the requester profile as metaData', async () => {
    expect((await postEvent(`${bridge.url}/slack/events`, dm('EvFlow1', 'I need a new laptop'), { secret })).status).toBe(200);
    const converse = await converseWith('I need a new laptop');
    conversationId = converse.body.platformConversationId as string;
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(converse.headers.authorization).toBe('ultimate-key');
    expect(converse.headers.botid).toBe('bot-1');
    expect(converse.body).toMatchObject({ eventType: 'message', text: 'I need a new laptop' });
    expect(converse.body.metaData).toEqual(
      expect.arrayContaining([
        { key: 'platform', value: 'slack' },
        { key: 'userId', value: 'U2147483697' },
        { key: 'name', value: 'Egon Spengler' },
        { key: 'email', value: 'spengler@ghostbusters.example.com', sanitize: true },
      ]),
    );
  });

  it('sends the message of a requester whose profile Slack would not give, with what the event says of them', async () => {
    const event = dm('EvFlowLimited', 'my badge does not work');
    event.event.user = limitedUser;
    event.event.channel = 'D0LIMITED1';
    expect((await postEvent(`${bridge.url}/slack/events`, event, { secret })).status).toBe(200);
    const converse = await converseWith('my badge does not work');
    expect(converse.body.metaData).toEqual(expect.arrayContaining([{ key: 'platform', value: 'slack' }, { key: 'userId', value: limitedUser }]));
    expect(JSON.stringify(converse.body.metaData)).not.toMatch(/email|"name"/);
    expect(slackCalls(slack, 'users.info').filter((call) => call.body.user === limitedUser)).toHaveLength(1);
  });

  it('does not send a Slack retry of the same event to the bot twice', async () => {
    await postEvent(`${bridge.url}/slack/events`, dm('EvFlow1', 'I need a new laptop'), { secret, headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    await postEvent(`${bridge.url}/slack/events`, dm('EvFlow2', 'second message'), { secret });
    await converseWith('second message');
    expect(ultimate.requests.filter((request) => request.body.text === 'I need a new laptop')).toHaveLength(1);
  });

  it('renders buttons and sends a click back as the button text, updating the message in place', async () => {
    const posted = await botSays(conversationId, { type: 'text', text: 'Is it for **work**?', buttons: [{ type: 'button', text: 'YES' }, { type: 'button', text: 'NO' }] });
    expect(posted.channel).toBe('D024BE91L');
    expect(posted.text).toContain('Is it for');
    const no = buttonsOf(posted).find((button) => button.text.text === 'NO')!;
    const updatesBefore = slackCalls(slack, 'chat.update').length;
    expect((await postInteraction(`${bridge.url}/slack/events`, click(posted, no, '1700000001.000100'), { secret })).status).toBe(200);
    const converse = await converseWith('NO');
    expect(converse.body).toEqual({ platformConversationId: conversationId, eventType: 'message', text: 'NO' });
    const update = await pollFor(() => slackCalls(slack, 'chat.update')[updatesBefore], 'chat.update');
    expect(buttonsOf(update.body)).toEqual([]);
  });

  it('sends a carousel card click back with its cardIndex', async () => {
    const posted = await botSays(conversationId, {
      type: 'carousel',
      text: '',
      carouselCards: [
        { title: 'ThinkPad', description: '14 inch', imageUrl: 'https://example.com/a.png', buttons: [{ type: 'button', text: 'Pick' }] },
        { title: 'MacBook', description: '13 inch', imageUrl: 'https://example.com/b.png', buttons: [{ type: 'button', text: 'Pick' }] },
      ],
    });
    const picks = buttonsOf(posted).filter((button) => button.text.text === 'Pick');
    expect(picks).toHaveLength(2);
    await postInteraction(`${bridge.url}/slack/events`, click(posted, picks[1]!, '1700000002.000100'), { secret });
    const converse = await pollFor(() => ultimate.requests.find((request) => request.body.text === 'Pick'), 'the card click');
    expect(converse.body).toEqual({ platformConversationId: conversationId, eventType: 'message', text: 'Pick', cardIndex: 1 });

    // Dedupe is per message and button: the same click again is dropped, another card's button is not.
    await postInteraction(`${bridge.url}/slack/events`, click(posted, picks[1]!, '1700000002.000100'), { secret });
    await postInteraction(`${bridge.url}/slack/events`, click(posted, picks[0]!, '1700000002.000100'), { secret });
    await pollFor(() => ultimate.requests.find((request) => request.body.text === 'Pick' && request.body.cardIndex === 0), 'the other card click');
    await bridge.worker.idle();
    expect(ultimate.requests.filter((request) => request.body.text === 'Pick').map((request) => request.body.cardIndex)).toEqual([1, 0]);
  });
});
