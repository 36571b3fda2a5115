import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { packageVersion } from '../../../lib/config/package-root.js';
import { isDigest } from '../../../lib/core/digest.js';
import { isRepositoryName } from '../../../lib/core/reference.js';
import {
  adapterMetadata,
  harborReport,
  HARBOR_MIME,
  imageOfRequestId,
  scanRequestId,
} from '../../../lib/registry/harbor/adapter-report.js';
import { imageSbom } from '../../../lib/scan/sbom/image-sbom.js';
import type { Deps } from '../deps.js';

const scanRequest = z.looseObject({
  registry: z.looseObject({
    url: z.string().optional(),
    authorization: z.string().optional(),
  }),
  artifact: z.looseObject({
    repository: z.string().refine(isRepositoryName, 'invalid repository name'),
    digest: z.string().refine(isDigest, 'invalid digest'),
    tag: z.string().optional(),
    mime_type: z.string().optional(),
  }),
});

/** Seconds Harbor waits before asking for a report again. */
const REFRESH_AFTER_SECONDS = 5;

/**
 * Customs as a Harbor Pluggable Scanner (Harbor Scanner Adapter API v1.x),
 * mounted at `/harbor/api/v1`: register `http(s)://<customs>/harbor` in
 * Harbor and its UI shows Customs' findings. A scan request queues the same
 * scan a push does; the image is read from Customs' own upstream (Harbor),
 * with Customs' service credentials.
 */
export function harborAdapterRoutes(deps: Deps): Router {
  const router = express.Router();
  const { enabled, secret } = deps.config.harborAdapter;
  if (!enabled) return router;
  const base = '/harbor/api/v1';
  router.use(base, (req, res, next) =>
    authorized(req.headers.authorization, secret)
      ? next()
      : fail(res, 401, 'missing or wrong authorization'),
  );

  router.get(`${base}/metadata`, async (_req, res) => {
    const vulns = await deps.stores.vulns.summary();
    res
      .type(HARBOR_MIME.metadata)
      .send(
        JSON.stringify(adapterMetadata(packageVersion(), vulns.lastImportAt)),
      );
  });

  router.post(
    `${base}/scan`,
    express.json({ type: () => true, limit: '64kb' }),
    async (req: Request, res: Response) => {
      const parsed = scanRequest.safeParse(req.body);
      if (!parsed.success)
        return fail(
          res,
          422,
          parsed.error.issues
            .map((i) => `${i.path.join('.')}: ${i.message}`)
            .join('; '),
        );
      const { repository, digest } = parsed.data.artifact as {
        repository: string;
        digest: `sha256:${string}`;
      };
      await deps.jobs.sendScan({
        repository,
        digest,
        reason: 'harbor scan request',
      });
      res
        .status(202)
        .type(HARBOR_MIME.scanResponse)
        .send(JSON.stringify({ id: scanRequestId(repository, digest) }));
    },
  );

  router.get(`${base}/scan/:id/report`, async (req: Request, res: Response) => {
    const image = imageOfRequestId(String(req.params.id));
    if (
      !image ||
      !isDigest(image.digest) ||
      !isRepositoryName(image.repository)
    )
      return fail(res, 404, 'unknown scan request');
    const digest = image.digest;
    const scan = await deps.stores.scans.get(digest);
    if (!scan || scan.status === 'pending' || scan.status === 'running') {
      return void res
        .status(302)
        .set('Refresh-After', String(REFRESH_AFTER_SECONDS))
        .end();
    }
    if (scan.status === 'failed')
      return fail(
        res,
        500,
        `scan failed: ${scan.errorCode ?? ''} ${scan.errorMessage ?? ''}`.trim(),
      );
    const accept = req.headers.accept ?? HARBOR_MIME.harborReport;
    if (accept.includes('sbom')) {
      const sbom = await imageSbom(
        deps.stores,
        { repository: image.repository, digest },
        'spdx',
        { toolVersion: packageVersion() },
      );
      if ('code' in sbom) return fail(res, 404, sbom.message);
      return void res.type(HARBOR_MIME.sbomReport).send(
        JSON.stringify({
          generated_at: new Date().toISOString(),
          artifact: { repository: image.repository, digest },
          media_type: 'application/spdx+json',
          sbom: sbom.document,
        }),
      );
    }
    const manifest = await deps.stores.manifests.get(digest);
    const report = harborReport(
      { repository: image.repository, digest, mediaType: manifest?.mediaType },
      await deps.stores.findings.list(digest),
      { version: packageVersion() },
      new Date(),
    );
    res
      .type(
        accept.includes('vnd.security.vulnerability.report')
          ? HARBOR_MIME.securityReport
          : HARBOR_MIME.harborReport,
      )
      .send(JSON.stringify(report));
  });
  return router;
}

/** Harbor sends the registration's Authorization value as is (config requires a secret when enabled). */
function authorized(header: string | undefined, secret: string): boolean {
  if (!secret) return false;
  const a = createHash('sha256')
    .update(header ?? '')
    .digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

function fail(res: Response, status: number, message: string): void {
  res
    .status(status)
    .type(HARBOR_MIME.error)
    .send(JSON.stringify({ error: { message } }));
}
