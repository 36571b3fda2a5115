import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import {
  createPullCredential,
  PullCredentialInvalid,
} from '../../../lib/registry/door/pull-credentials.js';
import type { Deps } from '../deps.js';
import { sendError } from './errors.js';
import { requireRole } from './admin-auth.js';
import { auditAction } from './audit-action.js';

export const pullCredentialBody = z.strictObject({
  name: z.string(),
  kind: z.enum(['account', 'robot']).default('robot'),
  environment: z.string(),
  /** Repositories it may also push to: names, `team/*` prefixes or `*`. */
  push: z.array(z.string()).max(100).optional(),
  expires: z.string().optional(),
  secret: z.string().optional(),
});

/** Pull accounts and robot tokens: create (secret shown once), list, revoke. */
export function pullCredentialRoutes(deps: Deps): Router {
  const router = express.Router();
  const guard = requireRole('admin');
  const store = deps.stores.pullCredentials;

  router.post(
    '/api/v1/pull-credentials',
    guard,
    express.json({ limit: '16kb' }),
    async (req: Request, res: Response) => {
      const body = pullCredentialBody.safeParse(req.body);
      if (!body.success)
        return sendError(
          res,
          400,
          'REQUEST_INVALID',
          body.error.issues
            .map((i) => `${i.path.join('.')}: ${i.message}`)
            .join('; '),
        );
      try {
        const created = await createPullCredential(
          store,
          {
            ...body.data,
            expires: body.data.expires,
            secret: body.data.secret,
          },
          deps.environments(),
        );
        await auditAction(deps, res, {
          action: 'pull-credential.create',
          target: `pull-credential/${created.name}`,
          after: {
            environment: created.environment,
            push: created.push,
            expiresAt: created.expiresAt ?? null,
          },
        });
        res.status(201).json(created);
      } catch (err: unknown) {
        if (err instanceof PullCredentialInvalid)
          return sendError(res, 400, 'REQUEST_INVALID', err.message);
        throw err;
      }
    },
  );

  router.get('/api/v1/pull-credentials', guard, async (_req, res) => {
    const all = await store.list();
    res.json(all.map(({ secretHash: _hash, ...visible }) => visible));
  });

  router.delete(
    '/api/v1/pull-credentials/:name',
    guard,
    async (req: Request, res: Response) => {
      const name = String(req.params.name);
      if (!(await store.revoke(name)))
        return sendError(res, 404, 'NOT_FOUND', `no credential named ${name}`);
      await auditAction(deps, res, {
        action: 'pull-credential.revoke',
        target: `pull-credential/${name}`,
      });
      res.status(204).end();
    },
  );
  return router;
}
