/**
 * The one codec between a Teams conversation and the bridge's `ChannelAddress`: the key is the
 * Teams conversation id (a channel thread has its own, `19:…@thread.tacv2;messageid=…`), the
 * reference is the ConversationReference botbuilder needs to write there later, plus the team
 * and tenant ids (proactive turns carry no channelData). Stored addresses are read back through
 * the same schema, so a damaged one fails with a clear error instead of a confusing SDK one.
 */
import { z } from 'zod';
import type { ChannelAddress } from '../../src/core/visitor-event.js';

/** The channel name of Teams addresses. */
export const teamsChannel = 'teams';

const accountSchema = z.looseObject({ id: z.string().min(1), name: z.string().optional(), aadObjectId: z.string().optional() });

const referenceSchema = z.looseObject({
  channelId: z.string().min(1),
  serviceUrl: z.url({ protocol: /^https?$/ }),
  conversation: z.looseObject({ id: z.string().min(1), conversationType: z.string().optional(), tenantId: z.string().optional(), isGroup: z.boolean().optional() }),
  bot: accountSchema,
  user: accountSchema.optional(),
  locale: z.string().optional(),
  teamId: z.string().optional(),
  tenantId: z.string().optional(),
});

/** A ConversationReference as stored in an address (plain JSON). */
export type StoredReference = z.infer<typeof referenceSchema>;

/** What the adapter needs to write to a conversation. */
export interface TeamsTarget {
  /** The ConversationReference for `continueConversationAsync` (without the bridge's extra ids). */
  reference: Omit<StoredReference, 'teamId' | 'tenantId'>;
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
  // The activity id changes with every message; leaving it out keeps the stored address stable.
  const { activityId: _activityId, ...reference } = withoutNulls(source.reference) as Record<string, unknown>;
  const stored = referenceSchema.parse({ ...reference, teamId: source.teamId, tenantId: source.tenantId });
  return { channel: teamsChannel, key: stored.conversation.id, reference: withoutUndefined(stored) };
}

/** Read a stored address back; throws with the first problem when it is not a Teams address. */
export function targetOf(address: ChannelAddress): TeamsTarget {
  if (address.channel !== teamsChannel) throw new Error(`Not a Teams address: channel "${address.channel}"`);
  const parsed = referenceSchema.safeParse(address.reference);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Stored Teams address ${address.key} is invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const { teamId, tenantId, ...reference } = parsed.data;
  return { reference, teamId, tenantId };
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

function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));
}
