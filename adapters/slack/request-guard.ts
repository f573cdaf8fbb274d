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

/** Classify a parsed body. Pure. */
export function classifyRequestShape(body: unknown): RequestShape {
  if (!isObject(body)) return reject('the body is not a JSON object');
  if (body.ssl_check !== undefined) return pass();
  if (body.command !== undefined) return typeof body.command === 'string' && body.command.startsWith('/') ? pass() : reject('command is not a slash command');
  const type = body.type;
  if (typeof type !== 'string') return reject('the body has no type');
  switch (type) {
    case 'url_verification':
      return typeof body.challenge === 'string' ? pass() : reject('url_verification without a challenge');
    case 'event_callback':
      return isObject(body.event) && typeof body.event.type === 'string' ? pass() : reject('event_callback without an event object with a type');
    case 'block_actions':
      return isBlockActions(body) ? pass() : reject('block_actions without actions or user');
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

function isBlockActions(body: Record<string, unknown>): boolean {
  const { actions, user } = body;
  return (
    Array.isArray(actions) &&
    actions.length > 0 &&
    actions.every((action) => isObject(action) && typeof action.action_id === 'string') &&
    isObject(user) &&
    typeof user.id === 'string'
  );
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
