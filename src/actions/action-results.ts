/**
 * The one check of what an action hands back to the bot: Ultimate stores each result as a
 * session variable, so a key must be a non-empty string and a value a string, a finite number
 * or a boolean. Anything else is refused with the path of the first problem, never the value
 * (it may be personal data).
 */
import { z } from 'zod';
import type { ActionResult } from './action-handler.js';
import { ActionFailedError } from '../core/errors.js';

const actionResultSchema = z.object({
  key: z.string().min(1, 'must be a non-empty string'),
  // zod 4's number() already refuses NaN and Infinity, which JSON cannot carry.
  value: z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, a finite number or a boolean' }),
  sanitize: z.boolean().optional(),
});

const actionResultsSchema = z.array(actionResultSchema, { error: 'must be an array of {key, value, sanitize?}' });

/** Validate `value` as a list of results of action `actionName`; unknown fields are dropped. */
export function parseActionResults(actionName: string, value: unknown): ActionResult[] {
  const parsed = actionResultsSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = ['results', ...issue.path.map(String)].join('.');
    throw new ActionFailedError(`Action "${actionName}" returned an invalid result at ${path}: ${issue.message}`);
  }
  return parsed.data.map(({ key, value: resultValue, sanitize }) =>
    sanitize === undefined ? { key, value: resultValue } : { key, value: resultValue, sanitize },
  );
}
