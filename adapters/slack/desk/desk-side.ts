/**
 * The Slack desk side: ticket posts in a desk channel (posted, then re-rendered in place on every
 * change), messages into a ticket's thread, desk presence, and links to requester threads.
 */
import type { BotMessage } from '../../../src/core/bot-message.js';
import type { DeliveryContext, DeskMention, DeskNote, DeskPresenceSource, DeskSide, DeskTarget, TicketView } from '../../../src/core/channel-adapter.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import type { ChatPoster } from '../chat-poster.js';
import { DeliveryError } from '../../../src/core/errors.js';
import type { ChannelAddress } from '../../../src/core/visitor-event.js';
import type { SlackDelivery } from '../delivery.js';
import type { RememberedKeys } from '../remembered-keys.js';
import { tokenFor, type SlackTokens } from '../slack-tokens.js';
import { isDirectMessageChannel, threadAddress, threadOf } from '../thread-address.js';
import type { SlackWebClient } from '../web-client.js';
import type { SlackDeskPresence } from './desk-presence.js';
import { renderTicket } from './render-ticket.js';

/** What the desk side needs. */
export interface SlackDeskDeps {
  client: SlackWebClient;
  /** Posts and in-place updates, with a whole-request deadline each. */
  poster: Pick<ChatPoster, 'postMessage' | 'update'>;
  /** The token of the desk's (or the thread's) workspace. */
  tokens: SlackTokens;
  delivery: SlackDelivery;
  presence: SlackDeskPresence;
  /** Ticket threads this adapter opened, so replies there are relayed to the requester. */
  tickets: RememberedKeys;
}

/** DeskSide on Slack. */
export class SlackDeskSide implements DeskSide {
  constructor(private readonly deps: SlackDeskDeps) {}

  /** Post the ticket in the desk channel; its thread is where the hand-off happens. */
  async postTicket(desk: DeskTarget, ticket: TicketView): Promise<ChannelAddress> {
    const workspace = await this.deps.tokens.deskWorkspace(desk);
    const post = renderTicket(ticket);
    const posted = await this.deps.poster.postMessage({ channel: desk.channel, text: post.text, blocks: post.blocks }, await tokenFor(this.deps.tokens, workspace));
    if (!posted.ts) throw new DeliveryError('Slack chat.postMessage returned no ts', { retryable: true, platformCode: 'no_ts' });
    // Slack's answer names the workspace the channel is in, which agents' replies will carry.
    const team = posted.team ?? workspace.team;
    const address = threadAddress({ team, channel: posted.channel ?? desk.channel, threadTs: posted.ts, ...(workspace.enterprise ? { enterprise: workspace.enterprise } : {}) });
    this.deps.tickets.remember(address.key);
    return address;
  }

  /** Re-render the ticket post in place. */
  async updateTicket(ticketThread: ChannelAddress, ticket: TicketView): Promise<void> {
    const thread = threadOf(ticketThread);
    const { channel, threadTs } = thread;
    if (!threadTs) throw new DeliveryError(`Not a ticket thread: ${ticketThread.key}`, { retryable: false, platformCode: 'bad_address' });
    const post = renderTicket(ticket);
    await this.deps.poster.update({ channel, ts: threadTs, text: post.text, blocks: post.blocks }, await tokenFor(this.deps.tokens, thread));
  }

  /** Post into the ticket's thread (requester messages under the requester's name, notes, reminders). */
  async postToTicket(ticketThread: ChannelAddress, message: BotMessage, context: DeliveryContext): Promise<void> {
    await this.deps.delivery.deliver(ticketThread, message, context);
  }

  /** A note of the bridge in the ticket thread, its mention live (`<@U…>`, or `slaMention` as written in bridge.yaml). */
  async postNote(ticketThread: ChannelAddress, note: DeskNote): Promise<void> {
    const thread = threadOf(ticketThread);
    const { channel, threadTs } = thread;
    if (!threadTs) throw new DeliveryError(`Not a ticket thread: ${ticketThread.key}`, { retryable: false, platformCode: 'bad_address' });
    const text = `${mentionOf(note.mention)}${escapeMrkdwn(note.text)}`;
    await this.deps.poster.postMessage({ channel, thread_ts: threadTs, text }, await tokenFor(this.deps.tokens, thread));
  }

  /** A desk member's name, for round-robin assignment. */
  memberName(desk: DeskTarget, userId: string): Promise<string | undefined> {
    return this.deps.presence.memberName(desk, userId);
  }

  /** Members of the desk channel and their presence, paced within Slack's Tier 3. */
  get presence(): DeskPresenceSource {
    return this.deps.presence;
  }

  /** A permalink to a requester's channel thread; a DM has none an agent could open. */
  async linkTo(address: ChannelAddress): Promise<string | undefined> {
    const thread = threadOf(address);
    const { channel, threadTs } = thread;
    if (!threadTs || isDirectMessageChannel(channel)) return undefined;
    const result = await this.deps.client.chat.getPermalink({ channel, message_ts: threadTs, token: await tokenFor(this.deps.tokens, thread) });
    return result.permalink;
  }
}

/** The mention that opens a note: a member by id (only a Slack user id, so nothing else can be injected), or the configured text. */
function mentionOf(mention: DeskMention | undefined): string {
  if (!mention) return '';
  if (mention.kind === 'configured') return `${mention.value} `;
  return /^[UW][A-Z0-9]{2,}$/.test(mention.id) ? `<@${mention.id}> ` : `${escapeMrkdwn(mention.name)}: `;
}
