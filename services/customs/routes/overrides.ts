import express, {
  type NextFunction,
  type Request,
  type Response,
  type Router,
} from 'express';
import {
  createException,
  grantBreakGlass,
  OverrideInvalid,
  previewException,
  revokeBreakGlass,
  revokeException,
} from '../../../lib/policy/override-admin.js';
import { isInForce } from '../../../lib/core/overrides.js';
import type { Deps } from '../deps.js';
import { actorOf, requireRole } from './admin-auth.js';
import { parseBody } from './body.js';
import { sendError } from './errors.js';
import {
  activeQuery,
  breakGlassBody,
  exceptionBody,
  idParam,
} from './override-bodies.js';

/**
 * Exceptions and break-glass grants under /api/v1: list (viewer), create,
 * preview and revoke (operator). Each write is audited and re-judges the
 * images it concerns before answering.
 */
export function overrideRoutes(deps: Deps): Router {
  const router = express.Router();
  const admin = deps.policy.overrides;
  const json = express.json({ limit: '64kb' });
  const operator = requireRole('operator');

  router.get('/api/v1/exceptions', async (req: Request, res: Response) => {
    const active = activeOnly(req, res);
    if (active === undefined) return;
    const all = await deps.stores.exceptions.list();
    res.json({
      exceptions: all.filter((e) => !active || isInForce(e, admin.now())),
    });
  });

  router.post(
    '/api/v1/exceptions/preview',
    operator,
    json,
    async (req: Request, res: Response, next: NextFunction) => {
      const body = parseBody(exceptionBody, req, res);
      if (!body) return;
      await answer(res, next, async () => ({
        changes: await previewException(admin, body),
      }));
    },
  );

  router.post(
    '/api/v1/exceptions',
    operator,
    json,
    async (req: Request, res: Response, next: NextFunction) => {
      const body = parseBody(exceptionBody, req, res);
      if (!body) return;
      await answer(
        res,
        next,
        () => createException(admin, body, actorOf(res).name),
        201,
      );
    },
  );

  router.delete(
    '/api/v1/exceptions/:id',
    operator,
    async (req: Request, res: Response) => {
      const id = idOf(req, res);
      if (id === undefined) return;
      if (!(await revokeException(admin, id, actorOf(res).name)))
        return sendError(res, 404, 'NOT_FOUND', `no exception ${id}`);
      res.status(204).end();
    },
  );

  router.get('/api/v1/break-glass', async (req: Request, res: Response) => {
    const active = activeOnly(req, res);
    if (active === undefined) return;
    const all = await deps.stores.breakGlass.list();
    res.json({
      grants: all.filter((g) => !active || isInForce(g, admin.now())),
    });
  });

  router.post(
    '/api/v1/break-glass',
    operator,
    json,
    async (req: Request, res: Response, next: NextFunction) => {
      const body = parseBody(breakGlassBody, req, res);
      if (!body) return;
      await answer(
        res,
        next,
        () => grantBreakGlass(admin, body, actorOf(res).name),
        201,
      );
    },
  );

  router.delete(
    '/api/v1/break-glass/:id',
    operator,
    async (req: Request, res: Response) => {
      const id = idOf(req, res);
      if (id === undefined) return;
      if (!(await revokeBreakGlass(admin, id, actorOf(res).name)))
        return sendError(res, 404, 'NOT_FOUND', `no break-glass grant ${id}`);
      res.status(204).end();
    },
  );
  return router;
}

/** Sends what `work` returns, or 400 BODY_INVALID for a refused request. */
async function answer(
  res: Response,
  next: NextFunction,
  work: () => Promise<unknown>,
  status = 200,
): Promise<void> {
  try {
    res.status(status).json(await work());
  } catch (err: unknown) {
    if (err instanceof OverrideInvalid)
      return sendError(res, 400, 'BODY_INVALID', err.message);
    next(err);
  }
}

function activeOnly(req: Request, res: Response): boolean | undefined {
  const q = activeQuery.safeParse(req.query);
  if (q.success) return q.data.active === 'true';
  sendError(res, 400, 'QUERY_INVALID', 'active must be true or false');
  return undefined;
}

function idOf(req: Request, res: Response): number | undefined {
  const id = idParam.safeParse(req.params.id);
  if (id.success) return id.data;
  sendError(res, 400, 'ID_INVALID', 'id must be a positive integer');
  return undefined;
}
