/**
 * Per-request plumbing: a request id (taken from `x-request-id` when it looks sane, else new) on
 * every log line of the request, an access log line, and the request duration metric.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { withLogContext, type Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';

const requestIdPattern = /^[\w.:-]{1,64}$/;
const quietPaths = new Set(['/healthz', '/readyz', '/metrics']);

/** Express middleware that opens the log context of a request. */
export function requestContext(logger: Logger, metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && requestIdPattern.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    const startedAt = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : req.path;
      metrics.httpRequests.observe({ route: routeLabel(route, res.statusCode), status: String(res.statusCode) }, seconds);
      const level = quietPaths.has(req.path) && res.statusCode < 400 ? 'debug' : 'info';
      // Only the path: query strings can carry the webhook token.
      withLogContext({ requestId }, () =>
        logger[level]({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request'),
      );
    });
    withLogContext({ requestId }, next);
  };
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
