/**
 * Full requester profiles (name, email or UPN) from the Teams roster via
 * `TeamsInfo.getMember`, looked up only when the core asks (a new conversation) and cached,
 * bounded, so a busy requester costs one roster call per hour.
 */
import { TeamsInfo, type TurnContext } from 'botbuilder';
import { LRUCache } from 'lru-cache';
import type { RequesterProfile } from '../../src/core/visitor-event.js';
import { teamsLimits } from './limits.js';

/** A bounded cache of requester profiles, keyed by tenant and Teams user id. */
export class RequesterProfiles {
  private readonly cache = new LRUCache<string, RequesterProfile>({ max: teamsLimits.profileCacheMax, ttl: teamsLimits.profileCacheTtlMs });

  /** A loader for the core's `loadProfile`: the activity's profile completed from the roster. */
  loader(context: TurnContext, basic: RequesterProfile): () => Promise<RequesterProfile> {
    return async () => {
      const userId = context.activity.from?.id;
      if (!userId) return basic;
      const key = `${basic.tenantId ?? ''}:${userId}`;
      const cached = this.cache.get(key);
      if (cached) return cached;
      const member = await TeamsInfo.getMember(context, userId);
      const profile: RequesterProfile = { ...basic, id: member.aadObjectId ?? basic.id };
      if (member.name) profile.name = member.name;
      const email = member.email ?? member.userPrincipalName;
      if (email) profile.email = email;
      if (member.tenantId) profile.tenantId = member.tenantId;
      // The UPN is personal data: it travels only as `email`, which the core sends with sanitize:true.
      this.cache.set(key, profile);
      return profile;
    };
  }
}
