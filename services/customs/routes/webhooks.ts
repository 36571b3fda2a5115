import express, { type Request, type Response, type Router } from 'express';
import { IntakeError } from '../../../lib/core/errors.js';
import { isBearerAuthorized } from '../../../lib/intake/bearer.js';
import { parseDistributionEnvelope } from '../../../lib/intake/distribution-envelope.js';
import { acceptEvents } from '../../../lib/intake/intake.js';
import type { Deps } from '../deps.js';
import { sendError } from './errors.js';

/**
 * `POST /webhooks/distribution`: CNCF Distribution notification envelopes
 * (events v1 and v2 JSON). Authenticated by the bearer secret before
 * anything is parsed or stored; answered 2xx as soon as the events are
 * stored and their jobs queued.
 */
export function webhookRoutes(deps: Deps): Router {
  const router = express.Router();
  const raw = express.raw({
    type: () => true,
    limit: deps.config.server.maxBodyBytes,
  });
  const log = deps.logger.child({ component: 'intake' });
  router.post(
    '/webhooks/distribution',
    raw,
    async (req: Request, res: Response) => {
      if (
        !isBearerAuthorized(
          req.headers.authorization,
          deps.config.intake.secret,
        )
      ) {
        log.warn(
          { remote: req.socket.remoteAddress },
          'invalid webhook credentials',
        );
        return sendError(
          res,
          401,
          'WEBHOOK_SIGNATURE_INVALID',
          deps.config.intake.secret
            ? 'missing or wrong bearer secret'
            : 'intake.secret is not configured: every notification is refused',
        );
      }
      try {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const events = parseDistributionEnvelope(body);
        const summary = await acceptEvents(
          {
            events: deps.stores.events,
            manifests: deps.stores.manifests,
            jobs: deps.jobs,
            logger: log,
          },
          'distribution',
          events,
        );
        res.status(202).json(summary);
      } catch (err: unknown) {
        if (err instanceof IntakeError)
          return sendError(res, 400, err.code, err.message, err.details);
        log.error({ err }, 'failed to accept notification');
        return sendError(
          res,
          503,
          'INTAKE_UNAVAILABLE',
          'events could not be stored; the registry will redeliver them',
        );
      }
    },
  );
  return router;
}
