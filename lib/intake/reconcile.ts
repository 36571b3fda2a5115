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
  manifests: Pick<ManifestStore, 'setTag'>;
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
}

/** cosign's artifact tags: their subjects are judged, not they themselves. */
const COSIGN_TAG_RE = /^sha256-[a-f0-9]{64}\.(sig|att|sbom)$/;
const PAGE = 1000;

/**
 * Walks the upstream (catalog → tags → digests) and queues a scan of every
 * tagged image Customs has no verdict for, so an event lost while Customs
 * was down (or a registry without webhooks) is still judged. An image with
 * a verdict is never queued again; the scan queue's singleton key keeps a
 * queued image from being queued twice.
 */
export async function reconcileUpstream(
  deps: ReconcileDeps,
  limits: ReconcileLimits,
  signal: AbortSignal,
): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { repositories: 0, tags: 0, queued: 0 };
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
    for (const tag of tags ?? []) {
      if (COSIGN_TAG_RE.test(tag)) continue;
      summary.tags++;
      if (await reconcileTag(deps, repository, tag, signal)) summary.queued++;
    }
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
): Promise<boolean> {
  signal.throwIfAborted();
  const head = await deps.upstream.headManifest(repository, tag, { signal });
  if (!head) return false; // deleted since it was listed
  await deps.manifests.setTag(repository, tag, head.digest);
  if ((await deps.verdicts.list(repository, head.digest)).length > 0)
    return false;
  const id = await deps.sendScan({
    repository,
    digest: head.digest,
    reason: 'reconcile',
  });
  return id !== null;
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
