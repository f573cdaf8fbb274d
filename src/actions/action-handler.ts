/**
 * Actions: the bot's Actions webhook names an action and passes data; a handler registered under
 * that name runs it synchronously and answers results the bot stores in its session.
 */
import type { ConversationRecord } from '../store/store.js';

/** One parameter of an action request; values arrive as an array. */
export interface ActionParameter {
  key: string;
  value: unknown[];
  saveAs?: string;
}

/** A parsed Actions webhook request. */
export interface ActionRequest {
  name: string;
  platformConversationId: string;
  data: ActionParameter[];
}

/** One result returned to the bot. */
export interface ActionResult {
  key: string;
  value: string | number | boolean;
  sanitize?: boolean;
}

/** What a handler may use while running. */
export interface ActionContext {
  /** The conversation the action runs for, when the bridge knows it. */
  conversation?: ConversationRecord;
  /** Aborted when the webhook's deadline passes. */
  signal: AbortSignal;
}

/** A runnable action. Throw `ActionFailedError` for failures the bot should see as 502. */
export interface ActionHandler {
  run(request: ActionRequest, context: ActionContext): Promise<ActionResult[]>;
}

/** Runs actions by name (the Actions webhook's only dependency). */
export interface ActionRunner {
  /** Throws `ActionNotFoundError` or `ActionFailedError`. */
  run(request: ActionRequest): Promise<ActionResult[]>;
}
