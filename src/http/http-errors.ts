/**
 * JSON error answers for the bridge's webhook routes: one body shape `{error, message, path?}`,
 * one table from error codes to HTTP statuses, and one answer that applies them to body-parser
 * failures, request validation failures and `BridgeError`s. Anything else is a
 * 500 whose answer says nothing about internals (the log has the details).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { BridgeError, type BridgeErrorCode } from '../core/errors.js';
import type { LogContext, Logger } from '../core/logger.js';
import { answerJson } from './front-route.js';
import { pathOf } from './request-context.js';

/** The body of every error answer. */
export interface ErrorBody {
  /** Stable code, e.g. `invalid_request`, `conversation_not_found`. */
  error: string;
  message: string;
  /** For validation failures: the dotted path of the first problem, e.g. `data.buttons.0.text`. */
  path?: string;
}

/** Default request body limit of the bot webhooks. */
export const defaultWebhookBodyLimit = '256kb';

/**
 * JSON body parser for bot webhooks, whose failures `answerWebhookFailure` answers (413, 400, 415):
 * bounded size, and any content type is read as JSON (the docs do not promise a Content-Type; a
 * body that is not JSON is still a 400).
 */
export function webhookJsonBody(limit: string = defaultWebhookBodyLimit): RequestHandler {
  return express.json({ limit, type: () => true });
}

/** HTTP status for each bridge error code. */
export const statusByErrorCode: Record<BridgeErrorCode, number> = {
  config_invalid: 500,
  bot_request_failed: 502,
  bot_auth_failed: 502,
  bot_not_found: 502,
  bot_forbidden: 502,
  delivery_failed: 502,
  conversation_not_found: 404,
  desk_not_found: 422,
  action_not_found: 404,
  action_failed: 502,
  store_failed: 503,
  store_unavailable: 503,
  lease_lost: 503,
};

/** A request body that failed its schema; answered 400 with the path of the first problem. */
export class InvalidRequestError extends Error {
  readonly path: string;

  constructor(message: string, path: string) {
    super(message);
    this.name = 'InvalidRequestError';
    this.path = path;
  }
}

/** Parse `body` with `schema`, or throw `InvalidRequestError` naming the first problem. */
export function parseRequestBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue ? issue.path.map(String).join('.') : '';
  const where = path === '' ? 'body' : path;
  throw new InvalidRequestError(`${where}: ${issue?.message ?? 'invalid request body'}`, path);
}

/** Send an error answer. */
export function sendError(res: Response, status: number, body: ErrorBody): void {
  res.status(status).json(body);
}

/**
 * What a body-parser failure becomes. body-parser marks its own errors with `type` and an
 * exposable status; a body that fails to decompress (a `Content-Encoding: gzip` header on a plain
 * body) comes from zlib with status 400 and `expose` but no `type`.
 */
function bodyParserAnswer(error: unknown): { status: number; body: ErrorBody } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, status, expose, code } = error as { type?: unknown; status?: unknown; expose?: unknown; code?: unknown };
  if (typeof status !== 'number' || expose !== true || status < 400 || status >= 500) return undefined;
  if (type === undefined && typeof code === 'string') {
    return { status: 400, body: { error: 'invalid_encoding', message: 'request body does not match its Content-Encoding' } };
  }
  if (typeof type !== 'string') return undefined;
  switch (type) {
    case 'entity.too.large':
      return { status: 413, body: { error: 'payload_too_large', message: 'request body is larger than this endpoint accepts' } };
    case 'entity.parse.failed':
      return { status: 400, body: { error: 'invalid_json', message: 'request body is not valid JSON' } };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, body: { error: 'unsupported_encoding', message: 'request body encoding or charset is not supported' } };
    default:
      return { status, body: { error: 'bad_request', message: `request body could not be read (${type})` } };
  }
}

/** The status and body an error is answered with. */
export function errorAnswer(error: unknown): { status: number; body: ErrorBody } {
  const parserAnswer = bodyParserAnswer(error);
  if (parserAnswer) return parserAnswer;
  if (error instanceof InvalidRequestError) {
    return { status: 400, body: { error: 'invalid_request', message: error.message, path: error.path } };
  }
  if (error instanceof BridgeError) {
    // BridgeError messages are written without secrets (errors.ts), so they may be shown.
    return { status: statusByErrorCode[error.code] ?? 500, body: { error: error.code, message: error.message } };
  }
  return { status: 500, body: { error: 'internal_error', message: 'the bridge failed to handle this request; see its logs' } };
}

/**
 * Answer a failed webhook request with JSON. Logs 4xx as warnings and 5xx as errors, with the
 * request's log fields (its id, the conversation's when known), the route path only (never the
 * query string, which may carry `?token=`) and never the body.
 */
export function answerWebhookFailure(logger: Logger, req: IncomingMessage, res: ServerResponse, error: unknown, log: LogContext): void {
  const { status, body } = errorAnswer(error);
  const fields = { ...log, method: req.method, route: pathOf(req), status, error: body.error, reason: body.message };
  if (status >= 500) logger.error({ ...fields, failure: describeError(error) }, 'webhook request failed');
  else logger.warn(fields, 'webhook request refused');
  if (res.headersSent) res.destroy();
  else answerJson(res, status, body);
}

/** Name, message, code and stack only: an error's other fields (an HTTP client's config) may hold credentials. */
function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  return { type: error.name, message: error.message, code: (error as { code?: unknown }).code, stack: error.stack };
}
