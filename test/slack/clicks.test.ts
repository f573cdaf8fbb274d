/**
 * Button clicks through the real route: a message the adapter rendered and posted, clicked in a
 * real block_actions payload (signed, form-encoded), reaches the core as a message with the
 * button's text, card index and conversation; the message is updated in place without its reply
 * buttons; an ended conversation gets an ephemeral note; link buttons only get the ack.
 */
import { describe, expect, it } from 'vitest';
import type { ButtonElement } from '../../adapters/slack/block-kit.js';
import { endedClickNote } from '../../adapters/slack/click-handler.js';
import { threadAddress, threadOf } from '../../adapters/slack/thread-address.js';
import type { BotMessage } from '../../src/core/bot-message.js';
import type { ChannelAddress } from '../../src/core/visitor-event.js';
import { FakeSlackApi } from './support/fake-slack-api.js';
import { postInteraction } from './support/signed-requests.js';
import { fixture, type Json } from './support/slack-fixtures.js';
import { counterValue, signingSecret, useSlackHarness, type SlackHarness } from './support/slack-harness.js';
import { waitUntil } from './support/wait-until.js';
import { deliveryContext } from '../support/delivery-context.js';
import { capturingLogger } from '../support/silent-logger.js';

const api = new FakeSlackApi();
let harness: SlackHarness;
const sign = { secret: signingSecret };
const thread = threadAddress({ team: 'T123ABC456', channel: 'C0A511MBCUW', threadTs: '1771287144.743569' });

const log = capturingLogger();
useSlackHarness(api, (started) => (harness = started), { logger: log.logger });

/** Deliver a message, then build Slack's block_actions payload for a click on one of its buttons. */
async function clickOn(address: ChannelAddress, message: BotMessage, pick: (buttons: ButtonElement[]) => ButtonElement): Promise<Json> {
  await harness.adapter.deliver(address, message, deliveryContext('conv-7'));
  const posted = api.callsOf('chat.postMessage').at(-1)!;
  const ts = '1700000000.000001';
  const blocks = posted.args.blocks as Json[];
  const buttons = blocks.flatMap((block) => (block.type === 'actions' ? block.elements : block.type === 'carousel' ? block.elements.flatMap((card: Json) => card.actions ?? []) : []));
  const button = pick(buttons);
  const payload = fixture('block-actions');
  const { channel, threadTs } = threadOf(address);
  payload.container = { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false, ...(threadTs ? { thread_ts: threadTs } : {}) };
  payload.channel = { id: channel, name: 'support' };
  payload.message = { ...payload.message, ts, text: posted.args.text, blocks, ...(threadTs ? { thread_ts: threadTs } : {}) };
  if (!threadTs) delete payload.message.thread_ts;
  payload.actions = [{ ...payload.actions[0], action_id: button.action_id, text: button.text, ...(button.value ? { value: button.value } : {}) }];
  return payload;
}

