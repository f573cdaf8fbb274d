/**
 * Full requester profiles (name, email or UPN) from the Teams roster via `TeamsInfo.getMember`,
 * looked up only when the core creates a conversation, in a proactive turn of the requester's
 * conversation, and cached, bounded, so a busy requester costs one roster call per hour.
 */
import { TeamsInfo } from 'botbuilder';
import { LRUCache } from 'lru-cache';
import type { ChannelAddress, RequesterProfile } from '../../src/core/visitor-event.js';
import { teamsLimits } from './limits.js';
import type { ProactiveSender } from './proactive-sender.js';

/** A bounded cache of requester profiles, keyed by tenant and Teams user id. */
export class RequesterProfiles {
  private readonly cache = new LRUCache<string, RequesterProfile>({ max: teamsLimits.profileCacheMax, ttl: teamsLimits.profileCacheTtlMs });

  /** The activity's profile (`basic`) completed from the roster of the conversation at `address`. */
  async lookup(sender: Pick<ProactiveSender, 'run'>, address: ChannelAddress, basic: RequesterProfile): Promise<RequesterProfile> {
    const userId = basic.extra?.teamsUserId;
    if (!userId) return basic;
    const key = `${basic.tenantId ?? ''}:${userId}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const member = await sender.run(address, 'roster member', (context) => TeamsInfo.getMember(context, userId));
    const profile: RequesterProfile = { ...basic, id: member.aadObjectId ?? basic.id };
    if (member.name) profile.name = member.name;
    // The UPN is personal data: it travels only as `email`, which the core sends with sanitize:true.
    const email = member.email ?? member.userPrincipalName;
    if (email) profile.email = email;
    if (member.tenantId) profile.tenantId = member.tenantId;
    this.cache.set(key, profile);
    return profile;
  }
}
