/**
 * The bridge's one HTTP server: every route of DESIGN.md section 1 on one express app.
 * Channel adapters mount their routes first and parse their own bodies (Slack's signature check
 * needs the raw body); bot webhooks come next with their own size-limited JSON parsers.
 */
import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import type { ChannelAdapter } from '../core/channel-adapter.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import { healthRoutes } from './health-routes.js';
import { ReadinessProbe, type ReadinessCheck } from './readiness.js';
import { requestContext } from './request-context.js';

/** What the app is assembled from. */
export interface AppDeps {
  adapters: ChannelAdapter[];
  /** Routers of the bot side: Ultimate's webhooks, the CSML callback. */
  botRouters: Router[];
  /** What /readyz checks; each `name` is one of store, slack, teams, bot. */
  readiness: ReadinessCheck[];
  /** Clock of the readiness cache (tests fix it). */
  now?: () => number;
  metrics: Metrics;
  logger: Logger;
  isShuttingDown: () => boolean;
}

/** Build the express app. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.use(requestContext(deps.logger, deps.metrics));
  const readiness = new ReadinessProbe(deps.readiness, { logger: deps.logger, now: deps.now });
  app.use(healthRoutes(readiness, deps.metrics, deps.isShuttingDown));
  for (const adapter of deps.adapters) {
    const router = express.Router();
    adapter.mount?.(router);
    app.use(router);
  }
  for (const router of deps.botRouters) app.use(router);
  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', message: `No route for ${req.method} ${req.path}` });
  });
  app.use(errorHandler(deps.logger));
  return app;
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
    if (status >= 500) logger.error({ err: error }, 'unhandled error in request');
    res.status(status).json({
      error: status >= 500 ? 'internal_error' : 'bad_request',
      message: status >= 500 ? 'Internal error; see the bridge logs for the request id' : (error as Error).message,
    });
  };
}
