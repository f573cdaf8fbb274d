/**
 * Desk presence on Slack: the human members of the desk channel (conversations.members, paginated;
 * bots, apps and deactivated users left out via the cached users.info) and, member by member,
 * whether they are `active` (users.getPresence).
 *
 * users.getPresence is Web API Tier 3 (about 50 calls a minute per workspace, bursts tolerated), so
 * calls are paced per workspace by a token bucket: a read takes what the bucket holds and stops,
 * and the core asks for the rest on its next round. A 429 empties the bucket until its
 * Retry-After has passed and ends the read; the members not read keep their last known value in
 * the core (src/core/handoff/presence.ts), which also shares readings between replicas.
 */
import { LRUCache } from 'lru-cache';
import type { DeskPresenceSource, DeskTarget, PresenceReadRequest } from '../../../src/core/channel-adapter.js';
import type { Logger } from '../../../src/core/logger.js';
import { TokenBucket, type TokenBucketBudget } from '../../../src/core/token-bucket.js';
import { toDeliveryError } from '../slack-errors.js';
import type { SlackTokens } from '../slack-tokens.js';
import type { SlackUsers } from '../slack-users.js';
import type { SlackWebClient } from '../web-client.js';

/** users.getPresence per workspace: bursts of 10, then 40 a minute, so never more than 50 in any minute. */
export const slackPresenceBudget: TokenBucketBudget = { capacity: 10, refillPerMinute: 40 };
/** The pause after a 429 without a usable Retry-After: Slack's tiers are counted per minute. */
export const defaultRateLimitPauseMs = 60_000;
/** users.getPresence calls in flight at once. */
const concurrentCalls = 5;
/** conversations.members pages read at most (200 members each). */
const maxPages = 50;
/** Workspaces whose bucket is remembered. */
const maxWorkspaces = 1_000;

/** What presence needs. */
export interface DeskPresenceDeps {
  client: SlackWebClient;
  users: SlackUsers;
  /** The desk's workspace and its token. */
  tokens: SlackTokens;
  logger: Logger;
  now: () => number;
  /** The users.getPresence budget per workspace; default `slackPresenceBudget`. */
  budget?: TokenBucketBudget;
}

/** Presence of Slack desk channels. */
export class SlackDeskPresence implements DeskPresenceSource {
  private readonly buckets = new LRUCache<string, TokenBucket>({ max: maxWorkspaces });

  constructor(private readonly deps: DeskPresenceDeps) {}

  /** The desk channel's human members, the bridge's own bot user left out. */
  async members(desk: DeskTarget): Promise<string[]> {
    const workspace = await this.deps.tokens.deskWorkspace(desk);
    const { token, botUserId } = await this.deps.tokens.authFor(workspace);
    const humans: string[] = [];
    for (const id of await this.channelMembers(desk.channel, token)) {
      if (id === botUserId) continue;
      const user = await this.deps.users.get(id, workspace);
      if (!user.isBot && !user.deleted) humans.push(id);
    }
    return humans;
  }

  /** A member's display name (users.info in the desk's workspace, cached). */
  async memberName(desk: DeskTarget, userId: string): Promise<string | undefined> {
    return (await this.deps.users.get(userId, await this.deps.tokens.deskWorkspace(desk))).name;
  }

  /** Read members in the order given while the workspace's bucket has tokens; see DeskPresenceSource. */
  async readPresence(request: PresenceReadRequest): Promise<void> {
    const workspace = await this.deps.tokens.deskWorkspace(request.desk);
    const { token } = await this.deps.tokens.authFor(workspace);
    const bucket = this.bucketOf(workspace.team);
    const pending = [...request.userIds];
    const outcome = { answered: 0, failed: 0, firstError: undefined as unknown, rateLimited: false };
    const worker = async (): Promise<void> => {
      while (!outcome.rateLimited) {
        const userId = pending[0];
        if (userId === undefined || !bucket.tryTake(this.deps.now())) return;
        pending.shift();
        await this.readOne({ userId, token }, request, bucket, outcome);
      }
    };
    await Promise.all(Array.from({ length: concurrentCalls }, worker));
    const unread = pending.length;
    if (outcome.failed > 0 && outcome.answered === 0 && !outcome.rateLimited) throw outcome.firstError;
    if (outcome.failed > 0 || outcome.rateLimited) {
      this.deps.logger.warn(
        { err: outcome.firstError, deskId: request.desk.id, answered: outcome.answered, failed: outcome.failed, unread, rateLimited: outcome.rateLimited },
        'presence of some desk members not read; they keep their last known value',
      );
    }
  }

  private async readOne({ userId, token }: { userId: string; token: string }, request: PresenceReadRequest, bucket: TokenBucket, outcome: { answered: number; failed: number; firstError: unknown; rateLimited: boolean }): Promise<void> {
    try {
      const result = await this.deps.client.users.getPresence({ user: userId, token });
      outcome.answered += 1;
      request.onReading(userId, result.presence === 'active');
    } catch (error) {
      const failure = toDeliveryError(error, 'users.getPresence');
      if (failure.platformCode === 'ratelimited' || failure.platformCode === 'http_429') {
        outcome.rateLimited = true;
        const now = this.deps.now();
        bucket.pauseUntil(now + (failure.retryAfterMs ?? defaultRateLimitPauseMs), now);
      } else {
        outcome.failed += 1;
      }
      outcome.firstError ??= failure;
    }
  }

  private bucketOf(teamId: string): TokenBucket {
    let bucket = this.buckets.get(teamId);
    if (!bucket) {
      bucket = new TokenBucket(this.deps.budget ?? slackPresenceBudget, this.deps.now());
      this.buckets.set(teamId, bucket);
    }
    return bucket;
  }

  private async channelMembers(channel: string, token: string): Promise<string[]> {
    const members: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const result = await this.deps.client.conversations.members({ channel, limit: 200, token, ...(cursor ? { cursor } : {}) });
      members.push(...(result.members ?? []));
      cursor = result.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return members;
  }
}
