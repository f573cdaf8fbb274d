/**
 * The boundary between the bridge core and a chat platform (Slack, Teams). An adapter is the only
 * code that knows its platform: inbound it turns platform events into `VisitorEvent`s and
 * `AgentEvent`s for the core, outbound it renders `BotMessage`s and desk tickets natively.
 * It never calls the bot.
 *
 * The required core is small: a name, a way to receive (`mount` for HTTP, `start` for sockets)
 * and `deliver`. Everything else is optional.
 */
import type { Router } from 'express';
import type { FrontRoute } from '../http/front-route.js';
import type { BotMessage, MessageSender } from './bot-message.js';
import type { ChannelAddress, RequesterProfile, VisitorEvent, VisitorEventOutcome } from './visitor-event.js';

/** What the core offers an adapter for inbound traffic. */
export interface InboundSink {
  /** A requester wrote, clicked, opened or ended a conversation. */
  visitorEvent(event: VisitorEvent): Promise<VisitorEventOutcome>;
  /** An agent acted in a desk channel (claim, resolve, reply in a ticket thread). */
  agentEvent(event: AgentEvent): Promise<AgentEventOutcome>;
  /**
   * Optional: whether the core has a live conversation at this thread. Adapters listen to such
   * threads without a mention; without this member they only know threads they posted into.
   */
  knowsAddress?(channel: string, key: string): Promise<boolean>;
  /**
   * Optional: whether this desk-platform thread (as `postTicket` returned it) belongs to an open
   * ticket, so agent replies there are relayed; without it an adapter only knows the tickets it posted.
   */
  knowsTicketThread?(thread: ChannelAddress): Promise<boolean>;
}

/** What the core's delivery loop offers one delivery attempt besides the address. */
export interface DeliveryContext {
  /** The conversation the message belongs to; rendered buttons carry it so a click on an old message is recognised. */
  conversationId: string;
  /** What an earlier attempt (maybe on another replica) recorded: e.g. how many posts already went out. */
  progress?: DeliveryProgress;
  /** Record progress durably before going on; a retry continues from there and never reposts. */
  saveProgress(progress: DeliveryProgress): Promise<void>;
}

/**
 * How far a message that the platform needs in several posts got: `posted` parts are out, in the
 * `layout` the adapter chose (e.g. a carousel fallback), which a retry keeps.
 */
export interface DeliveryProgress {
  posted: number;
  layout?: string;
}

/** A chat platform, seen from the core. */
export interface ChannelAdapter {
  /** The channel name stored in conversation addresses: `slack`, `teams`. */
  readonly channel: string;
  /** Mount the adapter's inbound HTTP route(s) on the bridge's server. */
  mount?(router: Router): void;
  /** Hot inbound routes served before express (Slack's Events API request URL). */
  readonly frontRoutes?: FrontRoute[];
  /** Start receiving when the platform pushes over a socket (Slack Socket Mode). */
  start?(): Promise<void>;
  /** Stop receiving and release connections. */
  stop?(): Promise<void>;
  /** Throws when the platform cannot be reached with the configured credentials (for /readyz). */
  checkReady?(): Promise<void>;
  /**
   * Deliver one message to a conversation. Throws `DeliveryError` (retryable or not); the core's
   * delivery loop owns retries and ordering, so an adapter makes exactly one attempt, and every
   * call it makes has a whole-request deadline.
   */
  deliver(address: ChannelAddress, message: BotMessage, context: DeliveryContext): Promise<void>;
  /**
   * Optional: the requester's full profile (name, email, locale) for a new conversation, completing
   * what the event carried. A failure keeps what the event carried.
   */
  requesterProfile?(address: ChannelAddress, requester: RequesterProfile): Promise<RequesterProfile>;
  /** The desk side, when this platform can host human-agent desks. */
  readonly desk?: DeskSide;
}

/** A human agent, as the desk platform knows them. */
export interface AgentRef {
  id: string;
  name: string;
  avatarUrl?: string;
}

/**
 * Ticket states; each transition is stored with time and actor. `returned` is Back to bot: the
 * ticket is closed and the conversation goes on with the bot in the same session.
 */
export type TicketState = 'queued' | 'assigned' | 'resolved' | 'returned' | 'failed' | 'timed_out' | 'cancelled';

/** One line of the bot conversation shown on a ticket. */
export interface TranscriptTurn {
  from: 'requester' | 'bot' | 'agent' | 'system';
  text: string;
  at: number;
}

/** The desk a ticket goes to: a channel on one platform. */
export interface DeskTarget {
  id: string;
  /** Slack channel id, or Teams channel id. */
  channel: string;
  /** Teams only: the team id, for the roster. */
  team?: string;
}

