/**
 * The front of POST /slack/events. It reads the body once (Bolt reuses it as `rawBody`) and
 * checks the signature with Bolt's own `isValidSlackRequest`; an unsigned request goes on to
 * Bolt, which answers 401 and logs why. For a signed body it then decides, in this order:
 * - a requester's `message` or `app_mention` event (the hot path, one per message a requester
 *   writes) is handled right here by `hotEvent`, past Bolt's generic middleware chain, and
 *   answered 200 once the handler resolved (the event is journalled) or 5xx when it failed, as
 *   Bolt answers with `processBeforeResponse`;
 * - what Slack never sends is answered 400 (Bolt would answer 500 for bodies it cannot classify,
 *   `null` or an `event` that is a string, and 404 after its 3-second timeout for shapes nobody
 *   acks), documented envelopes the bridge has no listener for 200;
 * - everything else (interactivity, commands, other events, URL verification) goes on to Bolt.
 */
import { parse as parseQuery } from 'node:querystring';
import { isValidSlackRequest } from '@slack/bolt';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../src/core/logger.js';
import { answerJson, errorAnswerBody, headerOf, statusOf, type FrontRoute } from '../../src/http/front-route.js';
import { requestIdOf } from '../../src/http/request-context.js';

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

/** Handles one hot event body; resolves once the event is journalled (or ignored). */
export type HotEventHandler = (body: Record<string, unknown>) => Promise<void>;

/** What the gate is built from. `bodyLimit` in bytes, as Bolt's own. */
export interface RequestGuardOptions {
  signingSecret: string;
  bodyLimit: number;
  logger: Logger;
  /** The hot path; without it (never in HTTP mode) every event goes to Bolt. */
  hotEvent?: HotEventHandler;
  /** The status for a failed hot event, as Bolt's error handler would answer it. */
  failureStatus: (error: unknown) => number;
}

/** Event types the hot path takes: what a requester writes. */
const hotEventTypes = new Set(['message', 'app_mention']);

/** Whether a signed body that passed `classifyRequestShape` is a hot event (Bolt, too, treats any body with an `event` as an event). */
export function isHotEvent(body: unknown): body is Record<string, unknown> & { event: { type: string } } {
  if (!isObject(body) || body.ssl_check !== undefined || !isObject(body.event)) return false;
  return hotEventTypes.has(body.event.type as string);
}

/**
 * The front route of POST /slack/events: read the body, check the signature, then the hot path,
 * an early answer, or Bolt (`pass`, with the body kept as `rawBody`, which Bolt reads).
 */
export function slackEventsRoute(path: string, options: RequestGuardOptions): FrontRoute {
  return {
    path,
    handle(req, res, pass) {
      return readRawBody(req, options.bodyLimit).then(
        (raw) => (raw === undefined ? pass() : gate(options, req as IncomingMessage & { rawBody?: Buffer }, res, raw, pass)),
        (error: unknown) => answerJson(res, statusOf(error), errorAnswerBody(statusOf(error), error)),
      );
    },
  };
}

function gate(options: RequestGuardOptions, req: IncomingMessage & { rawBody?: Buffer }, res: ServerResponse, raw: Buffer, pass: () => void): void | Promise<void> {
  req.rawBody = raw;
  const text = raw.toString('utf8');
  const signed = isValidSlackRequest({
    signingSecret: options.signingSecret,
    body: text,
    headers: {
      'x-slack-signature': headerOf(req, 'x-slack-signature') ?? '',
      'x-slack-request-timestamp': Number(headerOf(req, 'x-slack-request-timestamp')),
    },
  });
  if (!signed) return pass(); // Bolt answers 401 and logs why
  let body: unknown;
  let shape: RequestShape;
  try {
    body = parseLikeBolt(text, req.headers['content-type']);
    shape = classifyRequestShape(body);
  } catch {
    shape = reject('the body is not valid JSON');
  }
  if (shape.verdict === 'pass' && options.hotEvent && isHotEvent(body)) return answerHotEvent(options.hotEvent, options, body, res);
  if (shape.verdict === 'pass') return pass();
  options.logger.debug({ requestId: requestIdOf(res), verdict: shape.verdict, reason: shape.reason }, 'Slack request answered before Bolt');
  if (shape.verdict === 'ignore') {
    res.writeHead(200);
    res.end();
  } else {
    answerJson(res, 400, { error: 'bad_request', message: shape.reason });
  }
}

/**
 * The whole body, as express.raw without inflation would read it: 415 for a compressed body
 * (Slack does not compress; the signature covers the bytes as sent), 413 past `limit` bytes
 * (declared or read), 400 when the client went away mid-body; undefined for a request without a
 * body.
 */
function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (req.headers['transfer-encoding'] === undefined && req.headers['content-length'] === undefined) return Promise.resolve(undefined);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') return Promise.reject(httpError(415, `content encoding unsupported: "${encoding}"`));
  if (Number(req.headers['content-length']) > limit) return Promise.reject(httpError(413, 'request entity too large'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      reject(error);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) fail(httpError(413, 'request entity too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.on('error', () => fail(httpError(400, 'request aborted')));
  });
}

/** An error answered with its status and message. */
function httpError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status });
}

/** Run the hot path and answer Slack: 200 once handled, else the status Bolt would give the failure. */
function answerHotEvent(hotEvent: HotEventHandler, options: RequestGuardOptions, body: Record<string, unknown>, res: ServerResponse): Promise<void> {
  return hotEvent(body).then(
    () => {
      res.writeHead(200);
      res.end();
    },
    (error: unknown) => {
      const status = options.failureStatus(error);
      // 503: the store, auth.test or the installation lookup did not answer, and Slack retries.
      options.logger[status === 503 ? 'warn' : 'error']({ requestId: requestIdOf(res), err: error, eventId: body.event_id, status }, 'Slack event handling failed');
      if (!res.headersSent) {
        res.writeHead(status);
        res.end();
      }
    },
  );
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
