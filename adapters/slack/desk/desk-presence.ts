/**
 * Desk presence on Slack: the human members of the desk channel (conversations.members, paginated;
 * bots, apps and deactivated users left out via the cached users.info) and how many of them are
 * `active` (users.getPresence). users.getPresence is Tier 3 (about 50 calls a minute), so each
 * member's reading is kept for a while and members are asked a few at a time.
 */
import { LRUCache } from 'lru-cache';
import type { DeskPresence, DeskTarget } from '../../../src/core/channel-adapter.js';
import type { Logger } from '../../../src/core/logger.js';
import type { BotIdentitySource } from '../bot-identity.js';
import type { SlackUsers } from '../slack-users.js';
import type { SlackWebClient } from '../web-client.js';

/** How long one member's presence reading is reused. */
export const memberPresenceTtlMs = 60_000;
/** Members asked at once. */
const batchSize = 10;
/** conversations.members pages read at most (200 members each). */
const maxPages = 50;

/** What presence needs. */
export interface DeskPresenceDeps {
  client: SlackWebClient;
  users: SlackUsers;
  identity: BotIdentitySource;
  logger: Logger;
  now: () => number;
}

/** Presence of Slack desk channels. */
export class SlackDeskPresence {
  private readonly readings = new LRUCache<string, { active: boolean; at: number }>({ max: 10_000 });

  constructor(private readonly deps: DeskPresenceDeps) {}

  /** Members and present members of the desk channel. Throws when Slack answers for none of them. */
  async presence(desk: DeskTarget): Promise<DeskPresence> {
    const bot = await this.deps.identity.get();
    const humans: string[] = [];
    for (const id of await this.members(desk.channel)) {
      if (id === bot.userId) continue;
      const user = await this.deps.users.get(id);
      if (!user.isBot && !user.deleted) humans.push(id);
    }
    let present = 0;
    let answered = 0;
    let firstError: unknown;
    for (let start = 0; start < humans.length; start += batchSize) {
      const batch = await Promise.allSettled(humans.slice(start, start + batchSize).map((id) => this.isActive(id)));
      for (const result of batch) {
        if (result.status === 'fulfilled') {
          answered += 1;
          if (result.value) present += 1;
        } else {
          firstError ??= result.reason;
        }
      }
    }
    if (humans.length > 0 && answered === 0) throw firstError;
    if (firstError) this.deps.logger.warn({ err: firstError, deskId: desk.id, unanswered: humans.length - answered }, 'presence of some desk members unknown');
    return { members: humans.length, present };
  }

  private async members(channel: string): Promise<string[]> {
    const members: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const result = await this.deps.client.conversations.members({ channel, limit: 200, ...(cursor ? { cursor } : {}) });
      members.push(...(result.members ?? []));
      cursor = result.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return members;
  }

  private async isActive(userId: string): Promise<boolean> {
    const cached = this.readings.get(userId);
    if (cached && this.deps.now() - cached.at < memberPresenceTtlMs) return cached.active;
    const result = await this.deps.client.users.getPresence({ user: userId });
    const active = result.presence === 'active';
    this.readings.set(userId, { active, at: this.deps.now() });
    return active;
  }
}
