/**
 * The built-in action types that bridge.yaml can configure (`type:` of an entry under `actions`).
 */
import type { ActionHandler } from './action-handler.js';
import { HttpAction } from './http-action.js';
import { RequesterProfileAction } from './requester-profile-action.js';
import type { ActionConfig } from '../config/bridge-config.js';
import { assertNever } from '../core/bot-message.js';

/** A built-in handler and the deadline its configuration asks for (undefined: the registry's default). */
export interface BuiltinAction {
  handler: ActionHandler;
  timeoutMs?: number;
}

/** Build the handler for one configured action. */
export function createBuiltinAction(config: ActionConfig): BuiltinAction {
  switch (config.type) {
    case 'http':
      return { handler: new HttpAction(config), timeoutMs: config.timeoutMs };
    case 'requester-profile':
      return { handler: new RequesterProfileAction({ name: config.name, fields: config.fields }) };
    default:
      return assertNever(config);
  }
}
