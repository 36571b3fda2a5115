import type { Logger } from 'pino';
import type { Digest } from '../core/digest.js';
import { judgeImage, type JudgeDeps } from '../policy/judge.js';
import {
  verifyImageSignatures,
  type VerifyImageDeps,
} from '../signature/verify-image.js';
import type { Stores } from '../storage/ports.js';
import { matchImage } from '../vulndb/match-image.js';
import type { JobHandlers, JobQueue } from './jobs.js';
import { scanManifest, type ScanPipelineDeps } from './pipeline.js';
import { rematchStoredImages, tidyAfterRematch } from './rematch.js';

export interface ProcessorDeps {
  stores: Stores;
  pipeline: ScanPipelineDeps;
  verify: VerifyImageDeps;
  judge: JudgeDeps;
  jobs: Pick<JobQueue, 'sendScan' | 'sendReevaluate'>;
  logger: Logger;
}

/**
 * The work behind each job: scan → match → verify → judge for a pushed image;
 * verify → judge when a signature arrives; match → judge for the stored
 * images a vulnerability data change concerns (see rematch.ts).
 */
export function createImageProcessor(
  deps: ProcessorDeps,
): Omit<JobHandlers, 'reconcile'> {
  const log = deps.logger.child({ component: 'scan.processor' });
  return {
    async scan(job, signal) {
      const started = performance.now();
      const scanned = await scanManifest(deps.pipeline, job, signal);
      if (scanned.kind === 'artifact' || scanned.kind === 'signature') {
        // A referrer (signature, attestation, SBOM) is judged by its subject.
        await reevaluateSubject(deps, job);
        return;
      }
      const images =
        scanned.kind === 'index' ? scanned.children : [scanned.digest];
      for (const digest of images) {
        if ((await deps.stores.scans.get(digest))?.status === 'done')
          await matchImage(deps.stores, digest);
      }
      if (scanned.kind === 'image' || scanned.kind === 'index') {
        for (const digest of [scanned.digest, ...scanned.children]) {
          await verifyImageSignatures(
            deps.verify,
            { repository: job.repository, digest },
            signal,
          );
        }
      }
      await judgeImage(deps.judge, job, `scan: ${job.reason}`);
      log.info(
        {
          repository: job.repository,
          digest: job.digest,
          kind: scanned.kind,
          durationMs: Math.round(performance.now() - started),
        },
        'image judged',
      );
    },

    async reevaluate(job, signal) {
      const manifest = await deps.stores.manifests.get(job.digest);
      if (!manifest) {
        // A signature for an image Customs has not seen: scan the image first.
        await deps.jobs.sendScan({
          ...job,
          reason: `signature before image: ${job.reason}`,
        });
        return;
      }
      await verifyImageSignatures(deps.verify, job, signal, job.hint);
      await judgeImage(deps.judge, job, `re-evaluate: ${job.reason}`);
      for (const parent of await deps.stores.manifests.parentsOf(
        job.repository,
        job.digest,
      )) {
        await judgeImage(
          deps.judge,
          { repository: job.repository, digest: parent },
          `re-evaluate: ${job.reason}`,
        );
      }
    },

    async rematch(job, signal) {
      const summary = await rematchStoredImages(
        { stores: deps.stores, judge: deps.judge, logger: log },
        job.reason,
        signal,
      );
      log.info(
        {
          snapshotId: summary.snapshotId,
          images: summary.images,
          changedImages: summary.changedImages,
          verdictChanges: summary.verdictChanges,
          durationMs: Math.round(summary.durationMs),
        },
        'images re-matched',
      );
      await tidyAfterRematch({ stores: deps.stores, logger: log }, summary);
    },
  };
}

async function reevaluateSubject(
  deps: ProcessorDeps,
  job: { repository: string; digest: Digest; reason: string },
): Promise<void> {
  const subject = (await deps.stores.manifests.get(job.digest))?.subjectDigest;
  if (subject === undefined) return;
  await deps.jobs.sendReevaluate({
    repository: job.repository,
    digest: subject,
    reason: `referrer ${job.digest} pushed`,
    hint: { digest: job.digest },
  });
}
