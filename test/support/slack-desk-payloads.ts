/**
 * Slack payloads of a desk agent, built from the documented fixtures: a Claim/Resolve click on a
 * ticket post the bridge made, and a reply in a ticket's thread.
 */
import { fixture, type Json } from '../slack/support/slack-fixtures.js';
import type { RecordedRequest } from './fake-http-server.js';

/** block_actions for the Claim or Resolve button of a recorded ticket post (chat.postMessage). */
export function ticketClick(post: RecordedRequest, agent: { user: string; channel: string }, kind: 'claim' | 'resolve'): Json {
  const ts = String((post.response?.body as Json).ts);
  const button = (post.body.blocks as Json[])
    .flatMap((block) => (block.type === 'actions' ? (block.elements as Json[]) : []))
    .find((element) => element.action_id === `bridge.ticket.${kind}`);
  if (!button) throw new Error(`the ticket post has no ${kind} button`);
  const payload = fixture('block-actions');
  Object.assign(payload, {
    user: { id: agent.user, username: agent.user, name: agent.user, team_id: 'T123ABC456' },
    team: { id: 'T123ABC456', domain: 'example' },
    channel: { id: agent.channel, name: 'desk' },
    container: { type: 'message', message_ts: ts, channel_id: agent.channel, is_ephemeral: false },
    message: { type: 'message', ts, bot_id: 'BBRIDGE', text: post.body.text, blocks: post.body.blocks },
    actions: [{ ...button, block_id: 'ticket', action_ts: `${Date.now() / 1000}` }],
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
