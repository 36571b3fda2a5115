import express, {
  type Express,
  type NextFunction,
  type Request,
  type Response,
} from 'express';
import type { Deps } from './deps.js';
import { authenticateAdmin, requireRole } from './routes/admin-auth.js';
import { adminTokenRoutes } from './routes/admin-tokens.js';
import { apiRoutes } from './routes/api.js';
import { dashboardApiRoutes } from './routes/dashboard-api.js';
import { auditRoutes } from './routes/audit.js';
import { openApiRoutes } from './routes/openapi.js';
import { overrideRoutes } from './routes/overrides.js';
import { rulesRoutes } from './routes/rules.js';
import { sendError } from './routes/errors.js';
import { harborAdapterRoutes } from './routes/harbor-adapter.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { requestLogger } from './routes/request-log.js';
import { pullCredentialRoutes } from './routes/pull-credentials.js';
import { uiRoutes } from './routes/ui.js';
import { webhookRoutes } from './routes/webhooks.js';

/** The express app (admin API, webhooks, health) without listen(): tests use it as is. */
export function createApp(
  deps: Deps,
  options: { localToken: string },
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLogger(deps.logger));
  app.use(healthRoutes(deps));
  app.use(metricsRoutes(deps));
  app.use(uiRoutes());
  app.use(webhookRoutes(deps));
  app.use(openApiRoutes());
  // Every other /api/v1 route needs a token of at least the viewer role; writes
  // ask for more on the route itself.
  app.use(
    '/api/v1',
    authenticateAdmin({
      tokens: deps.stores.adminTokens,
      localToken: options.localToken,
      bootstrapToken: deps.config.admin.bootstrapToken,
    }),
    requireRole('viewer'),
  );
  app.use(adminTokenRoutes(deps));
  app.use(apiRoutes(deps));
  app.use(dashboardApiRoutes(deps));
  app.use(overrideRoutes(deps));
  app.use(auditRoutes(deps));
  app.use(rulesRoutes(deps));
  app.use(pullCredentialRoutes(deps));
  app.use(harborAdapterRoutes(deps));
  app.use((_req: Request, res: Response) =>
    sendError(res, 404, 'NOT_FOUND', 'no such endpoint'),
  );
  // express's body parsers throw errors with a `status` (413 too large, 400 bad JSON).
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status ?? 500;
    if (status >= 500)
      deps.logger.error({ err }, 'unexpected failure in the api');
    sendError(
      res,
      status,
      status === 413
        ? 'BODY_TOO_LARGE'
        : status >= 500
          ? 'INTERNAL'
          : 'REQUEST_INVALID',
      status >= 500 ? 'internal error' : (err as Error).message,
    );
  });
  return app;
}
