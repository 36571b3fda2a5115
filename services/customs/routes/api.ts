import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { errorCode, hasCode, messageOf } from '../../../lib/core/errors.js';
import { parseImageReference } from '../../../lib/core/reference.js';
import { imageReport } from '../../../lib/policy/image-report.js';
import { downloadMirrorFile } from '../../../lib/outbound/mirror-download.js';
import { importVulnData } from '../../../lib/vulndb/import.js';
import type { Deps } from '../deps.js';
import { sendError } from './errors.js';
import { requireLocalToken } from './local-token.js';

const importBody = z.strictObject({
  paths: z.array(z.string().min(1)).min(1).max(100),
});

/** The admin/read API under /api/v1 (JSON). */
export function apiRoutes(deps: Deps, localToken: string): Router {
  const router = express.Router();
  const log = deps.logger.child({ component: 'api' });

  // GET /api/v1/images/<repo>@<digest> (or <repo>:<tag>, resolved upstream now).
  router.get(
    /^\/api\/v1\/images\/(.+)$/,
    async (req: Request, res: Response) => {
      const ref = (req.params as Record<string, string>)[0] ?? '';
      let parsed;
      try {
        parsed = parseImageReference(decodeURIComponent(ref));
      } catch (err: unknown) {
        return sendError(res, 400, 'REFERENCE_INVALID', messageOf(err));
      }
      try {
        let digest = parsed.digest;
        if (!digest) {
          const head = await deps.upstream.headManifest(
            parsed.repository,
            parsed.tag ?? 'latest',
          );
          if (!head)
            return sendError(
              res,
              404,
              'IMAGE_UNKNOWN',
              `no tag ${parsed.tag} in ${parsed.repository}`,
            );
          digest = head.digest;
        }
        const report = await imageReport(
          deps.stores,
          parsed.repository,
          digest,
        );
        if (!report)
          return sendError(
            res,
            404,
            'IMAGE_UNKNOWN',
            `Customs has not seen ${parsed.repository}@${digest}`,
          );
        res.json(report);
      } catch (err: unknown) {
        if (hasCode(err, 'UPSTREAM_UNAVAILABLE'))
          return sendError(res, 503, 'UPSTREAM_UNAVAILABLE', messageOf(err));
        log.error({ err }, 'failed to build image report');
        sendError(res, 500, 'INTERNAL', 'internal error');
      }
    },
  );

  router.get('/api/v1/vulndb', async (_req, res) => {
    res.json(await deps.stores.vulns.summary());
  });

  // Imports files on this host. Only the local CLI (holding the token of the
  // data directory's lock file) may call it: the embedded database cannot be
  // opened by a second process, so the CLI hands the work to the server.
  router.post(
    '/api/v1/vulndb/imports',
    requireLocalToken(localToken),
    express.json({ limit: '64kb' }),
    async (req: Request, res: Response) => {
      const body = importBody.safeParse(req.body);
      if (!body.success)
        return sendError(
          res,
          400,
          'REQUEST_INVALID',
          body.error.issues.map((i) => i.message).join('; '),
        );
      try {
        const result = await importVulnData(
          deps.stores.vulns,
          body.data.paths,
          {
            logger: log,
            download: (url) =>
              downloadMirrorFile(url, deps.config.vulndb.download),
          },
        );
        if (result.changedPackages > 0)
          await deps.jobs.sendRematch({
            reason: `vulnerability data snapshot ${result.snapshotId}`,
          });
        res.json(result);
      } catch (err: unknown) {
        sendError(res, 400, errorCode(err) ?? 'IMPORT_FAILED', messageOf(err));
      }
    },
  );
  return router;
}
