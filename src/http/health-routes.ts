/**
 * Operations routes: liveness, readiness (the store and every configured platform and bot API
 * answer, from a cached check run) and Prometheus metrics.
 */
import { Router } from 'express';
import type { Metrics } from '../core/metrics.js';
import type { ReadinessProbe } from './readiness.js';

export type { ReadinessCheck } from './readiness.js';

/**
 * GET /healthz, /readyz and /metrics. /readyz answers exactly `{"ready":true}`, or 503
 * `{"ready":false,"failing":[...names]}`; while shutting down nothing is failing but the bridge
 * is not ready either, so `failing` is empty.
 */
export function healthRoutes(readiness: ReadinessProbe, metrics: Metrics, isShuttingDown: () => boolean): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (isShuttingDown()) {
      res.status(503).json({ ready: false, failing: [] });
      return;
    }
    const { failing } = await readiness.result();
    if (isShuttingDown()) {
      res.status(503).json({ ready: false, failing: [] });
      return;
    }
    if (failing.length > 0) res.status(503).json({ ready: false, failing });
    else res.json({ ready: true });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
