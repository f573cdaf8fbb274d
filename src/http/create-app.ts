/**
 * The bridge's one HTTP server: every route of DESIGN.md section 1. The hot routes (Slack's
 * Events API request URL, the bot webhooks) are front routes, served on node's own request and
 * response: express's router, prototypes and helpers took a sixth of their CPU
 * (`npm run bench -- --cpu-prof`). Everything else is one express app: health, Bolt's share of
 * the Slack route and its OAuth pages, Teams' /api/messages. Every request, front or express,
 * gets its request id, access log line and duration metric first.
 */
import type { RequestListener, ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import type { ChannelAdapter } from '../core/channel-adapter.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import { answerJson, errorAnswerBody, statusOf, type FrontRoute } from './front-route.js';
import { healthRoutes } from './health-routes.js';
import { ReadinessProbe, type ReadinessCheck } from './readiness.js';
import { pathOf, requestContext, requestIdOf } from './request-context.js';

/** What the app is assembled from. */
export interface AppDeps {
  adapters: ChannelAdapter[];
  /** Front routes of the bot side: Ultimate's webhooks, the CSML callback. */
  botRoutes: FrontRoute[];
  /** What /readyz checks; each `name` is one of store, slack, teams, bot. */
  readiness: ReadinessCheck[];
  /** Clock of the readiness cache (tests fix it). */
  now?: () => number;
  metrics: Metrics;
  logger: Logger;
  isShuttingDown: () => boolean;
}

/** Build the server's request listener: request context, then a front route or the express app. */
export function createApp(deps: AppDeps): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag'); // JSON answers to webhooks and probes: nobody revalidates them
  app.set('trust proxy', true);
  const readiness = new ReadinessProbe(deps.readiness, { logger: deps.logger, now: deps.now });
  app.use(healthRoutes(readiness, deps.metrics, deps.isShuttingDown));
  const frontRoutes = new Map<string, FrontRoute>();
  for (const adapter of deps.adapters) {
    for (const route of adapter.frontRoutes ?? []) frontRoutes.set(route.path, route);
    const router = express.Router();
    adapter.mount?.(router);
    app.use(router);
  }
  for (const route of deps.botRoutes) frontRoutes.set(route.path, route);
  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', message: `No route for ${req.method} ${req.path}` });
  });
  app.use(errorHandler(deps.logger));
  const context = requestContext(deps.logger, deps.metrics);
  const failed = internalError(deps.logger);
  return (req, res) => {
    context(req, res, () => {
      const front = req.method === 'POST' ? frontRoutes.get(pathOf(req)) : undefined;
      if (!front) return app(req, res);
      front.handle(req, res, () => app(req, res)).catch((error: unknown) => failed(error, res));
    });
  };
}

/** A failure nothing else answered: logged, and answered 500 unless an answer has begun (then the connection goes). */
function internalError(logger: Logger): (error: unknown, res: ServerResponse) => void {
  return (error, res) => {
    logger.error({ requestId: requestIdOf(res), err: error }, 'unhandled error in request');
    if (res.headersSent) res.destroy();
    else answerJson(res, 500, errorAnswerBody(500, error));
  };
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = statusOf(error);
    if (status >= 500) logger.error({ requestId: requestIdOf(res), err: error }, 'unhandled error in request');
    res.status(status).json(errorAnswerBody(status, error));
  };
}
