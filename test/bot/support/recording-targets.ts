/**
 * Recording fakes of the core's side of the bot webhooks (BotOutput, WidgetOutput, ActionRunner).
 * They behave like the core at its boundary: unknown conversations throw
 * ConversationNotFoundError, and a test can make the next call fail with any error.
 */
import type { BotOutput, WidgetOutput } from '../../../src/bot/bot-backend.js';
import type { ActionRequest, ActionResult, ActionRunner } from '../../../src/actions/action-handler.js';
import type { BotMessage } from '../../../src/core/bot-message.js';
import { ActionNotFoundError, ConversationNotFoundError } from '../../../src/core/errors.js';

/** One recorded call. */
export type RecordedCall =
  | { target: 'output'; method: 'messages'; conversationId: string; messages: BotMessage[] }
  | { target: 'output'; method: 'escalate'; conversationId: string; escalateTo?: string }
  | { target: 'output'; method: 'isTeamOnline'; teamId?: string }
  | { target: 'output'; method: 'conversationEnded'; conversationId: string }
  | { target: 'widget'; method: 'escalate'; conversationId: string; escalateTo?: string }
  | { target: 'widget'; method: 'message'; conversationId: string; text: string }
  | { target: 'widget'; method: 'end'; conversationId: string }
  | { target: 'actions'; method: 'run'; request: ActionRequest };

/** Shared state of the fakes. */
export class RecordingTargets {
  readonly calls: RecordedCall[] = [];
  readonly knownConversations = new Set<string>();
  /** What isTeamOnline answers. */
  teamOnline = true;
  /** Results by action name; other names throw ActionNotFoundError. */
  readonly actionResults = new Map<string, ActionResult[]>();
  /** When set, the next call of any target throws it (and records nothing). */
  failNext?: Error;

  constructor(conversationIds: Iterable<string> = []) {
    for (const id of conversationIds) this.knownConversations.add(id);
  }

  readonly output: BotOutput = {
    messages: async (conversationId, messages) => this.record(conversationId, { target: 'output', method: 'messages', conversationId, messages }),
    escalate: async (conversationId, escalateTo) => this.record(conversationId, { target: 'output', method: 'escalate', conversationId, escalateTo }),
    isTeamOnline: async (teamId) => {
      this.record(undefined, { target: 'output', method: 'isTeamOnline', teamId });
      return this.teamOnline;
    },
    conversationEnded: async (conversationId) => this.record(conversationId, { target: 'output', method: 'conversationEnded', conversationId }),
  };

  readonly widget: WidgetOutput = {
    escalate: async (conversationId, escalateTo) => this.record(conversationId, { target: 'widget', method: 'escalate', conversationId, escalateTo }),
    message: async (conversationId, text) => this.record(conversationId, { target: 'widget', method: 'message', conversationId, text }),
    end: async (conversationId) => this.record(conversationId, { target: 'widget', method: 'end', conversationId }),
  };

  readonly actions: ActionRunner = {
    run: async (request) => {
      this.record(request.platformConversationId, { target: 'actions', method: 'run', request });
      const results = this.actionResults.get(request.name);
      if (!results) throw new ActionNotFoundError(request.name);
      return results;
    },
  };

  private record(conversationId: string | undefined, call: RecordedCall): void {
    const failure = this.failNext;
    if (failure) {
      this.failNext = undefined;
      throw failure;
    }
    if (conversationId !== undefined && !this.knownConversations.has(conversationId)) throw new ConversationNotFoundError(conversationId);
    this.calls.push(call);
  }
}
