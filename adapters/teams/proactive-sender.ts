/**
 * Proactive delivery: bot replies arrive by webhook long after the user's turn ended, so each
 * message is sent with `continueConversationAsync` and the stored ConversationReference.
 * One attempt per call; the core's delivery loop retries. A message that renders to several
 * activities (long text, more than ten cards) remembers how many of them already went out, so
 * the retry after a 429 halfway through continues where it stopped instead of repeating.
 */
import { createHash } from 'node:crypto';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import { LRUCache } from 'lru-cache';
import type { ChannelAddress } from '../../src/core/visitor-event.js';
import { DeliveryError } from '../../src/core/errors.js';
import type { OutgoingActivity } from './activity-shapes.js';
import { targetOf, type TeamsTarget } from './conversation-address.js';
import { toDeliveryError } from './delivery-errors.js';
import { withDeadline } from '../../src/core/deadline.js';

/** How long a half-sent message's progress is kept: longer than the delivery loop retries. */
const progressTtlMs = 30 * 60_000;

/** Sends rendered activities into stored conversations. */
export class ProactiveSender {
  private readonly progress = new LRUCache<string, number>({ max: 10_000, ttl: progressTtlMs });

  /**
   * @param requestTimeoutMs the connector's per-request timeout; a whole turn gets a deadline of a
   *   few of those, because the token acquisition before the requests has no timeout of its own.
   */
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    private readonly now: () => number,
    private readonly requestTimeoutMs: number,
  ) {}

  /** Send `activities` in order into the conversation at `address`; throws `DeliveryError`. */
  async send(address: ChannelAddress, activities: OutgoingActivity[]): Promise<void> {
    const target = this.target(address);
    const key = progressKey(address.key, activities);
    let sent = this.progress.get(key) ?? 0;
    try {
      await this.continueIn(target, activities.length - sent, async (context) => {
        for (const activity of activities.slice(sent)) {
          await context.sendActivity(activity);
          sent += 1;
        }
      });
      this.progress.delete(key);
    } catch (error) {
      if (sent > 0) this.progress.set(key, sent);
      throw toDeliveryError(error, 'proactive send', this.now);
    }
  }

  /** Run `logic` in a proactive turn of the conversation at `address` (roster calls, updates). */
  async run<T>(address: ChannelAddress, operation: string, logic: (context: TurnContext) => Promise<T>): Promise<T> {
    const target = this.target(address);
    let result: T | undefined;
    try {
      await this.continueIn(target, 1, async (context) => {
        result = await logic(context);
      });
    } catch (error) {
      throw toDeliveryError(error, operation, this.now);
    }
    return result as T;
  }

  private continueIn(target: TeamsTarget, requests: number, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const turn = this.adapter.continueConversationAsync(this.botAppId, target.reference as Parameters<CloudAdapter['continueConversationAsync']>[1], logic);
    // A token request plus the turn's own requests; TimeoutError so the delivery loop retries.
    return withDeadline(turn, this.requestTimeoutMs * (requests + 2), 'in a proactive Teams turn', 'TimeoutError');
  }

  private target(address: ChannelAddress): TeamsTarget {
    try {
      return targetOf(address);
    } catch (error) {
      throw new DeliveryError((error as Error).message, { retryable: false, platformCode: 'invalid_address', cause: error });
    }
  }
}

function progressKey(conversationKey: string, activities: OutgoingActivity[]): string {
  return createHash('sha256').update(conversationKey).update('\n').update(JSON.stringify(activities)).digest('base64url');
}
