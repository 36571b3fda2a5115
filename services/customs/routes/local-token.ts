import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { sendError } from './errors.js';

/**
 * Admits only the local CLI: it presents the per-process token that
 * `customs serve` wrote (mode 0600) into the data directory's lock file.
 * The embedded database cannot be opened by a second process, so the CLI
 * hands such work to the server. (Admin tokens with roles replace this for
 * remote callers.)
 */
export function requireLocalToken(localToken: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = Buffer.from(
      req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '',
    );
    const expected = Buffer.from(localToken);
    if (
      localToken.length > 0 &&
      given.length === expected.length &&
      timingSafeEqual(given, expected)
    )
      return next();
    sendError(
      res,
      401,
      'UNAUTHORIZED',
      'this endpoint takes the local token of the data directory',
    );
  };
}
