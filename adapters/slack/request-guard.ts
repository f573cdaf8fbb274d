/**
 * A gate in front of Bolt's receiver on POST /slack/events. Bolt answers 500 for correctly
 * signed bodies it cannot classify (`null`, an `event` that is a string) and 404 after its
 * 3-second timeout for shapes nobody acks; this gate reads the body once (Bolt reuses it as
 * `rawBody`), and for a body with a valid signature answers 400 for what Slack never sends and
 * 200 for the documented envelopes the bridge has no listener for. The signature check stays
 * Bolt's (`isValidSlackRequest`); an unsigned request goes on to Bolt, which answers 401.
 */
import { parse as parseQuery } from 'node:querystring';
import { isValidSlackRequest } from '@slack/bolt';
import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from '../../src/core/logger.js';

/** Interactivity payload types Slack may send to an app that the bridge does not act on. */
const ignoredInteractions = new Set([
  'shortcut',
  'message_action',
  'view_submission',
  'view_closed',
  'block_suggestion',
  'interactive_message',
  'dialog_submission',
  'dialog_cancellation',
  'dialog_suggestion',
  'workflow_step_edit',
]);

/** Events API envelope types besides event_callback and url_verification that need only an ack. */
const ignoredEnvelopes = new Set(['app_rate_limited']);

/** What the gate decided about a signed body. */
export type RequestShape = { verdict: 'pass' } | { verdict: 'ignore'; reason: string } | { verdict: 'reject'; reason: string };

/** The body as Bolt parses it: form bodies with `payload` are its JSON, other form bodies their fields, anything else JSON. */
export function parseLikeBolt(body: string, contentType: string | undefined): unknown {
  if (contentType === 'application/x-www-form-urlencoded') {
    const fields = parseQuery(body);
    return typeof fields.payload === 'string' ? JSON.parse(fields.payload) : { ...fields };
  }
  return JSON.parse(body);
}

/**
 * Classify a parsed body. Pure. The order follows Bolt's own (`event` first, then `command`,
 * then `type`), and each check covers the fields Bolt dereferences before any listener runs.
 */
export function classifyRequestShape(body: unknown): RequestShape {
  if (!isObject(body)) return reject('the body is not a JSON object');
  if (body.ssl_check !== undefined) return pass();
  if (body.event !== undefined) return eventProblem(body) ?? pass();
  if (body.command !== undefined) return typeof body.command === 'string' && body.command.startsWith('/') ? pass() : reject('command is not a slash command');
  const type = body.type;
  if (typeof type !== 'string') return reject('the body has no type');
  switch (type) {
    case 'url_verification':
      return typeof body.challenge === 'string' ? pass() : reject('url_verification without a challenge');
    case 'event_callback':
      return reject('event_callback without an event');
    case 'block_actions':
      return actionsProblem(body) ?? pass();
    default:
      if (ignoredInteractions.has(type) || ignoredEnvelopes.has(type)) return { verdict: 'ignore', reason: `${type} (no listener)` };
      return reject(`unknown type ${JSON.stringify(type.slice(0, 40))}`);
  }
}

/** The gate, for the Slack route only. `bodyLimit` in bytes, as Bolt's own. */
export function slackRequestGuard(options: { signingSecret: string; bodyLimit: number; logger: Logger }): RequestHandler[] {
  // Slack does not compress its requests; the signature covers the bytes as sent.
  const readRaw = express.raw({ type: () => true, limit: options.bodyLimit, inflate: false });
  const gate: RequestHandler = (req: Request & { rawBody?: Buffer }, res: Response, next) => {
    const raw: unknown = req.body;
    if (!Buffer.isBuffer(raw)) {
      next();
      return;
    }
    req.rawBody = raw;
    const text = raw.toString('utf8');
    const signed = isValidSlackRequest({
      signingSecret: options.signingSecret,
      body: text,
      headers: {
        'x-slack-signature': req.get('x-slack-signature') ?? '',
        'x-slack-request-timestamp': Number(req.get('x-slack-request-timestamp')),
      },
    });
    if (!signed) {
      next(); // Bolt answers 401 and logs why
      return;
    }
    let shape: RequestShape;
    try {
      shape = classifyRequestShape(parseLikeBolt(text, req.headers['content-type']));
    } catch {
      shape = reject('the body is not valid JSON');
    }
    if (shape.verdict === 'pass') {
      next();
      return;
    }
    options.logger.debug({ verdict: shape.verdict, reason: shape.reason }, 'Slack request answered before Bolt');
    if (shape.verdict === 'ignore') res.status(200).send('');
    else res.status(400).json({ error: 'bad_request', message: shape.reason });
  };
  return [readRaw, gate];
}

/** What Bolt reads of an Events API body: the event's type, channel, item, user, subteam, and the authorizations. */
function eventProblem(body: Record<string, unknown>): RequestShape | undefined {
  const { event, authorizations } = body;
  if (!isObject(event) || typeof event.type !== 'string') return reject('event is not an object with a type');
  if (!optional(event.channel, (channel) => typeof channel === 'string' || isObject(channel))) return reject('event.channel is neither a string nor an object');
  if (!optional(event.user, (user) => typeof user === 'string' || isObject(user))) return reject('event.user is neither a string nor an object');
  if (!optional(event.item, isObject) || !optional(event.subteam, isObject)) return reject('event.item or event.subteam is not an object');
  if (!optional(authorizations, (list) => Array.isArray(list) && list.every(isObject))) return reject('authorizations is not a list of objects');
  return undefined;
}

/** What Bolt and the click handler read of block_actions: actions with ids, the user, and team/enterprise/channel when present. */
function actionsProblem(body: Record<string, unknown>): RequestShape | undefined {
  const { actions, user } = body;
  if (!Array.isArray(actions) || actions.length === 0 || !actions.every((action) => isObject(action) && typeof action.action_id === 'string')) {
    return reject('block_actions without actions');
  }
  if (!isObject(user) || typeof user.id !== 'string') return reject('block_actions without a user');
  const nullableObject = (value: unknown) => value === null || isObject(value);
  if (!optional(body.team, nullableObject) || !optional(body.enterprise, nullableObject) || !optional(body.channel, isObject)) {
    return reject('block_actions with a team, enterprise or channel that is not an object');
  }
  return undefined;
}

/** True when `value` is absent or passes `check`. */
function optional(value: unknown, check: (value: unknown) => boolean): boolean {
  return value === undefined || check(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pass(): RequestShape {
  return { verdict: 'pass' };
}

function reject(reason: string): RequestShape {
  return { verdict: 'reject', reason };
}
