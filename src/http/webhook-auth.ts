/**
 * Authentication of webhook calls from the bot (Ultimate, CSML) by the shared `WEBHOOK_TOKEN`
 * (DESIGN.md 5.3). The documents define no signature, and Ultimate's dashboard only lets you set
 * a URL, so three forms are accepted: `Authorization: Bearer <token>`, HTTP Basic with the token
 * as password (any user name), and `?token=<token>` in the URL.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/logger.js';
import { answerJson, headerOf } from './front-route.js';
import { pathOf, requestIdOf } from './request-context.js';

/** The query parameter that may carry the token. */
export const tokenQueryParam = 'token';

/** Options for `requireWebhookToken`. */
export interface WebhookAuthOptions {
  /** Where refused calls are logged (without the token). */
  logger?: Logger;
}

/**
 * The check of a webhook call: true when it carries `token` in one of the three forms; otherwise
 * it answers 401 `{error: "unauthorized", message}` and returns false. Tokens are compared as
 * SHA-256 digests with `timingSafeEqual`, so neither the content nor the length leaks through timing.
 */
export function requireWebhookToken(token: string, options: WebhookAuthOptions = {}): (req: IncomingMessage, res: ServerResponse) => boolean {
  if (token.length === 0) throw new Error('requireWebhookToken needs a non-empty token');
  const expected = digest(token);
  return (req, res) => {
    const presented = presentedTokens(req);
    if (presented.some((candidate) => timingSafeEqual(digest(candidate), expected))) return true;
    options.logger?.warn(
      { requestId: requestIdOf(res), method: req.method, route: pathOf(req), forms: presented.length === 0 ? 'none' : describeForms(req) },
      presented.length === 0 ? 'webhook call without a token refused' : 'webhook call with a wrong token refused',
    );
    res.setHeader('WWW-Authenticate', 'Bearer realm="channel-bridge", Basic realm="channel-bridge"');
    answerJson(res, 401, {
      error: 'unauthorized',
      message: 'missing or wrong webhook token: send Authorization: Bearer <WEBHOOK_TOKEN>, HTTP Basic with WEBHOOK_TOKEN as password, or ?token=<WEBHOOK_TOKEN>',
    });
    return false;
  };
}

/**
 * `url` without its `token` query parameter, for logs (`?token=` puts the secret in the URL).
 * Other parameters, their order and encoding, and any fragment are kept as they were.
 */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt < 0) return url;
  const hashAt = url.indexOf('#', queryAt);
  const query = url.slice(queryAt + 1, hashAt < 0 ? undefined : hashAt);
  const fragment = hashAt < 0 ? '' : url.slice(hashAt);
  const kept = query.split('&').filter((part) => part !== '' && parameterName(part) !== tokenQueryParam);
  return `${url.slice(0, queryAt)}${kept.length > 0 ? `?${kept.join('&')}` : ''}${fragment}`;
}

/** Every token the request presents, in any of the three forms. */
function presentedTokens(req: IncomingMessage): string[] {
  const tokens: string[] = [];
  const authorization = headerOf(req, 'authorization');
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i);
  if (bearer?.[1]) tokens.push(bearer[1].trim());
  const basic = authorization?.match(/^Basic\s+(.+)$/i);
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1].trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) tokens.push(decoded.slice(colon + 1));
  }
  tokens.push(...queryTokens(req.url ?? ''));
  return tokens.filter((candidate) => candidate.length > 0);
}

function queryTokens(url: string): string[] {
  const queryAt = url.indexOf('?');
  return queryAt < 0 ? [] : new URLSearchParams(url.slice(queryAt + 1)).getAll(tokenQueryParam);
}

function describeForms(req: IncomingMessage): string {
  const forms: string[] = [];
  const scheme = headerOf(req, 'authorization')?.split(/\s+/)[0];
  if (scheme) forms.push(scheme.toLowerCase());
  if (queryTokens(req.url ?? '').length > 0) forms.push('query');
  return forms.join(',');
}

function parameterName(part: string): string {
  // URLSearchParams decodes the name the way a server reads it (`+`, %XX) and never throws.
  return new URLSearchParams(part).keys().next().value ?? '';
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
