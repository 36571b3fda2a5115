import { join } from 'node:path';
import express, { type Router } from 'express';
import { packageRoot } from '../../../lib/config/package-root.js';

/**
 * The dashboard at `/ui/`: static files of this checkout
 * (`services/customs/ui/static`) and its scripts as `npm run build` compiles
 * them (`dist/ui`). No separate server; the pages call `/api/v1` with the
 * token the user logs in with. A strict Content-Security-Policy keeps them
 * to this origin.
 */
export function uiRoutes(): Router {
  const router = express.Router();
  const root = packageRoot();
  router.get('/', (_req, res) => res.redirect(302, '/ui/'));
  router.use('/ui', (_req, res, next) => {
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  router.use('/ui/js', express.static(join(root, 'dist', 'ui')));
  router.use(
    '/ui',
    express.static(join(root, 'services', 'customs', 'ui', 'static')),
  );
  return router;
}
