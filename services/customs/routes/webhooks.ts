import { metrics } from '../../../lib/metrics/metrics.js';
import { readFileSync } from 'node:fs';
import express, { type Request, type Response, type Router } from 'express';
import type { Config } from '../../../lib/config/schema.js';
import { IntakeError } from '../../../lib/core/errors.js';
import {
  distributionToIntake,
  parseDistributionEnvelope,
} from '../../../lib/intake/distribution-envelope.js';
import { parseHarborWebhook } from '../../../lib/intake/harbor.js';
import {
  acceptEvents,
  type IntakeSummary,
} from '../../../lib/intake/intake.js';
import type { IntakeEvent } from '../../../lib/intake/intake-event.js';
import {
  isSourceAuthorized,
  type SourceAuth,
} from '../../../lib/intake/source-auth.js';
import { parseZotEvent } from '../../../lib/intake/zot.js';
import type { Deps } from '../deps.js';
import { sendError } from './errors.js';

type Kind = Config['intake']['sources'][string]['kind'];

const PARSERS: Record<Kind, (raw: Buffer, req: Request) => IntakeEvent[]> = {
  distribution: (raw) => distributionToIntake(parseDistributionEnvelope(raw)),
  harbor: (raw) => parseHarborWebhook(raw),
  zot: (raw, req) => parseZotEvent(raw, req.headers),
};

/**
 * `POST /webhooks/<source>`: registry events. `distribution` (CNCF
 * Distribution notifications, bearer `intake.secret`) is built in; more
 * sources come from `intake.sources`. Each request is authenticated before
 * anything is parsed or stored, and answered 2xx as soon as its events are
 * stored and their jobs queued.
 */
export function webhookRoutes(deps: Deps): Router {
  const router = express.Router();
  const raw = express.raw({
    type: () => true,
    limit: deps.config.server.maxBodyBytes,
  });
  const log = deps.logger.child({ component: 'intake' });
  const sources = configuredSources(deps.config);
  router.post('/webhooks/:source', raw, async (req: Request, res: Response) => {
    const name = String(req.params.source);
    const source = sources.get(name);
    if (!source)
      return sendError(
        res,
        404,
        'SOURCE_UNKNOWN',
        `no webhook source named ${name}`,
      );
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!isSourceAuthorized(source.auth, req.headers, body)) {
      metrics.intakeEvents.inc({ source: name, outcome: 'unauthorized' });
      log.warn(
        { source: name, remote: req.socket.remoteAddress },
        'invalid webhook credentials',
      );
      return sendError(
        res,
        401,
        'WEBHOOK_SIGNATURE_INVALID',
        source.auth.secret
          ? 'missing or wrong webhook credentials'
          : `no secret is configured for ${name}: every event is refused`,
      );
    }
    try {
      const events = PARSERS[source.kind](body, req);
      const summary = await acceptEvents(
        {
          events: deps.stores.events,
          manifests: deps.stores.manifests,
          jobs: deps.jobs,
          upstream: deps.upstream,
          logger: log,
        },
        name,
        events,
      );
      countIntake(name, summary);
      res.status(202).json(summary);
    } catch (err: unknown) {
      if (err instanceof IntakeError) {
        metrics.intakeEvents.inc({ source: name, outcome: 'invalid' });
        return sendError(res, 400, err.code, err.message, err.details);
      }
      metrics.intakeEvents.inc({ source: name, outcome: 'failed' });
      log.error({ err, source: name }, 'failed to accept notification');
      return sendError(
        res,
        503,
        'INTAKE_UNAVAILABLE',
        'events could not be stored; the registry will redeliver them',
      );
    }
  });
  return router;
}

/** Counts a delivery's events by outcome. */
function countIntake(source: string, summary: IntakeSummary): void {
  metrics.intakeEvents.inc({ source, outcome: 'accepted' }, summary.accepted);
  metrics.intakeEvents.inc(
    { source, outcome: 'duplicate' },
    summary.duplicates,
  );
  metrics.intakeEvents.inc({ source, outcome: 'ignored' }, summary.ignored);
}

/** The built-in `distribution` source plus `intake.sources` (secret files read once, here). */
function configuredSources(
  config: Readonly<Config>,
): Map<string, { kind: Kind; auth: SourceAuth }> {
  const sources = new Map<string, { kind: Kind; auth: SourceAuth }>([
    [
      'distribution',
      {
        kind: 'distribution',
        auth: { mode: 'bearer', secret: config.intake.secret },
      },
    ],
  ]);
  for (const [name, s] of Object.entries(config.intake.sources)) {
    const secret =
      s.secret ?? readFileSync(s.secretFile!, 'utf8').replace(/\r?\n$/, '');
    const auth: SourceAuth =
      s.auth === 'bearer'
        ? { mode: 'bearer', secret }
        : { mode: s.auth, header: s.header, secret };
    sources.set(name, { kind: s.kind, auth });
  }
  return sources;
}
