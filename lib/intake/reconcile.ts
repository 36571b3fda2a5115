import type { Logger } from 'pino';
import type {
  Page,
  PageRequest,
  UpstreamClient,
} from '../registry/client/upstream-client.js';
import type { ScanJob } from '../scan/jobs.js';
import type { ManifestStore, VerdictStore } from '../storage/ports.js';

export interface ReconcileDeps {
  upstream: Pick<
    UpstreamClient,
    'listRepositories' | 'listTags' | 'headManifest'
  >;
  manifests: Pick<
    ManifestStore,
    'setTag' | 'judgedIn' | 'parentsOf' | 'forget'
  >;
  verdicts: Pick<VerdictStore, 'list'>;
  sendScan: (job: ScanJob) => Promise<string | null>;
  logger: Logger;
}

export interface ReconcileLimits {
  maxRepositories: number;
  maxTagsPerRepository: number;
}

export interface ReconcileSummary {
  repositories: number;
  tags: number;
  queued: number;
  /** Judged images the upstream no longer has (a delete event was lost). */
  forgotten: number;
}

/** cosign's artifact tags: their subjects are judged, not they themselves. */
const COSIGN_TAG_RE = /^sha256-[a-f0-9]{64}\.(sig|att|sbom)$/;
const PAGE = 1000;

/**
 * Walks the upstream (catalog → tags → digests) and queues a scan of every
 * tagged image Customs has no verdict for, so an event lost while Customs
 * was down (or a registry without webhooks) is still judged. An image with
 * a verdict is never queued again; the scan queue's singleton key keeps a
 * queued image from being queued twice. A judged image no tag reaches any
 * more is asked for by digest, and forgotten when the upstream answers it
 * is gone, so a lost delete event does not leave it served from stored
 * copies.
 */
export async function reconcileUpstream(
  deps: ReconcileDeps,
  limits: ReconcileLimits,
  signal: AbortSignal,
): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = {
    repositories: 0,
    tags: 0,
    queued: 0,
    forgotten: 0,
  };
  const repositories = await collect(
    (p) => deps.upstream.listRepositories(p),
    limits.maxRepositories,
    signal,
  );
  for (const repository of repositories ?? []) {
    summary.repositories++;
    const tags = await collect(
      (p) => deps.upstream.listTags(repository, p),
      limits.maxTagsPerRepository,
      signal,
    );
    const tagged = new Set<string>();
    for (const tag of tags ?? []) {
      if (COSIGN_TAG_RE.test(tag)) continue;
      summary.tags++;
      const walked = await reconcileTag(deps, repository, tag, signal);
      if (walked.digest) tagged.add(walked.digest);
      if (walked.queued) summary.queued++;
    }
    // Only a complete tag list tells which judged images no tag reaches
    // (none when the upstream no longer knows the repository).
    if ((tags ?? []).length < limits.maxTagsPerRepository)
      summary.forgotten += await forgetDeleted(
        deps,
        repository,
        tagged,
        signal,
      );
  }
  deps.logger.info(
    { ...summary, catalog: repositories !== undefined },
    'upstream reconciled',
  );
  return summary;
}

async function reconcileTag(
  deps: ReconcileDeps,
  repository: string,
  tag: string,
  signal: AbortSignal,
): Promise<{ digest?: string; queued: boolean }> {
  signal.throwIfAborted();
  const head = await deps.upstream.headManifest(repository, tag, { signal });
  if (!head) return { queued: false }; // deleted since it was listed
  await deps.manifests.setTag(repository, tag, head.digest);
  if ((await deps.verdicts.list(repository, head.digest)).length > 0)
    return { digest: head.digest, queued: false };
  const id = await deps.sendScan({
    repository,
    digest: head.digest,
    reason: 'reconcile',
  });
  return { digest: head.digest, queued: id !== null };
}

/**
 * Forgets the judged images of `repository` that neither a tag nor a
 * tagged index reaches and that the upstream answers 404 for by digest
 * (an upstream error forgets nothing: only a definite "gone" does).
 */
async function forgetDeleted(
  deps: ReconcileDeps,
  repository: string,
  tagged: Set<string>,
  signal: AbortSignal,
): Promise<number> {
  let forgotten = 0;
  for (const digest of await deps.manifests.judgedIn(repository)) {
    signal.throwIfAborted();
    if (tagged.has(digest)) continue;
    const parents = await deps.manifests.parentsOf(repository, digest);
    if (parents.some((p) => tagged.has(p))) continue;
    const head = await deps.upstream.headManifest(repository, digest, {
      signal,
    });
    if (head) continue;
    if (await deps.manifests.forget(repository, digest)) forgotten++;
    deps.logger.info({ repository, digest }, 'image gone upstream: forgotten');
  }
  return forgotten;
}

async function collect(
  fetchPage: (page: PageRequest) => Promise<Page | undefined>,
  max: number,
  signal: AbortSignal,
): Promise<string[] | undefined> {
  let page = await fetchPage({ n: PAGE, signal });
  if (!page) return undefined;
  const names = [...page.names];
  while (page.next && names.length < max) {
    page = await fetchPage({ n: PAGE, last: page.next.last, signal });
    if (!page) break;
    names.push(...page.names);
  }
  return names.slice(0, max);
}
