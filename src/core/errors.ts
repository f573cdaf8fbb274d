/**
 * One error hierarchy for the bridge. Every error has a stable `code` that logs, metrics and
 * HTTP answers can rely on, and keeps the error that caused it as `cause`.
 * Messages never contain secrets: callers pass ids and statuses, never tokens or bodies.
 */

/** Stable error codes. */
export type BridgeErrorCode =
  | 'config_invalid'
  | 'bot_request_failed'
  | 'bot_auth_failed'
  | 'bot_not_found'
  | 'bot_forbidden'
  | 'delivery_failed'
  | 'conversation_not_found'
  | 'desk_not_found'
  | 'action_not_found'
  | 'action_failed'
  | 'store_failed'
  | 'store_unavailable'
  | 'lease_lost';

/** Base of every error the bridge raises on purpose. */
export class BridgeError extends Error {
  readonly code: BridgeErrorCode;

  constructor(code: BridgeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Start-up configuration is missing or wrong; the message names the variable or YAML path. */
export class ConfigError extends BridgeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config_invalid', message, options);
  }
}

/** A call to the bot's API failed. `retryable` says whether the same call may succeed later. */
export class BotRequestError extends BridgeError {
  readonly retryable: boolean;
  readonly status?: number;
  /** The bot API's `Retry-After`, when it sent one. */
  readonly retryAfterMs?: number;

  constructor(
    code: Extract<BridgeErrorCode, 'bot_request_failed' | 'bot_auth_failed' | 'bot_not_found' | 'bot_forbidden'>,
    message: string,
    options: { retryable: boolean; status?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(code, message, { cause: options.cause });
    this.retryable = options.retryable;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * A platform refused or failed a delivery. Adapters map their SDK errors to this so the one
 * delivery loop in the core decides about retries: `retryable` with an optional `retryAfterMs`
 * from the platform (Slack and Bot Framework `Retry-After`).
 */
export class DeliveryError extends BridgeError {
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /** The platform's own error name or HTTP status, for logs and metrics. */
  readonly platformCode?: string;

  constructor(
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; platformCode?: string; cause?: unknown },
  ) {
    super('delivery_failed', message, { cause: options.cause });
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.platformCode = options.platformCode;
  }
}

/** No conversation has the given platformConversationId. */
export class ConversationNotFoundError extends BridgeError {
  constructor(conversationId: string) {
    super('conversation_not_found', `Unknown platformConversationId ${conversationId}`);
  }
}

/** An escalation names a desk that is not configured and there is no default desk. */
export class DeskNotFoundError extends BridgeError {
  constructor(message: string) {
    super('desk_not_found', message);
  }
}

/** The action webhook named an action that is not configured. */
export class ActionNotFoundError extends BridgeError {
  constructor(name: string) {
    super('action_not_found', `Unknown action "${name}": add it under actions in bridge.yaml`);
  }
}

/** A configured action handler failed or timed out. */
export class ActionFailedError extends BridgeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('action_failed', message, options);
  }
}

/**
 * The store could not be reached in time, so the outcome of the operation is unknown (a Redis
 * command that timed out may still have run). HTTP answers it with 503: the sender retries, and
 * the atomic dedupe of `enqueue` makes that retry safe.
 */
export class StoreUnavailableError extends BridgeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store_unavailable', message, options);
  }
}

/** A queue's lease is no longer this caller's (it expired and another replica took the queue). */
export class LeaseLostError extends BridgeError {
  constructor(queue: string, token: number) {
    super('lease_lost', `The lease on ${queue} (token ${token}) is no longer current`);
  }
}
