/**
 * Slack users as the bridge needs them (requester profiles, agent names and avatars, who is a
 * bot), from users.info (through the lean transport: every new requester costs one), cached in a
 * bounded lru with a TTL; concurrent lookups of one user share one call. The lookup uses the
 * token of the workspace the user was met in; the cache is keyed by user id alone, since Slack
 * user ids are unique across workspaces.
 */
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { AgentRef } from '../../src/core/channel-adapter.js';
import type { RequesterProfile } from '../../src/core/visitor-event.js';
import { tokenFor, type SlackTokens, type SlackWorkspace } from './slack-tokens.js';
import type { LeanWebApi } from './lean-web-api.js';

/**
 * What the bridge keeps of a Slack user: every field is present (undefined when Slack gave
 * none), so all entries share one shape with their fields inside the object (96 bytes, where
 * optional fields added one by one took 48 and a 64-byte property array), and `id` is the
 * cache's own key string rather than a second copy.
 */
export interface SlackUser {
  id: string;
  teamId: string | undefined;
  name: string | undefined;
  email: string | undefined;
  timezone: string | undefined;
  locale: string | undefined;
  avatarUrl: string | undefined;
  /** Bots, apps and Slackbot never count as desk members or requesters. */
  isBot: boolean;
  deleted: boolean;
}

const usersInfoSchema = z.object({
  user: z.object({
    id: z.string(),
    team_id: z.string().optional(),
    name: z.string().optional(),
    real_name: z.string().optional(),
    deleted: z.boolean().optional(),
    is_bot: z.boolean().optional(),
    is_app_user: z.boolean().optional(),
    tz: z.string().nullish(),
    locale: z.string().optional(),
    profile: z
      .object({
        real_name: z.string().optional(),
        display_name: z.string().optional(),
        email: z.string().optional(),
        image_72: z.string().optional(),
        image_192: z.string().optional(),
      })
      .optional(),
  }),
});

/** How many users the cache holds at most. */
export const slackUsersCacheMax = 5000;

/** Cached users.info lookups. */
export class SlackUsers {
  private readonly cache: LRUCache<string, SlackUser, SlackWorkspace>;

  constructor(api: Pick<LeanWebApi, 'call'>, tokens: SlackTokens, options: { max?: number; ttlMs?: number } = {}) {
    this.cache = new LRUCache<string, SlackUser, SlackWorkspace>({
      max: options.max ?? slackUsersCacheMax,
      ttl: options.ttlMs ?? 15 * 60_000,
      fetchMethod: async (userId, _stale, { context }) => {
        const token = await tokenFor(tokens, context);
        const { user } = usersInfoSchema.parse(await api.call('users.info', { user: userId, include_locale: true }, token));
        // The cache's key string serves as the id when Slack answers with the same id.
        return toSlackUser(user.id === userId ? userId : user.id, user);
      },
    });
  }

  /** The user, from the cache or users.info in `workspace`; rejects when Slack does not answer. */
  async get(userId: string, workspace: SlackWorkspace): Promise<SlackUser> {
    const user = await this.cache.fetch(userId, { context: workspace });
    if (!user) throw new Error(`users.info returned no user for ${userId}`);
    return user;
  }
}

/** The requester profile the core sends to the bot as metaData (email is sanitized there). */
export function requesterProfile(user: SlackUser, teamId: string): RequesterProfile {
  const profile: RequesterProfile = { id: user.id, extra: { slackTeamId: user.teamId ?? teamId } };
  if (user.name) profile.name = user.name;
  if (user.email) profile.email = user.email;
  if (user.timezone) profile.timezone = user.timezone;
  if (user.locale) profile.locale = user.locale;
  return profile;
}

/** The agent as the core shows them to the requester. */
export function agentRef(user: SlackUser): AgentRef {
  const agent: AgentRef = { id: user.id, name: user.name ?? user.id };
  if (user.avatarUrl) agent.avatarUrl = user.avatarUrl;
  return agent;
}

function toSlackUser(id: string, raw: z.infer<typeof usersInfoSchema>['user']): SlackUser {
  const profile = raw.profile ?? {};
  return {
    id,
    teamId: raw.team_id || undefined,
    name: firstText(profile.real_name, raw.real_name, profile.display_name, raw.name),
    email: profile.email || undefined,
    timezone: raw.tz || undefined,
    locale: raw.locale || undefined,
    avatarUrl: profile.image_192 || profile.image_72 || undefined,
    isBot: Boolean(raw.is_bot || raw.is_app_user) || id === 'USLACKBOT',
    deleted: Boolean(raw.deleted),
  };
}

function firstText(...values: Array<string | undefined>): string | undefined {
  return values.find((value) => value !== undefined && value.trim() !== '');
}
