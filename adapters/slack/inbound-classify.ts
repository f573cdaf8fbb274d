/**
 * What an inbound Slack event means for the bridge: a requester's message, an opening without a
 * message, or something to ignore (bots, edits, deletions, joins, channel chatter). Pure; the
 * handlers decide about unknown threads, which needs the core.
 */
import { z } from 'zod';
import { slackTextToPlain } from './slack-text.js';
import { conversationThread, isDirectMessageChannel, type SlackThread } from './thread-address.js';

/** A person's message the bridge may act on. */
export interface InboundMessage {
  thread: SlackThread;
  channel: string;
  user: string;
  /** The user's workspace, when Slack says (shared channels). */
  userTeam?: string;
  text: string;
  fileUrls: string[];
  isDm: boolean;
  /** A reply in a channel thread without a mention: only for threads the bridge is in. */
  needsKnownThread: boolean;
}

/** The decision about one event. */
export type Classified =
  | { kind: 'ignore'; reason: string }
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'open'; thread: SlackThread; user: string; userTeam?: string };

/** What classification needs to know. */
export interface ClassifyContext {
  /** The workspace of the event; part of every key. */
  teamId: string;
  /** Its Enterprise Grid org, when it has one; kept on the address for the org-wide install's token. */
  enterpriseId?: string;
  /** The bot's user id: its mentions are stripped, its own messages ignored. */
  botUserId: string;
}

/** Subtypes that are still a person writing: file uploads and thread replies also sent to the channel. */
const personSubtypes = new Set(['file_share', 'thread_broadcast']);

const fileSchema = z.object({ permalink: z.string().optional(), url_private: z.string().optional() }).passthrough();
const messageSchema = z
  .object({
    type: z.enum(['message', 'app_mention']),
    subtype: z.string().optional(),
    channel: z.string(),
    channel_type: z.string().optional(),
    user: z.string().optional(),
    user_team: z.string().optional(),
    bot_id: z.string().optional(),
    text: z.string().optional(),
    ts: z.string(),
    thread_ts: z.string().optional(),
    edited: z.unknown().optional(),
    files: z.array(fileSchema).optional(),
  })
  .passthrough();
const homeSchema = z.object({ type: z.literal('app_home_opened'), user: z.string(), channel: z.string(), tab: z.string().optional() }).passthrough();

/** A `message` event (DMs, channel and private-channel messages). */
export function classifyMessageEvent(event: unknown, context: ClassifyContext): Classified {
  const parsed = messageSchema.safeParse(event);
  if (!parsed.success) return ignore('unexpected message shape');
  const message = parsed.data;
  const skip = skipReason(message, context);
  if (skip) return ignore(skip);
  const isDm = isDirectMessageChannel(message.channel, message.channel_type);
  const inThread = message.thread_ts !== undefined && message.thread_ts !== message.ts;
  if (!isDm) {
    // Slack also sends an app_mention for this message; that one is handled.
    if ((message.text ?? '').includes(`<@${context.botUserId}`)) return ignore('mention (handled as app_mention)');
    if (!inThread) return ignore('channel message without a mention');
  }
  return { kind: 'message', message: inbound(message, context, { isDm, needsKnownThread: !isDm }) };
}

/** An `app_mention` event: starts or continues the thread of the mention. */
export function classifyMention(event: unknown, context: ClassifyContext): Classified {
  const parsed = messageSchema.safeParse(event);
  if (!parsed.success) return ignore('unexpected app_mention shape');
  const mention = parsed.data;
  const skip = skipReason(mention, context);
  if (skip) return ignore(skip);
  if (mention.edited !== undefined) return ignore('edited mention');
  const message = inbound(mention, context, { isDm: false, needsKnownThread: false });
  if (message.text === '' && message.fileUrls.length === 0) {
    // A bare "@bot" opens a conversation without a message: the bot's welcome.
    return { kind: 'open', thread: message.thread, user: message.user, ...(message.userTeam ? { userTeam: message.userTeam } : {}) };
  }
  return { kind: 'message', message };
}

/** `app_home_opened`: the Messages tab opens the DM's running conversation. */
export function classifyHomeOpened(event: unknown, context: ClassifyContext): Classified {
  const parsed = homeSchema.safeParse(event);
  if (!parsed.success) return ignore('unexpected app_home_opened shape');
  if (parsed.data.tab !== 'messages') return ignore(`app home tab ${parsed.data.tab ?? 'unknown'}`);
  const thread = conversationThread({ team: context.teamId, enterprise: context.enterpriseId, channel: parsed.data.channel, ts: '', isDm: true });
  return { kind: 'open', thread, user: parsed.data.user };
}

function skipReason(message: z.infer<typeof messageSchema>, context: ClassifyContext): string | undefined {
  if (message.bot_id !== undefined || message.subtype === 'bot_message') return 'bot message';
  if (message.subtype !== undefined && !personSubtypes.has(message.subtype)) return `subtype ${message.subtype}`;
  if (!message.user) return 'no user';
  if (message.user === context.botUserId) return 'own message';
  return undefined;
}

function inbound(message: z.infer<typeof messageSchema>, context: ClassifyContext, how: { isDm: boolean; needsKnownThread: boolean }): InboundMessage {
  const thread = conversationThread({ team: context.teamId, enterprise: context.enterpriseId, channel: message.channel, ts: message.ts, threadTs: message.thread_ts, isDm: how.isDm });
  const fileUrls = (message.files ?? []).map((file) => file.permalink ?? file.url_private).filter((url): url is string => Boolean(url));
  const result: InboundMessage = {
    thread,
    channel: message.channel,
    user: message.user!,
    text: slackTextToPlain(message.text ?? '', context.botUserId),
    fileUrls,
    isDm: how.isDm,
    needsKnownThread: how.needsKnownThread,
  };
  if (message.user_team) result.userTeam = message.user_team;
  return result;
}

function ignore(reason: string): Classified {
  return { kind: 'ignore', reason };
}
