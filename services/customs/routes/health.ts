import express, { type Router } from 'express';
import { pendingMigrations } from '../../../lib/storage/postgres/migrate.js';
import type { Deps } from '../deps.js';

/** `/healthz` (the process answers) and `/readyz` (database answers, migrations applied). */
export function healthRoutes(deps: Deps): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      const pending = await pendingMigrations(deps.db);
      if (pending.length > 0)
        return void res.status(503).json({ status: 'migrating', pending });
      res.json({ status: 'ready', database: deps.db.kind });
    } catch (err: unknown) {
      deps.logger.warn({ err }, 'readiness check failed');
      res
        .status(503)
        .json({ status: 'unavailable', reason: 'database does not answer' });
    }
  });
  return router;
}
