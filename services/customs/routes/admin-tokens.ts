import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import {
  AdminTokenInvalid,
  createAdminToken,
  revokeAdminToken,
} from '../../../lib/access/admin-tokens.js';
import type { AdminToken } from '../../../lib/storage/admin-ports.js';
import type { Deps } from '../deps.js';
import { actorOf, requireRole } from './admin-auth.js';
import { parseBody } from './body.js';
import { sendError } from './errors.js';

export const adminTokenBody = z.strictObject({
  name: z.string().min(1).max(63),
  role: z.enum(['viewer', 'operator', 'admin']),
  /** `30d`, `12h`, `90m` or an ISO time; absent = no expiry. */
  expiresIn: z.string().min(1).optional(),
});

/**
 * `GET /api/v1/whoami` (any valid token) and admin tokens (admin role):
 * create (the token is in the answer, once), list, revoke.
 */
export function adminTokenRoutes(deps: Deps): Router {
  const router = express.Router();

  router.get('/api/v1/whoami', requireRole('viewer'), (_req, res) => {
    res.json(actorOf(res));
  });

  router.post(
    '/api/v1/admin-tokens',
    requireRole('admin'),
    express.json({ limit: '16kb' }),
    async (req: Request, res: Response) => {
      const body = parseBody(adminTokenBody, req, res);
      if (!body) return;
      try {
        const created = await createAdminToken(
          deps.stores,
          body,
          actorOf(res).name,
        );
        res.status(201).json(created);
      } catch (err: unknown) {
        if (err instanceof AdminTokenInvalid)
          return sendError(res, 400, 'BODY_INVALID', err.message);
        throw err;
      }
    },
  );

  router.get(
    '/api/v1/admin-tokens',
    requireRole('admin'),
    async (_req, res) => {
      res.json({ tokens: (await deps.stores.adminTokens.list()).map(visible) });
    },
  );

  router.delete(
    '/api/v1/admin-tokens/:name',
    requireRole('admin'),
    async (req: Request, res: Response) => {
      const name = String(req.params.name);
      if (!(await revokeAdminToken(deps.stores, name, actorOf(res).name)))
        return sendError(res, 404, 'NOT_FOUND', `no admin token named ${name}`);
      res.status(204).end();
    },
  );
  return router;
}

function visible({
  tokenHash: _hash,
  ...rest
}: AdminToken): Omit<AdminToken, 'tokenHash'> {
  return rest;
}