/** Everything a desk adapter needs to render a ticket post; rendered again on every state change. */
export interface TicketView {
  ticketId: string;
  conversationId: string;
  deskId: string;
  state: TicketState;
  requester: RequesterProfile;
  /** The requester's platform (`slack`, `teams`, `widget`). */
  requesterChannel: string;
  /** A link to the requester's thread, where the platform has one. */
  requesterLink?: string;
  transcript: TranscriptTurn[];
  assignee?: AgentRef;
  openedAt: number;
  /** While nobody has answered the requester yet: since when they wait (the SLA clock's start). */
  waitingSince?: number;
  /** When the first-response SLA is (or was) due, on desks with `firstResponseMinutes`. */
  slaDueAt?: number;
  /** The other desks' ids: the options of the Transfer select (empty: no select). */
  transferTargets?: string[];
  /** Set on the old post of a ticket that moved to another desk: the post shows where it went, without buttons. */
  transferredTo?: string;
  /** The requester's rating (1 to 5), once given. */
  csat?: number;
}

/** What the core asks a desk platform to read: members' presence, reported one reading at a time. */
export interface PresenceReadRequest {
  desk: DeskTarget;
  /** The members to read, most urgent first. */
  userIds: string[];
  /** Called once per member the platform answered for: present (Slack `active`, Graph Available/Busy...) or not. */
  onReading(userId: string, present: boolean): void;
}

/**
 * Desk presence member by member, so the core can share readings between replicas through the
 * store and keep each member's last known value (src/core/handoff/presence.ts).
 */
export interface DeskPresenceSource {
  /** The desk's human members (platform user ids); throws when the platform cannot list them. */
  members(desk: DeskTarget): Promise<string[]>;
  /**
   * Read as many of the members as the platform's rate budget allows now, without waiting for it:
   * a rate limit ends the read (members not reported keep their last known value), and the core
   * asks again for the rest on its next round. A rate limit is never thrown; other failures may
   * be, and the readings reported before them still count.
   */
  readPresence(request: PresenceReadRequest): Promise<void>;
}

/** The desk side of an adapter: tickets, relay into ticket threads, and presence. */
export interface DeskSide {
  /** Post a new ticket; returns the address of its thread (replies there are relayed). */
  postTicket(desk: DeskTarget, ticket: TicketView): Promise<ChannelAddress>;
  /** Re-render the ticket post in place after a state change. */
  updateTicket(ticketThread: ChannelAddress, ticket: TicketView): Promise<void>;
  /** Post into the ticket's thread (requester messages, reminders, status lines); one attempt, with progress as in `deliver`. */
  postToTicket(ticketThread: ChannelAddress, message: BotMessage & { sender?: MessageSender }, context: DeliveryContext): Promise<void>;
  /** Presence of the desk's members. */
  readonly presence: DeskPresenceSource;
  /** A link to a requester's thread, for the ticket post. */
  linkTo?(address: ChannelAddress): Promise<string | undefined>;
  /**
   * Optional: post the bridge's own note into a ticket thread with a live mention (the agent a
   * ticket was assigned to, an SLA breach's `slaMention`). Without it the note goes out as plain text.
   */
  postNote?(ticketThread: ChannelAddress, note: DeskNote, context: DeliveryContext): Promise<void>;
  /** Optional: a desk member's display name (for round-robin assignment); without it the id is shown. */
  memberName?(desk: DeskTarget, userId: string): Promise<string | undefined>;
}

/** Who a desk note mentions: a desk member by platform id, or a mention written in bridge.yaml (`slaMention`). */
export type DeskMention = { kind: 'member'; id: string; name: string } | { kind: 'configured'; value: string };

/** A note of the bridge in a ticket thread: the mention first, then the text (plain, not Markdown). */
export interface DeskNote {
  text: string;
  mention?: DeskMention;
}

/** Something an agent did in a desk channel. */
export type AgentEvent =
  | { kind: 'claim' | 'release' | 'resolve' | 'return'; ticketId: string; agent: AgentRef; eventId?: string }
  /** Transfer to another desk (the Transfer select's option value is the desk id). */
  | { kind: 'transfer'; ticketId: string; toDeskId: string; agent: AgentRef; eventId?: string }
  | {
      kind: 'reply';
      /** The ticket thread the reply was written in. */
      ticketThread: ChannelAddress;
      agent: AgentRef;
      text: string;
      /** Links to files the agent attached. */
      fileUrls?: string[];
      eventId?: string;
    };

/** What the core did with an agent event; adapters use it for feedback (e.g. an ephemeral note). */
export type AgentEventOutcome =
  | { status: 'accepted' }
  | { status: 'duplicate' }
  | { status: 'ignored'; reason: string };
