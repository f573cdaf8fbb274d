/**
 * The actions the bridge can run, by name. The Actions webhook is synchronous (the bot waits for
 * the answer), so every run has a deadline: a handler that hangs is aborted through its signal
 * and the bot gets a clear failure instead of a webhook that never answers.
 */
import type { ActionHandler, ActionRequest, ActionResult, ActionRunner } from './action-handler.js';
import { parseActionResults } from './action-results.js';
import { createBuiltinAction } from './builtin-actions.js';
import type { ActionConfig } from '../config/bridge-config.js';
import { ActionFailedError, ActionNotFoundError, BridgeError, ConfigError } from '../core/errors.js';
import type { ConversationRecord } from '../store/store.js';

/**
 * Deadline of an action registered without its own `timeoutMs`. Zendesk asks integrations to
 * answer AI agents within 9 seconds, so the bridge answers (with a failure if need be) before that.
 */
export const defaultActionTimeoutMs = 8000;

/** Options of one registered action. */
export interface ActionOptions {
  /** How long a run may take before it is aborted and fails; `defaultTimeoutMs` when omitted. */
  timeoutMs?: number;
}

/** What the registry needs from the rest of the bridge. */
export interface ActionRegistryDeps {
  /** The conversation an action runs for (`Store.getConversation`); undefined when unknown. */
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  /** Deadline for actions without their own; `defaultActionTimeoutMs` when omitted. */
  defaultTimeoutMs?: number;
}

/** An `ActionRunner` that can also be extended by name (what the demo bot and integrators need). */
export interface ActionCatalog extends ActionRunner {
  has(name: string): boolean;
  register(name: string, handler: ActionHandler, options?: ActionOptions): void;
}

interface Registration {
  handler: ActionHandler;
  timeoutMs: number;
}

/** Action handlers by name, run with a deadline and checked results. */
export class ActionRegistry implements ActionCatalog {
  private readonly handlers = new Map<string, Registration>();
  private readonly defaultTimeoutMs: number;

  constructor(private readonly deps: ActionRegistryDeps) {
    this.defaultTimeoutMs = deps.defaultTimeoutMs ?? defaultActionTimeoutMs;
    requireTimeout('defaultTimeoutMs', this.defaultTimeoutMs);
  }

  /** A registry holding the built-in actions configured under `actions` in bridge.yaml. */
  static fromConfig(actions: readonly ActionConfig[], deps: ActionRegistryDeps): ActionRegistry {
    const registry = new ActionRegistry(deps);
    for (const config of actions) {
      const { handler, timeoutMs } = createBuiltinAction(config);
      registry.register(config.name, handler, { timeoutMs });
    }
    return registry;
  }

  /**
   * Add an action of your own under the name the bot sends. Names are unique: registering a
   * name twice is a `ConfigError`, so a handler never silently replaces another.
   *
   * @example
   * registry.register('createTicket', {
   *   async run(request, { conversation, signal }) {
   *     const id = await crm.createTicket(request.data, { signal });
   *     return [{ key: 'ticketId', value: id }];
   *   },
   * }, { timeoutMs: 3000 });
   */
  register(name: string, handler: ActionHandler, options: ActionOptions = {}): void {
    if (name.length === 0) throw new ConfigError('An action needs a non-empty name');
    if (this.handlers.has(name)) throw new ConfigError(`Action "${name}" is already registered`);
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    requireTimeout(`timeoutMs of action "${name}"`, timeoutMs);
    this.handlers.set(name, { handler, timeoutMs });
  }

  /** Whether an action of that name is registered. */
  has(name: string): boolean {
    return this.handlers.has(name);
  }

  /** The registered names, for start-up logs. */
  names(): string[] {
    return [...this.handlers.keys()];
  }

  /** Run the named action. Throws `ActionNotFoundError`, or `ActionFailedError` on failure or timeout. */
  async run(request: ActionRequest): Promise<ActionResult[]> {
    const registration = this.handlers.get(request.name);
    if (!registration) throw new ActionNotFoundError(request.name);
    const conversation = await this.deps.getConversation(request.platformConversationId);
    const { handler, timeoutMs } = registration;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new ActionFailedError(`Action "${request.name}" timed out after ${timeoutMs} ms`);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    });
    try {
      // The race settles on the deadline even if the handler ignores its signal; the handler's
      // late outcome is still observed by the race, so it never becomes an unhandled rejection.
      const results = await Promise.race([handler.run(request, { conversation, signal: controller.signal }), deadline]);
      return parseActionResults(request.name, results);
    } catch (error) {
      throw asActionError(request.name, error);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Bridge errors keep their meaning; anything else becomes an `ActionFailedError` without its message. */
function asActionError(name: string, error: unknown): BridgeError {
  if (error instanceof BridgeError) return error;
  // A foreign error's message may quote a URL with a token or a response body: name only its type.
  const type = error instanceof Error ? error.name : typeof error;
  return new ActionFailedError(`Action "${name}" failed: its handler threw ${type}`, { cause: error });
}

function requireTimeout(what: string, timeoutMs: number): void {
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    throw new ConfigError(`${what} must be a positive whole number of milliseconds, got ${String(timeoutMs)}`);
  }
}
