/**
 * The one codec between Slack threads and conversation addresses. The key is
 * `team:channel:threadRoot`; a direct message outside any thread is one running conversation
 * per DM, so its key is `team:channel` and replies go to the DM itself, not a thread. The key
 * names the thread, so the reference holds only the Enterprise Grid org when Slack named one, so
 * a delivery finds the org-wide installation's token; the key leaves it out (channel ids are
 * unique in the org). Pure.
 */
import { z } from 'zod';
import { DeliveryError } from '../../src/core/errors.js';
import type { ChannelAddress } from '../../src/core/visitor-event.js';

/** The adapter's channel name in addresses. */
export const slackChannel = 'slack';

/** Where a Slack conversation lives. */
export interface SlackThread {
  team: string;
  channel: string;
  /** The thread root's ts; absent for a DM's running conversation. */
  threadTs?: string;
  /** The Enterprise Grid org of the workspace, when there is one. */
  enterprise?: string;
}

const referenceSchema = z.object({
  team: z.string().min(1).optional(),
  channel: z.string().min(1).optional(),
  thread_ts: z.string().min(1).optional(),
  enterprise: z.string().min(1).optional(),
});
const idPattern = /^[A-Za-z0-9_.-]+$/;

/** The conversation key of a thread. */
export function threadKey(thread: SlackThread): string {
  return thread.threadTs ? `${thread.team}:${thread.channel}:${thread.threadTs}` : `${thread.team}:${thread.channel}`;
}

/** The thread a key stands for, or undefined for a key this codec did not write. */
export function parseThreadKey(key: string): SlackThread | undefined {
  const parts = key.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts.every((part) => idPattern.test(part))) return undefined;
  const [team, channel, threadTs] = parts as [string, string, string | undefined];
  return threadTs ? { team, channel, threadTs } : { team, channel };
}

/** The address the core stores for a thread: the key names it, the reference adds its org (or nothing). */
export function threadAddress(thread: SlackThread): ChannelAddress {
  return { channel: slackChannel, key: threadKey(thread), reference: thread.enterprise ? { enterprise: thread.enterprise } : {} };
}

/**
 * The thread of a stored address. Throws a non-retryable DeliveryError for an address this
 * adapter cannot reply to.
 */
export function threadOf(address: ChannelAddress): SlackThread {
  const parsed = referenceSchema.safeParse(address.reference);
  const thread = parsed.success ? referencedThread(address, parsed.data) : undefined;
  if (!thread) throw new DeliveryError(`Not a Slack address: ${address.channel} ${address.key}`, { retryable: false, platformCode: 'bad_address' });
  return withEnterprise(thread, parsed.data?.enterprise);
}

/**
 * The thread a reference names. This release writes none of team, channel and thread: the key
 * holds all three. Earlier releases wrote team and channel (and the thread) into every
 * reference, and those still read; one with only some of them names no thread.
 */
function referencedThread(address: ChannelAddress, { team, channel, thread_ts: threadTs }: z.infer<typeof referenceSchema>): SlackThread | undefined {
  if (team && channel) return threadTs ? { team, channel, threadTs } : { team, channel };
  const keyOnly = !team && !channel && !threadTs && address.channel === slackChannel;
  return keyOnly ? parseThreadKey(address.key) : undefined;
}

/** Slack direct-message channel ids start with D (for events without `channel_type`, e.g. clicks). */
export function isDirectMessageChannel(channelId: string, channelType?: string): boolean {
  return channelType !== undefined ? channelType === 'im' : channelId.startsWith('D');
}

/**
 * Whether a conversation key is in a DM (its running conversation or a thread there). Every DM
 * message reaches the bridge, so a DM's key never needs remembering to be followed.
 */
export function isDirectMessageKey(key: string): boolean {
  return isDirectMessageChannel(key.slice(key.indexOf(':') + 1));
}

/**
 * The conversation thread of a message: a DM message outside a thread belongs to the DM's
 * running conversation; anywhere else, a message starts (or continues) the thread it roots.
 */
export function conversationThread(input: { team: string; enterprise?: string; channel: string; ts: string; threadTs?: string; isDm: boolean }): SlackThread {
  const inThread = input.threadTs !== undefined && input.threadTs !== input.ts;
  if (input.isDm && !inThread) return withEnterprise({ team: input.team, channel: input.channel }, input.enterprise);
  return withEnterprise({ team: input.team, channel: input.channel, threadTs: inThread ? input.threadTs : input.ts }, input.enterprise);
}

function withEnterprise(thread: SlackThread, enterprise: string | undefined): SlackThread {
  return enterprise ? { ...thread, enterprise } : thread;
}
