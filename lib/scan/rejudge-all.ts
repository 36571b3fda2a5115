/**
 * Queues a re-evaluation of every scanned image in every repository that
 * holds it: after an exploitation feed (KEV, EPSS) changes, verdicts that
 * read it ("deny known-exploited with fix") are computed again.
 */
import type { Stores } from '../storage/ports.js';
import type { JobQueue } from './jobs.js';

/** Queues the jobs; returns how many images were queued. */
export async function rejudgeAllImages(
  stores: Pick<Stores, 'scans' | 'manifests'>,
  jobs: Pick<JobQueue, 'sendReevaluate'>,
  reason: string,
): Promise<number> {
  let queued = 0;
  for (const digest of await stores.scans.scannedDigests()) {
    for (const repository of await stores.manifests.repositoriesOf(digest)) {
      await jobs.sendReevaluate({ repository, digest, reason });
      queued++;
    }
  }
  return queued;
}
