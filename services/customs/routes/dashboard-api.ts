import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { hasCode, messageOf } from '../../../lib/core/errors.js';
import type { Deps } from '../deps.js';
import { sendError } from './errors.js';

const imagesQuery = z.strictObject({
  repository: z.string().min(1).max(255).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(1024).optional(),
});

const intakeQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(20),
});

/**
 * Read endpoints of the dashboard (any admin token, viewer and up; the
 * `/api/v1` guard in app.ts checks it):
 * `GET /api/v1/repositories`, `GET /api/v1/images?repository=&limit=&cursor=`
 * (one row per digest with tags, a badge per environment, last scan, data
 * snapshot, signers) and `GET /api/v1/intake/status?limit=` (last events,
 * failed scans, queues). A bad query is 400 REQUEST_INVALID, a cursor not
 * from a previous page 400 CURSOR_INVALID.
 */
export function dashboardApiRoutes(deps: Deps): Router {
  const router = express.Router();
  const log = deps.logger.child({ component: 'api.dashboard' });
  const overview = deps.stores.overview;

  router.get('/api/v1/repositories', async (_req, res) => {
    res.json({ repositories: await overview.repositories() });
  });

  router.get('/api/v1/images', async (req: Request, res: Response) => {
    const query = imagesQuery.safeParse(req.query);
    if (!query.success) return invalidQuery(res, query.error);
    try {
      res.json({
        environments: [...deps.environments()],
        ...(await overview.images(query.data)),
      });
    } catch (err: unknown) {
      if (hasCode(err, 'CURSOR_INVALID'))
        return sendError(res, 400, 'CURSOR_INVALID', messageOf(err));
      log.error({ err }, 'failed to list images');
      sendError(res, 500, 'INTERNAL', 'internal error');
    }
  });

  router.get('/api/v1/intake/status', async (req: Request, res: Response) => {
    const query = intakeQuery.safeParse(req.query);
    if (!query.success) return invalidQuery(res, query.error);
    res.json(await overview.intakeStatus(query.data.limit));
  });
  return router;
}

function invalidQuery(res: Response, error: z.ZodError): void {
  sendError(
    res,
    400,
    'REQUEST_INVALID',
    error.issues
      .map((i) => `${i.path.join('.') || 'query'}: ${i.message}`)
      .join('; '),
  );
}
