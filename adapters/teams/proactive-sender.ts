/**
 * Proactive delivery: bot replies arrive by webhook long after the user's turn ended, so each
 * message is sent with `continueConversationAsync` and the stored ConversationReference.
 * One attempt per call; the core's delivery loop retries. A message that renders to several
 * activities (long text, more than ten cards) is sent one activity per turn, and each one sent is
 * recorded as progress in the store (the core's DeliveryContext), so the retry after a 429
 * halfway through, also on another replica, continues where it stopped instead of repeating.
 */
import type { CloudAdapter, TurnContext } from 'botbuilder';
import type { DeliveryContext } from '../../src/core/channel-adapter.js';
import type { ChannelAddress } from '../../src/core/visitor-event.js';
import { DeliveryError } from '../../src/core/errors.js';
import type { OutgoingActivity } from './activity-shapes.js';
import { targetOf, type TeamsTarget } from './conversation-address.js';
import { toDeliveryError } from './delivery-errors.js';
import { withDeadline } from '../../src/core/deadline.js';
import { teamsLimits } from './limits.js';

/** Sends rendered activities into stored conversations. */
export class ProactiveSender {
  /**
   * @param turnDeadlineMs the deadline of one whole proactive turn (token acquisition included,
   *   which has no timeout of its own); shorter than the outbox's lease.
   */
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    private readonly now: () => number,
    private readonly turnDeadlineMs: number = teamsLimits.turnDeadlineMs,
  ) {}

  /** Send `activities` in order into the conversation at `address`, from `context.progress` on; throws `DeliveryError`. */
  async send(address: ChannelAddress, activities: OutgoingActivity[], context: Pick<DeliveryContext, 'progress' | 'saveProgress'>): Promise<void> {
    const target = this.target(address);
    for (let index = context.progress?.posted ?? 0; index < activities.length; index++) {
      try {
        await this.continueIn(target, async (turn) => {
          await turn.sendActivity(activities[index]!);
        });
      } catch (error) {
        throw toDeliveryError(error, 'proactive send', this.now);
      }
      // After the last one the entry is completed: a record of it would narrow no window for a repeat.
      if (index + 1 < activities.length) await context.saveProgress({ posted: index + 1 });
    }
  }

  /** Run `logic` in a proactive turn of the conversation at `address` (roster calls, updates). */
  async run<T>(address: ChannelAddress, operation: string, logic: (context: TurnContext) => Promise<T>): Promise<T> {
    const target = this.target(address);
    let result: T | undefined;
    try {
      await this.continueIn(target, async (context) => {
        result = await logic(context);
      });
    } catch (error) {
      throw toDeliveryError(error, operation, this.now);
    }
    return result as T;
  }

  private continueIn(target: TeamsTarget, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    // botbuilder's types ask for display names it never needs to send; the stored reference has none.
    const reference = target.reference as unknown as Parameters<CloudAdapter['continueConversationAsync']>[1];
    const turn = this.adapter.continueConversationAsync(this.botAppId, reference, logic);
    // TimeoutError, so the delivery loop retries.
    return withDeadline(turn, this.turnDeadlineMs, 'in a proactive Teams turn', 'TimeoutError');
  }

  private target(address: ChannelAddress): TeamsTarget {
    try {
      return targetOf(address);
    } catch (error) {
      throw new DeliveryError((error as Error).message, { retryable: false, platformCode: 'invalid_address', cause: error });
    }
  }
}
