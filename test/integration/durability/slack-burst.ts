/**
 * What the durability tests share: bursts of signed Slack DM events over many conversations, sent
 * the way Slack sends them (each thread's events one after another; an event not acknowledged
 * with 200 is sent again with the same event_id, possibly to another replica), and the check of
 * what reached the bot: nothing lost, nothing reordered, at most one duplicate per conversation.
 */
import { expect } from 'vitest';
import { fixture } from '../../slack/support/slack-fixtures.js';
import { postEvent } from '../../slack/support/signed-requests.js';
import type { FakeServer } from '../../support/fake-http-server.js';

/** The text of message `index` of conversation `conversation`. */
export function burstText(conversation: number, index: number): string {
  return `c${conversation}-m${index}`;
}

/** A documented DM event (fixture event-message-im) in DM `conversation`, as message `index`. */
export function dmEvent(conversation: number, index: number, eventId = `Ev-${conversation}-${index}`) {
  const event = fixture('event-message-im');
  event.event_id = eventId;
  event.event.channel = `D${String(conversation).padStart(8, '0')}`;
  event.event.user = `U${String(conversation).padStart(8, '0')}`;
  event.event.text = burstText(conversation, index);
  event.event.ts = event.event.event_ts = `${1_700_000_000 + conversation}.${String(index).padStart(6, '0')}`;
  return event;
}

/** How a burst is sent. */
export interface BurstOptions {
  conversations: number;
  messages: number;
  secret: string;
  /** The replica each attempt goes to (attempt 0 first); by default the first. */
  target: (conversation: number, index: number, attempt: number) => string;
  /** Called after every acknowledged event, with how many are acknowledged. */
  onAck?: (acked: number) => void | Promise<void>;
  /** Give up on an event after this long without a 200 (default 60 s). */
  patienceMs?: number;
  /** The number of the first conversation (default 0), so several bursts can share one bot. */
  offset?: number;
}

/** Send the burst like Slack: threads concurrently, each thread in order, retrying until acknowledged. */
export async function sendBurst(options: BurstOptions): Promise<void> {
  let acked = 0;
  const thread = async (conversation: number) => {
    for (let index = 0; index < options.messages; index++) {
      await sendUntilAcked(options, conversation, index);
      acked += 1;
      await options.onAck?.(acked);
    }
  };
  await Promise.all(Array.from({ length: options.conversations }, (_unused, index) => thread((options.offset ?? 0) + index)));
}

async function sendUntilAcked(options: BurstOptions, conversation: number, index: number): Promise<void> {
  const deadline = Date.now() + (options.patienceMs ?? 60_000);
  for (let attempt = 0; ; attempt++) {
    const url = `${options.target(conversation, index, attempt)}/slack/events`;
    const status = await postEvent(url, dmEvent(conversation, index), { secret: options.secret }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${burstText(conversation, index)} was never acknowledged (last status ${status})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The texts the bot received per conversation of the burst, in arrival order, and their platformConversationIds. */
export function receivedByConversation(bot: FakeServer): Map<number, { texts: string[]; ids: Set<string> }> {
  const received = new Map<number, { texts: string[]; ids: Set<string> }>();
  for (const request of bot.requests) {
    const text = request.body.text;
    const match = typeof text === 'string' ? /^c(\d+)-m\d+$/.exec(text) : null;
    if (!match) continue;
    const conversation = Number(match[1]);
    const entry = received.get(conversation) ?? { texts: [], ids: new Set<string>() };
    entry.texts.push(text as string);
    entry.ids.add(String(request.body.platformConversationId));
    received.set(conversation, entry);
  }
  return received;
}

/** Whether every message of the burst reached the bot. */
export function allReceived(bot: FakeServer, conversations: number, messages: number, offset = 0): boolean {
  const received = receivedByConversation(bot);
  for (let conversation = offset; conversation < offset + conversations; conversation++) {
    if (new Set(received.get(conversation)?.texts ?? []).size < messages) return false;
  }
  return true;
}

/**
 * Every message reached the bot, each conversation as one platformConversationId, in order (a
 * repeat may follow only the message just before, as a redelivery after a crash), and with at
 * most `maxDuplicates` repeats per conversation.
 */
export function expectDeliveredInOrder(bot: FakeServer, options: { conversations: number; messages: number; maxDuplicates: number; offset?: number }): void {
  const received = receivedByConversation(bot);
  const first = options.offset ?? 0;
  for (let conversation = first; conversation < first + options.conversations; conversation++) {
    const entry = received.get(conversation);
    const expected = Array.from({ length: options.messages }, (_unused, index) => burstText(conversation, index));
    expect(entry, `conversation ${conversation} reached the bot`).toBeDefined();
    expect(entry!.ids.size, `conversation ${conversation} kept one platformConversationId`).toBe(1);
    const firsts = entry!.texts.filter((text, position) => entry!.texts.indexOf(text) === position);
    expect(firsts, `conversation ${conversation}: nothing lost or reordered`).toEqual(expected);
    expect(entry!.texts.length - firsts.length, `conversation ${conversation}: duplicates`).toBeLessThanOrEqual(options.maxDuplicates);
  }
}
