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

/** A parsed Actions webhook request, or the bridge's own close-out call (`onResolve`). */
export interface ActionRequest {
  name: string;
  platformConversationId: string;
  data: ActionParameter[];
  /** Set on a desk's `onResolve` call: the closed ticket. */
  ticket?: ClosedTicket;
}

/** A closed ticket as `onResolve` actions get it; times are ISO 8601 (UTC). */
export interface ClosedTicket {
  id: string;
  desk: string;
  /** resolved, returned, timed_out, cancelled or failed. */
  state: string;
  requester: { id: string; name?: string; email?: string; platform: string };
  assignee: { id: string; name: string } | null;
  openedAt: string;
  closedAt: string;
  transcript: Array<{ from: string; text: string; at: string }>;
  /** The requester's rating (1 to 5), on the second call once it arrived. */
  csat?: number;
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
