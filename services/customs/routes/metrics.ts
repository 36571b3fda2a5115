import express, { type Router } from 'express';
import { metrics, registry } from '../../../lib/metrics/metrics.js';
import type { Deps } from '../deps.js';

/**
 * `GET /metrics` in the Prometheus text format. Values that live in the
 * database (queues, data age) are read now, so every replica reports the
 * shared queue; a database that does not answer leaves them as they were
 * and the counters are still served.
 */
export function metricsRoutes(deps: Deps): Router {
  const router = express.Router();
  const log = deps.logger.child({ component: 'metrics' });
  router.get('/metrics', async (_req, res) => {
    try {
      await readDatabaseGauges(deps);
    } catch (err: unknown) {
      log.warn({ err }, 'metrics from the database are stale');
    }
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}

async function readDatabaseGauges(deps: Deps): Promise<void> {
  const [depth, queues, vulndb] = await Promise.all([
    deps.jobs.depth(),
    deps.stores.overview.queues(),
    deps.stores.vulns.summary(),
  ]);
  for (const [queue, waiting] of Object.entries(depth)) {
    metrics.queueDepth.set({ queue }, waiting);
    metrics.queueAge.set({ queue }, 0);
  }
  for (const q of queues)
    metrics.queueAge.set({ queue: q.queue }, q.oldestWaitingSeconds);
  metrics.vulnDataAge.set(
    vulndb.lastImportAt
      ? (Date.now() - Date.parse(vulndb.lastImportAt)) / 1000
      : -1,
  );
}
