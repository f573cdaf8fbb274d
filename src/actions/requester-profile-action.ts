/**
 * Built-in action `requester-profile`: the stored profile of the conversation's requester, as
 * results. The keys are the ones the bot already gets as metaData on the first message
 * (`platform`, `userId`, `name`, `email`, `locale`, `timezone`, `tenantId` and the adapter's
 * extra fields such as `slackTeamId`), so one name means one thing in the bot's session.
 * `email` is always `sanitize: true`. Fields without a value are left out.
 */
import type { ActionContext, ActionHandler, ActionResult } from './action-handler.js';
import { ActionFailedError } from '../core/errors.js';
import { requesterMetaData } from '../core/requester-metadata.js';

/** Options of a requester-profile action. */
export interface RequesterProfileActionOptions {
  /** The action's name, for error messages. */
  name: string;
  /** Result keys to return; every known field when omitted. */
  fields?: readonly string[];
}

/** The `requester-profile` action. */
export class RequesterProfileAction implements ActionHandler {
  private readonly fields?: ReadonlySet<string>;

  constructor(private readonly options: RequesterProfileActionOptions) {
    this.fields = options.fields ? new Set(options.fields) : undefined;
  }

  /** The requester's profile fields; fails when the bridge does not know the conversation. */
  async run(request: { platformConversationId: string }, context: ActionContext): Promise<ActionResult[]> {
    const conversation = context.conversation;
    if (!conversation) {
      throw new ActionFailedError(
        `Action "${this.options.name}" failed: no conversation ${request.platformConversationId} is known to the bridge`,
      );
    }
    const results = requesterMetaData(conversation.requester, conversation.address.channel);
    const fields = this.fields;
    return fields ? results.filter((result) => fields.has(result.key)) : results;
  }
}
