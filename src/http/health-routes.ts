/**
 * Operations routes: liveness, readiness (the store and every configured platform and bot API
 * answer) and Prometheus metrics.
 */
import { Router } from 'express';
import { withDeadline } from '../core/deadline.js';
import type { Metrics } from '../core/metrics.js';

/** One dependency /readyz checks. `check` throws when the dependency is not usable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

const checkTimeoutMs = 3000;

/** GET /healthz, /readyz and /metrics. */
export function healthRoutes(checks: ReadinessCheck[], metrics: Metrics, isShuttingDown: () => boolean): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (isShuttingDown()) {
      res.status(503).json({ status: 'unavailable', reason: 'shutting down' });
      return;
    }
    const failures = await failingChecks(checks);
    if (failures.length > 0) {
      res.status(503).json({ status: 'unavailable', reason: failures.join('; ') });
      return;
    }
    res.json({ status: 'ready', checks: checks.map((check) => check.name) });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}

async function failingChecks(checks: ReadinessCheck[]): Promise<string[]> {
  const results = await Promise.all(
    checks.map(async (check) => {
      try {
        await withDeadline(check.check(), checkTimeoutMs, 'waiting for an answer');
        return undefined;
      } catch (error) {
        return `${check.name}: ${error instanceof Error ? error.message : String(error)}`;
      }
    }),
  );
  return results.filter((failure): failure is string => failure !== undefined);
}
