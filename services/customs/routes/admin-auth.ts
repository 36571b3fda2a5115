import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import {
  authenticateAdminToken,
  roleAtLeast,
  type Actor,
} from '../../../lib/access/admin-tokens.js';
import type {
  AdminRole,
  AdminTokenStore,
} from '../../../lib/storage/admin-ports.js';
import { sendError } from './errors.js';

export interface AdminAuthOptions {
  tokens: Pick<AdminTokenStore, 'findByHash'>;
  /**
   * The per-process token `customs serve` writes (mode 0600) into the data
   * directory's lock file: whoever can read it can open the database
   * anyway, so the local CLI acts as admin `local-cli`.
   */
  localToken: string;
  /** `admin.bootstrapToken`: an admin token from the environment, or ''. */
  bootstrapToken: string;
  now?: () => number;
}

/**
 * Reads the caller's bearer token and records who it is in
 * `res.locals.actor` (or why it is nobody in `res.locals.authProblem`).
 * It never refuses by itself: {@link requireRole} does.
 */
export function authenticateAdmin(options: AdminAuthOptions) {
  const now = options.now ?? Date.now;
  return (req: Request, res: Response, next: NextFunction): void => {
    const token = bearerOf(req);
    if (token === undefined) {
      res.locals.authProblem = 'no bearer token';
      return next();
    }
    const fixed = fixedActor(token, options);
    if (fixed) {
      res.locals.actor = fixed;
      return next();
    }
    authenticateAdminToken(options.tokens, token, now())
      .then((result) => {
        if (typeof result === 'string')
          res.locals.authProblem = `${result} token`;
        else res.locals.actor = result;
        next();
      })
      .catch(next);
  };
}

/**
 * Express middleware admitting callers whose role is at least `role`
 * (viewer < operator < admin): 401 UNAUTHORIZED without a valid token
 * (missing, unknown, expired, revoked), 403 FORBIDDEN for a lower role.
 * Needs {@link authenticateAdmin} before it.
 */
export function requireRole(role: AdminRole) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const actor = res.locals.actor as Actor | undefined;
    if (!actor)
      return sendError(
        res,
        401,
        'UNAUTHORIZED',
        `an admin token is required (${String(res.locals.authProblem ?? 'no bearer token')})`,
      );
    if (!roleAtLeast(actor.role, role))
      return sendError(
        res,
        403,
        'FORBIDDEN',
        `role ${actor.role} may not do this: ${role} or above is required`,
      );
    next();
  };
}

/** The authenticated caller (after requireRole). */
export function actorOf(res: Response): Actor {
  return res.locals.actor as Actor;
}

function bearerOf(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

function fixedActor(
  token: string,
  options: AdminAuthOptions,
): Actor | undefined {
  if (sameSecret(token, options.localToken))
    return { name: 'local-cli', role: 'admin' };
  if (sameSecret(token, options.bootstrapToken))
    return { name: 'bootstrap', role: 'admin' };
  return undefined;
}

function sameSecret(given: string, expected: string): boolean {
  if (expected.length === 0) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