describe('block_actions', () => {
  it("logs a failed update of the clicked message with the click's trigger_id, and the click still reaches the core", async () => {
    api.on('chat.update', () => ({ ok: false, error: 'message_not_found' }));
    const payload = await clickOn(thread, { kind: 'text', text: 'Which plan?', buttons: [{ kind: 'reply', text: 'Basic' }] }, (buttons) => buttons[0]!);
    expect((await postInteraction(harness.eventsUrl, payload, sign)).status).toBe(200);
    expect((await harness.sink.nthVisitorEvent(1)).action).toMatchObject({ kind: 'message', text: 'Basic' });
    const failure = await waitUntil(() => log.lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'could not update the clicked message'), 'the update failure line');
    expect(failure).toMatchObject({ requestId: payload.trigger_id, channel: 'C0A511MBCUW' });
  });

  it('sends a carousel card click to the core and updates the message in place', async () => {
    const carousel: BotMessage = {
      kind: 'carousel',
      cards: [
        { title: 'A', buttons: [{ kind: 'reply', text: 'Pick A' }] },
        { title: 'B', buttons: [{ kind: 'reply', text: 'Pick B', payload: 'PLAN_B' }] },
      ],
    };
    const payload = await clickOn(thread, carousel, (buttons) => buttons[1]!);
    const response = await postInteraction(harness.eventsUrl, payload, sign);
    expect(response.status).toBe(200);
    const event = await harness.sink.nthVisitorEvent(1);
    expect(event.action).toEqual({ kind: 'message', text: 'Pick B', cardIndex: 1, payload: 'PLAN_B', clickedConversationId: 'conv-7' });
    expect(event.address.key).toBe('T123ABC456:C0A511MBCUW:1771287144.743569');
    expect(event.requester).toEqual({ id: 'U03STHCA1JM', extra: { slackTeamId: 'T03SH7G01GU' } });
    expect(event.eventId).toBe('click:C0A511MBCUW:1700000000.000001:bridge.reply.1'); // per message and button
    const [update] = await api.waitForCalls('chat.update');
    expect(update!.args.channel).toBe('C0A511MBCUW');
    expect(update!.args.ts).toBe('1700000000.000001');
    expect(update!.args.blocks).toEqual([
      { type: 'carousel', elements: [{ type: 'card', title: { type: 'mrkdwn', text: 'A' } }, { type: 'card', title: { type: 'mrkdwn', text: 'B' } }] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: '✓ Pick B' }] },
    ]);
  });

  it('answers a click on an ended conversation with an ephemeral note, not an update', async () => {
    harness.sink.visitorOutcome = () => ({ status: 'ended', conversationId: 'conv-7' });
    const payload = await clickOn(thread, { kind: 'text', text: 'Pick', buttons: [{ kind: 'reply', text: 'Yes' }] }, (buttons) => buttons[0]!);
    await postInteraction(harness.eventsUrl, payload, sign);
    const [note] = await api.waitForCalls('chat.postEphemeral');
    expect(note!.args).toMatchObject({ channel: 'C0A511MBCUW', user: 'U03STHCA1JM', thread_ts: '1771287144.743569', text: endedClickNote });
    expect(api.callsOf('chat.update')).toHaveLength(0);
  });

  it('maps a click in a DM to the DM running conversation', async () => {
    const dm = threadAddress({ team: 'T123ABC456', channel: 'D024BE91L' });
    const payload = await clickOn(dm, { kind: 'text', text: 'Pick', buttons: [{ kind: 'reply', text: 'Yes' }] }, (buttons) => buttons[0]!);
    await postInteraction(harness.eventsUrl, payload, sign);
    const event = await harness.sink.nthVisitorEvent(1);
    expect(event.address).toEqual({ channel: 'slack', key: 'T123ABC456:D024BE91L', reference: {} });
    expect(event.action).toEqual({ kind: 'message', text: 'Yes', clickedConversationId: 'conv-7' });
  });

  it('only acks a link button click', async () => {
    const payload = await clickOn(thread, { kind: 'text', text: 'Docs', buttons: [{ kind: 'link', text: 'Open', url: 'https://example.com' }] }, (buttons) => buttons[0]!);
    const before = await counterValue(harness.metrics, 'bridge_events_in_total', { platform: 'slack', type: 'ignored' });
    expect((await postInteraction(harness.eventsUrl, payload, sign)).status).toBe(200);
    await waitUntil(async () => ((await counterValue(harness.metrics, 'bridge_events_in_total', { platform: 'slack', type: 'ignored' })) > before ? true : undefined), 'the click to be ignored');
    expect(harness.sink.visitorEvents).toHaveLength(0);
    expect(api.callsOf('chat.update')).toHaveLength(0);
  });

  it('rejects an unsigned click', async () => {
    const payload = await clickOn(thread, { kind: 'text', text: 'Pick', buttons: [{ kind: 'reply', text: 'Yes' }] }, (buttons) => buttons[0]!);
    expect((await postInteraction(harness.eventsUrl, payload, { secret: 'wrong' })).status).toBe(401);
    await postInteraction(harness.eventsUrl, payload, sign);
    await harness.sink.nthVisitorEvent(1);
    expect(harness.sink.visitorEvents).toHaveLength(1);
  });
});
