/**
 * The Slack desk side against the Web API (msw): ticket posts and their in-place updates, posts
 * into ticket threads as the requester, presence from channel members and users.getPresence
 * (paginated, bots and deactivated users left out, 429s ending a read without an error and
 * honouring Retry-After on a fixed clock, refusals), and permalinks to requester threads.
 */
import { describe, expect, it } from 'vitest';
import { threadAddress } from '../../adapters/slack/thread-address.js';
import { DeliveryError } from '../../src/core/errors.js';
import { FakeSlackApi, fakeBot, rateLimited } from './support/fake-slack-api.js';
import { sampleTicket } from './support/sample-ticket.js';
import { fixture } from './support/slack-fixtures.js';
import { useSlackHarness, type SlackHarness } from './support/slack-harness.js';
import { deliveryContext } from '../support/delivery-context.js';

const api = new FakeSlackApi();
let harness: SlackHarness;
let clock = 1_700_000_000_000;
useSlackHarness(api, (started) => (harness = started), { now: () => clock });

const desk = { id: 'it-helpdesk', channel: 'C0DESK0001' };
const ticket = sampleTicket({ transcript: [{ from: 'requester', text: 'Help', at: 1 }] });

/** Desk channel members: two pages; the bridge's bot, another bot, a deactivated user and three people. */
function deskWorkspace(presence: Record<string, string | Response>): void {
  api.on('conversations.members', (args) =>
    args.cursor === 'page-2'
      ? { members: ['UHUMAN3', 'UDELETED'], response_metadata: { next_cursor: '' } }
      : { members: [fakeBot.userId, 'UHUMAN1', 'UOTHERBOT', 'UHUMAN2'], response_metadata: { next_cursor: 'page-2' } },
  );
  api.on('users.info', (args) => {
    const info = fixture('users-info');
    info.user.id = args.user;
    info.user.is_bot = args.user === 'UOTHERBOT' || args.user === fakeBot.userId;
    info.user.deleted = args.user === 'UDELETED';
    return info;
  });
  api.on('users.getPresence', (args) => {
    const answer = presence[args.user as string] ?? 'away';
    return answer instanceof Response ? answer : { presence: answer };
  });
}

/** What one read of the desk side reports, by member. */
async function readings(userIds: string[]): Promise<Record<string, boolean>> {
  const read: Record<string, boolean> = {};
  await harness.adapter.desk!.presence.readPresence({ desk, userIds, onReading: (userId, present) => (read[userId] = present) });
  return read;
}

describe('Slack desk side', () => {
  it('posts a ticket in the desk channel and returns its thread', async () => {
    const thread = await harness.adapter.desk!.postTicket(desk, ticket);
    const [post] = api.callsOf('chat.postMessage');
    expect(post!.args.channel).toBe('C0DESK0001');
    expect(post!.args.text).toBe('Ticket from Egon Spengler (Slack): Waiting for an agent');
    expect(post!.args.blocks.at(-1).elements.map((button: { action_id: string }) => button.action_id)).toEqual(['bridge.ticket.claim', 'bridge.ticket.resolve', 'bridge.ticket.return']);
    expect(thread).toEqual(threadAddress({ team: fakeBot.teamId, channel: 'C0DESK0001', threadTs: '1700000000.000001' }));
  });

  it('updates the ticket post in place', async () => {
    const thread = await harness.adapter.desk!.postTicket(desk, ticket);
    await harness.adapter.desk!.updateTicket(thread, { ...ticket, state: 'resolved', assignee: { id: 'U9', name: 'Dana' } });
    const [update] = api.callsOf('chat.update');
    expect(update!.args).toMatchObject({ channel: 'C0DESK0001', ts: '1700000000.000001', text: 'Ticket from Egon Spengler (Slack): Resolved (Dana)' });
    expect(update!.args.blocks.some((block: { type: string }) => block.type === 'actions')).toBe(false);
  });

  it('posts into the ticket thread under the sender name', async () => {
    const thread = await harness.adapter.desk!.postTicket(desk, ticket);
    await harness.adapter.desk!.postToTicket(thread, { kind: 'text', text: 'It still does not boot', buttons: [], sender: { name: 'Egon Spengler' } }, deliveryContext());
    const relayed = api.callsOf('chat.postMessage')[1]!;
    expect(relayed.args).toMatchObject({ channel: 'C0DESK0001', thread_ts: '1700000000.000001', username: 'Egon Spengler', text: 'It still does not boot' });
  });

  it('fails a ticket post Slack refuses with a non-retryable DeliveryError', async () => {
    api.on('chat.postMessage', () => ({ ok: false, error: 'channel_not_found' }));
    const error = await harness.adapter.desk!.postTicket(desk, ticket).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: false, platformCode: 'channel_not_found' });
  });

  it('lists the human members of the desk channel across pages and reads whether each is active', async () => {
    deskWorkspace({ UHUMAN1: 'active', UHUMAN2: 'away', UHUMAN3: 'active' });
    const members = await harness.adapter.desk!.presence.members(desk);
    expect(members).toEqual(['UHUMAN1', 'UHUMAN2', 'UHUMAN3']);
    expect(api.callsOf('conversations.members').map((call) => call.args.cursor)).toEqual([undefined, 'page-2']);
    expect(await readings(members)).toEqual({ UHUMAN1: true, UHUMAN2: false, UHUMAN3: true });
  });

  it('reports the members Slack answered for when others are rate limited, and throws for none only on a refusal', async () => {
    deskWorkspace({ UHUMAN1: 'active', UHUMAN2: rateLimited(30), UHUMAN3: 'away' });
    expect(await readings(['UHUMAN1', 'UHUMAN2', 'UHUMAN3'])).toEqual({ UHUMAN1: true, UHUMAN3: false });
    clock += 31_500; // the 429's 30 s, then 1.5 s for a token
    api.on('users.getPresence', () => ({ ok: false, error: 'user_not_found' }));
    await expect(readings(['UHUMAN1'])).rejects.toMatchObject({ platformCode: 'user_not_found' });
  });

  it('answers nothing and asks nothing more while a 429 lasts, then asks again', async () => {
    deskWorkspace({ UHUMAN1: rateLimited(20) });
    expect(await readings(['UHUMAN1'])).toEqual({});
    clock += 19_999;
    deskWorkspace({ UHUMAN1: 'active' });
    expect(await readings(['UHUMAN1'])).toEqual({});
    expect(api.callsOf('users.getPresence')).toHaveLength(1);
    clock += 1;
    expect(await readings(['UHUMAN1'])).toEqual({});
    clock += 1_500; // the bucket was emptied by the 429: one token after 1.5 s at 40 a minute
    expect(await readings(['UHUMAN1'])).toEqual({ UHUMAN1: true });
  });

  it('links to a requester channel thread, not to a DM', async () => {
    api.on('chat.getPermalink', (args) => ({ channel: args.channel, permalink: `https://acme.slack.com/archives/${args.channel}/p${String(args.message_ts).replace('.', '')}` }));
    const link = await harness.adapter.desk!.linkTo!(threadAddress({ team: 'T123ABC456', channel: 'C123ABC456', threadTs: '1515449522.000016' }));
    expect(link).toBe('https://acme.slack.com/archives/C123ABC456/p1515449522000016');
    expect(await harness.adapter.desk!.linkTo!(threadAddress({ team: 'T123ABC456', channel: 'D024BE91L' }))).toBeUndefined();
    expect(api.callsOf('chat.getPermalink')).toHaveLength(1);
  });
});
