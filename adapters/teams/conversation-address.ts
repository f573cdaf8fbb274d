/**
 * The one codec between a Teams conversation and the bridge's `ChannelAddress`: the key is the
 * Teams conversation id (a channel thread has its own, `19:…@thread.tacv2;messageid=…`), the
 * reference is what botbuilder's ConversationReference needs to write there later, plus the team
 * and tenant ids (proactive turns carry no channelData). Stored addresses are read back through a
 * schema, so a damaged one fails with a clear error instead of a confusing SDK one.
 */
import { z } from 'zod';
import type { ChannelAddress } from '../../src/core/visitor-event.js';

/** The channel name of Teams addresses. */
export const teamsChannel = 'teams';

const accountSchema = z.looseObject({ id: z.string().min(1), name: z.string().optional(), aadObjectId: z.string().optional() });

/** A ConversationReference as `TurnContext.getConversationReference` gives it. */
const incomingSchema = z.looseObject({
  channelId: z.string().min(1),
  serviceUrl: z.url({ protocol: /^https?$/ }),
  conversation: z.looseObject({ id: z.string().min(1), conversationType: z.string().optional(), tenantId: z.string().optional(), isGroup: z.boolean().optional() }),
  bot: accountSchema,
  user: accountSchema.optional(),
  locale: z.string().optional(),
});

/** The Bot Framework channel id of Microsoft Teams activities and conversation references. */
export const teamsChannelId = 'msteams';

/**
 * The reference as an address stores it: the tenant id once, and nothing sending does not need
 * (display names, the conversation's type, the user's directory id: the requester profile has
 * it; the conversation id: it is the address key; `channelId` when it is `msteams`, as it always
 * is with Teams auth on: an address without one reads as `msteams`; an emulator without auth may
 * send another, which is kept). Loose, so addresses stored with the full reference by earlier
 * releases still read.
 */
const storedSchema = z.looseObject({
  channelId: z.string().min(1).default(teamsChannelId),
  serviceUrl: z.url({ protocol: /^https?$/ }),
  conversation: z.looseObject({ tenantId: z.string().optional() }).optional(),
  bot: accountSchema,
  user: accountSchema.optional(),
  locale: z.string().optional(),
  teamId: z.string().optional(),
  tenantId: z.string().optional(),
});

/** A ConversationReference for botbuilder (plain JSON). */
export type ConversationReferenceJson = z.infer<typeof incomingSchema>;

/** What the adapter needs to write to a conversation. */
export interface TeamsTarget {
  /** The ConversationReference for `continueConversationAsync`. */
  reference: ConversationReferenceJson;
  teamId?: string;
  tenantId?: string;
}

/** The parts of an inbound activity the address is made from. */
export interface ReferenceSource {
  /** `TurnContext.getConversationReference(activity)`. */
  reference: Record<string, unknown>;
  teamId?: string;
  tenantId?: string;
}

/** The address of the conversation an activity belongs to. */
export function addressOf(source: ReferenceSource): ChannelAddress {
  // The activity id changes with every message and is not kept, so the stored address is stable.
  const { channelId, serviceUrl, conversation, bot, user, locale } = incomingSchema.parse(withoutNulls(source.reference));
  const reference = withoutUndefined({
    channelId: channelId === teamsChannelId ? undefined : channelId,
    serviceUrl,
    bot: { id: bot.id },
    user: user && { id: user.id },
    locale,
    teamId: source.teamId,
    tenantId: source.tenantId ?? conversation.tenantId,
  });
  return { channel: teamsChannel, key: conversation.id, reference };
}

/** Read a stored address back; throws with the first problem when it is not a Teams address. */
export function targetOf(address: ChannelAddress): TeamsTarget {
  if (address.channel !== teamsChannel) throw new Error(`Not a Teams address: channel "${address.channel}"`);
  const parsed = storedSchema.safeParse(address.reference);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Stored Teams address ${address.key} is invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const { teamId, tenantId: storedTenantId, conversation, ...reference } = parsed.data;
  // An address from an earlier release may hold the tenant only in its conversation.
  const tenantId = storedTenantId ?? conversation?.tenantId;
  return { reference: { ...reference, conversation: { id: address.key, ...(tenantId ? { tenantId } : {}) } }, teamId, tenantId };
}

/** A Teams channel's root conversation id, without the `;messageid=` of a thread. */
export function channelOf(conversationId: string): string {
  const at = conversationId.indexOf(';messageid=');
  return at < 0 ? conversationId : conversationId.slice(0, at);
}

/** The conversation id of the thread under the channel post `messageId`. */
export function threadOf(channelId: string, messageId: string): string {
  return `${channelOf(channelId)};messageid=${messageId}`;
}

/** A copy without null fields: some channels send `null` for absent ones, which the stored reference leaves out. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).flatMap(([key, field]) => (field === null ? [] : [[key, withoutNulls(field)]])));
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
