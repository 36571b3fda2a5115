import type { Digest } from '../core/digest.js';
import type { Finding, FindingTimes } from '../core/finding.js';
import type { ImageEvidence } from '../core/image-evidence.js';
import { enrichFindings, type EnrichedFinding } from './enrich-findings.js';
import { cveIdsOf } from './fix-priority.js';
import type { ImagePackage } from '../core/package.js';
import type { Verdict } from '../core/verdict.js';
import type {
  ScanRecord,
  SignatureRecord,
  Stores,
  VerdictChange,
} from '../storage/ports.js';

/** Everything Customs knows about one image, as the API and `customs explain` show it. */
export interface ImageReport {
  repository: string;
  digest: Digest;
  mediaType: string | undefined;
  kind: string | undefined;
  tags: string[];
  platforms: Array<{ digest: Digest; platform: string | undefined }>;
  scan: ScanRecord | undefined;
  packages: ImagePackage[];
  /**
   * Each with its layer, base/app origin, exploitation signals, fix
   * priority, and when it was first seen (with a fix).
   */
  findings: Array<
    EnrichedFinding<Finding & FindingTimes & { snapshotId: number | null }>
  >;
  signatures: SignatureRecord[];
  /** Secrets (masked) and other evidence besides packages; absent before a scan. */
  evidence: ImageEvidence | undefined;
  verdicts: Record<
    string,
    Omit<Verdict, 'repository' | 'digest' | 'environment'>
  >;
  history: Array<VerdictChange & { changedAt: string }>;
}

/** Builds the report of `repository@digest`; undefined when Customs has never seen it. */
export async function imageReport(
  stores: Stores,
  repository: string,
  digest: Digest,
): Promise<ImageReport | undefined> {
  const [manifest, verdictList, repositories] = await Promise.all([
    stores.manifests.get(digest),
    stores.verdicts.list(repository, digest),
    stores.manifests.repositoriesOf(digest),
  ]);
  // The same digest in another repository is another image for Customs.
  if (verdictList.length === 0 && !repositories.includes(repository))
    return undefined;
  const [tags, scan, packages, findings, signatures, history, evidence] =
    await Promise.all([
      stores.manifests.tagsOf(repository, digest),
      stores.scans.get(digest),
      stores.scans.packages(digest),
      stores.findings.list(digest),
      stores.signatures.list(digest),
      stores.verdicts.history(repository, digest),
      stores.evidence.get(digest),
    ]);
  const signals = await stores.exploits.lookup(findings.flatMap(cveIdsOf));
  const verdicts: ImageReport['verdicts'] = {};
  for (const v of verdictList) {
    verdicts[v.environment] = {
      id: v.id,
      status: v.status,
      reasons: v.reasons,
      rulesVersion: v.rulesVersion,
      snapshotId: v.snapshotId,
      computedAt: v.computedAt,
    };
  }
  return {
    repository,
    digest,
    mediaType: manifest?.mediaType,
    kind: manifest?.kind,
    tags,
    platforms: (manifest?.references ?? [])
      .filter((r) => r.role === 'manifest')
      .map((r) => ({ digest: r.digest, platform: r.platform })),
    scan,
    packages,
    findings: enrichFindings(findings, { packages, evidence, signals }),
    signatures,
    evidence,
    verdicts,
    history,
  };
}
