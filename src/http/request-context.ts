/**
 * Per-request plumbing: a request id (taken from `x-request-id` when it looks sane, else new), set
 * on the response as `x-request-id`, where the routes read it for their log lines
 * (`requestIdOf`); an access log line; and the request duration metric. It runs on node's own
 * request and response, ahead of the front routes and of express.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';

const requestIdPattern = /^[\w.:-]{1,64}$/;
const quietPaths = new Set(['/healthz', '/readyz', '/metrics']);

/** What express leaves on a request it routed: the matched route and the mount path. */
interface Routed {
  route?: { path?: unknown };
  baseUrl?: string;
}

/** Gives a request its id, then runs `next`. */
export type RequestContext = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** The request-context step of the bridge's server. */
export function requestContext(logger: Logger, metrics: Metrics): RequestContext {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    const startedAt = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      const path = pathOf(req);
      const routed = req as IncomingMessage & Routed;
      const route = routed.route?.path ? `${routed.baseUrl ?? ''}${String(routed.route.path)}` : path;
      metrics.httpRequests.observe({ route: routeLabel(route, res.statusCode), status: String(res.statusCode) }, seconds);
      const level = quietPaths.has(path) && res.statusCode < 400 ? 'debug' : 'info';
      // Only the path: query strings can carry the webhook token.
      logger[level]({ requestId, method: req.method, path, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    next();
  };
}

/** The id `requestContext` gave the request of `res`, for the route's log lines. */
export function requestIdOf(res: ServerResponse): string | undefined {
  const id = res.getHeader('x-request-id');
  return typeof id === 'string' ? id : undefined;
}

/** The request's path, without its query string. */
export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  return queryAt < 0 ? url : url.slice(0, queryAt);
}

/** Unknown paths share one label so scanners cannot blow up the metric's cardinality. */
function routeLabel(route: string, status: number): string {
  return status === 404 && !knownRoutes.has(route) ? 'unmatched' : route;
}

const knownRoutes = new Set([
  '/slack/events',
  '/api/messages',
  '/converse-webhook',
  '/action-webhook',
  '/csml/callback',
  '/healthz',
  '/readyz',
  '/metrics',
]);
