import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { errorCode, hasCode, messageOf } from '../../../lib/core/errors.js';
import { parseImageReference } from '../../../lib/core/reference.js';
import { packageVersion } from '../../../lib/config/package-root.js';
import type { Digest } from '../../../lib/core/digest.js';
import { imageReport } from '../../../lib/policy/image-report.js';
import { downloadMirrorFile } from '../../../lib/outbound/mirror-download.js';
import { imageSbom, SBOM_FORMATS } from '../../../lib/scan/sbom/image-sbom.js';
import { importData } from '../../../lib/vulndb/import-data.js';
import { rejudgeAllImages } from '../../../lib/scan/rejudge-all.js';
import type { Deps } from '../deps.js';
import { sendError } from './errors.js';
import { requireRole } from './admin-auth.js';
import { auditAction } from './audit-action.js';

const sbomQuery = z.object({
  format: z.enum(SBOM_FORMATS),
  platform: z.string().min(1).optional(),
});

export const importBody = z.strictObject({
  paths: z.array(z.string().min(1)).min(1).max(100),
});

/** The admin/read API under /api/v1 (JSON). */
export function apiRoutes(deps: Deps): Router {
  const router = express.Router();
  const log = deps.logger.child({ component: 'api' });

  // GET /api/v1/images/<repo>@<digest>/sbom?format=cyclonedx|spdx[&platform=os/arch]
  // (before the report route, whose pattern also matches this path).
  router.get(
    /^\/api\/v1\/images\/(.+)\/sbom$/,
    async (req: Request, res: Response) => {
      try {
        await sendSbom(deps, req, res);
      } catch (err: unknown) {
        if (hasCode(err, 'UPSTREAM_UNAVAILABLE'))
          return sendError(res, 503, 'UPSTREAM_UNAVAILABLE', messageOf(err));
        log.error({ err }, 'failed to build an sbom');
        sendError(res, 500, 'INTERNAL', 'internal error');
      }
    },
  );

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

  // Imports files on this host (the local CLI hands the work to the server
  // when the embedded database is held by it), so admins only.
  router.post(
    '/api/v1/vulndb/imports',
    requireRole('admin'),
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
        const result = await importData(deps.stores, body.data.paths, {
          logger: log,
          download: (url) =>
            downloadMirrorFile(url, deps.config.vulndb.download),
        });
        if (result.changedPackages > 0)
          await deps.jobs.sendRematch({
            reason: `vulnerability data snapshot ${result.snapshotId}`,
          });
        if (result.exploits.length > 0)
          await rejudgeAllImages(
            deps.stores,
            deps.jobs,
            'exploitation data imported',
          );
        await auditAction(deps, res, {
          action: 'vulndb.import',
          target: `vulndb/snapshot/${result.snapshotId}`,
          after: { paths: body.data.paths },
        });
        res.json(result);
      } catch (err: unknown) {
        sendError(res, 400, errorCode(err) ?? 'IMPORT_FAILED', messageOf(err));
      }
    },
  );
  return router;
}

/** `<repo>@<digest>` as is, `<repo>:<tag>` resolved upstream, or the error to send. */
async function resolveImage(
  deps: Deps,
  ref: string,
): Promise<
  | { repository: string; digest: Digest }
  | { status: number; code: string; message: string }
> {
  let parsed;
  try {
    parsed = parseImageReference(decodeURIComponent(ref));
  } catch (err: unknown) {
    return { status: 400, code: 'REFERENCE_INVALID', message: messageOf(err) };
  }
  if (parsed.digest)
    return { repository: parsed.repository, digest: parsed.digest };
  const head = await deps.upstream.headManifest(
    parsed.repository,
    parsed.tag ?? 'latest',
  );
  if (!head)
    return {
      status: 404,
      code: 'IMAGE_UNKNOWN',
      message: `no tag ${parsed.tag} in ${parsed.repository}`,
    };
  return { repository: parsed.repository, digest: head.digest };
}

/** Answers an SBOM request: 400 bad query, 404 unknown image or platform, 409 scan not done. */
async function sendSbom(
  deps: Deps,
  req: Request,
  res: Response,
): Promise<void> {
  const ref = (req.params as Record<string, string>)[0] ?? '';
  const query = sbomQuery.safeParse(req.query);
  if (!query.success)
    return sendError(
      res,
      400,
      'REQUEST_INVALID',
      'format must be cyclonedx or spdx',
    );
  const target = await resolveImage(deps, ref);
  if ('code' in target)
    return sendError(res, target.status, target.code, target.message);
  const { format, platform } = query.data;
  const result = await imageSbom(deps.stores, { ...target, platform }, format, {
    toolVersion: packageVersion(),
  });
  if ('code' in result)
    return sendError(
      res,
      result.code === 'SCAN_NOT_DONE' ? 409 : 404,
      result.code,
      result.message,
    );
  res.type(
    format === 'cyclonedx'
      ? 'application/vnd.cyclonedx+json; version=1.6'
      : 'application/spdx+json',
  );
  res.send(JSON.stringify(result.document, null, 2));
}
