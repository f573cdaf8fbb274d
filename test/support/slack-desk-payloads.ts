/**
 * Slack payloads of a desk agent, built from the documented fixtures: a Claim/Resolve click on a
 * ticket post the bridge made, and a reply in a ticket's thread.
 */
import { fixture, type Json } from '../slack/support/slack-fixtures.js';
import type { RecordedRequest } from './fake-http-server.js';

/** block_actions for a button (Claim, Release, Resolve, Back to bot) of a recorded ticket post (chat.postMessage). */
export function ticketClick(post: RecordedRequest, agent: { user: string; channel: string }, kind: 'claim' | 'release' | 'resolve' | 'return'): Json {
  return controlClick(post, agent, `bridge.ticket.${kind}`, (button) => ({ ...button }));
}

/**
 * block_actions for choosing `toDesk` in the Transfer select of a recorded ticket post, shaped as
 * Slack documents a static_select action (block_id, selected_option with text and value, placeholder).
 */
export function transferChoice(post: RecordedRequest, agent: { user: string; channel: string }, toDesk: string): Json {
  return controlClick(post, agent, 'bridge.ticket.transfer', (select) => {
    const option = (select.options as Json[]).find((candidate) => candidate.value === toDesk);
    if (!option) throw new Error(`the Transfer select has no option ${toDesk}`);
    return { type: 'static_select', action_id: select.action_id, selected_option: option, placeholder: select.placeholder };
  });
}

/** block_actions for a requester's click on a reply button (by its text) of a message the bridge posted in their DM. */
export function requesterClick(post: RecordedRequest, requester: { user: string; channel: string }, text: string): Json {
  const ts = String((post.response?.body as Json).ts);
  const blocks = post.body.blocks as Json[];
  const block = blocks.find((candidate) => candidate.type === 'actions' && (candidate.elements as Json[]).some((element) => (element.text as Json).text === text));
  const button = (block?.elements as Json[] | undefined)?.find((element) => (element.text as Json).text === text);
  if (!block || !button) throw new Error(`the message has no button ${text}`);
  const payload = fixture('block-actions');
  Object.assign(payload, {
    user: { id: requester.user, username: requester.user, name: requester.user, team_id: 'T123ABC456' },
    team: { id: 'T123ABC456', domain: 'example' },
    channel: { id: requester.channel, name: 'directmessage' },
    container: { type: 'message', message_ts: ts, channel_id: requester.channel, is_ephemeral: false },
    message: { type: 'message', ts, bot_id: 'BBRIDGE', text: post.body.text, blocks },
    actions: [{ ...button, block_id: block.block_id ?? 'reply', action_ts: `${Date.now() / 1000}` }],
  });
  return payload;
}

function controlClick(post: RecordedRequest, agent: { user: string; channel: string }, actionId: string, shape: (element: Json) => Json): Json {
  const ts = String((post.body.ts as string | undefined) ?? (post.response?.body as Json).ts);
  const block = (post.body.blocks as Json[]).find((candidate) => candidate.type === 'actions' && (candidate.elements as Json[]).some((element) => element.action_id === actionId));
  const element = (block?.elements as Json[] | undefined)?.find((candidate) => candidate.action_id === actionId);
  if (!block || !element) throw new Error(`the ticket post has no ${actionId}`);
  const button = { ...shape(element), block_id: block.block_id ?? 'ticket' };
  const payload = fixture('block-actions');
  Object.assign(payload, {
    user: { id: agent.user, username: agent.user, name: agent.user, team_id: 'T123ABC456' },
    team: { id: 'T123ABC456', domain: 'example' },
    channel: { id: agent.channel, name: 'desk' },
    container: { type: 'message', message_ts: ts, channel_id: agent.channel, is_ephemeral: false },
    message: { type: 'message', ts, bot_id: 'BBRIDGE', text: post.body.text, blocks: post.body.blocks },
    actions: [{ ...button, action_ts: `${Date.now() / 1000}` }],
  });
  return payload;
}

/** An event_callback for an agent's message in a ticket thread. */
export function agentThreadReply(reply: { eventId: string; channel: string; user: string; text: string; threadTs: string; ts: string }): Json {
  const event = fixture('event-thread-reply');
  event.event_id = reply.eventId;
  event.team_id = 'T123ABC456';
  Object.assign(event.event, { channel: reply.channel, user: reply.user, text: reply.text, thread_ts: reply.threadTs, ts: reply.ts });
  return event;
}
