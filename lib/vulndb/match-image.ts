import type { Advisory } from '../core/advisory.js';
import type { Digest } from '../core/digest.js';
import type { Finding } from '../core/finding.js';
import type { MatchablePackage } from '../core/package.js';
import type {
  FindingStore,
  PackageKey,
  RematchStore,
  ScanStore,
  VulnStore,
} from '../storage/ports.js';
import { lookupKeyFor, matchPackage } from './match.js';
import { normalizePackageName } from './names.js';

export interface MatchImageDeps {
  scans: ScanStore;
  vulns: VulnStore;
  findings: FindingStore;
  rematch: RematchStore;
}

/**
 * Re-matches an image's stored packages against the current vulnerability
 * data and replaces its findings; records its package keys and the
 * snapshot, so later imports re-match it only when they concern it. Reads
 * no layer. Returns the findings.
 */
export async function matchImage(
  deps: MatchImageDeps,
  digest: Digest,
): Promise<Finding[]> {
  const packages = await deps.scans.packages(digest);
  const snapshotId = await deps.vulns.currentSnapshot();
  const keys = packageKeys(packages);
  const advisories = await deps.vulns.advisoriesFor(distinctKeys(keys));
  const findings = matchPackages(packages, advisories);
  await deps.findings.replace(digest, findings, snapshotId);
  await deps.rematch.recordMatch(digest, keys, snapshotId);
  return findings;
}

/** The advisory lookup key of each package, by position. */
export function packageKeys(
  packages: readonly MatchablePackage[],
): PackageKey[] {
  return packages.map((p, ordinal) => {
    const k = lookupKeyFor(p);
    return { ordinal, ecosystem: k.ecosystem, name: k.name };
  });
}

/** The distinct (ecosystem, name) pairs of `keys`. */
export function distinctKeys(
  keys: ReadonlyArray<{ ecosystem: string; name: string }>,
): Array<{ ecosystem: string; name: string }> {
  const seen = new Map<string, { ecosystem: string; name: string }>();
  for (const k of keys) {
    seen.set(`${k.ecosystem}\u0000${k.name}`, {
      ecosystem: k.ecosystem,
      name: k.name,
    });
  }
  return [...seen.values()];
}

/**
 * The findings of `packages` among `advisories`, each package checked
 * only against the advisories naming its lookup key (normalised).
 */
export function matchPackages(
  packages: readonly MatchablePackage[],
  advisories: readonly Advisory[] | AdvisoryIndex,
): Finding[] {
  const byKey =
    advisories instanceof Map ? advisories : indexByPackage(advisories);
  const findings: Finding[] = [];
  for (const p of packages) {
    const k = lookupKeyFor(p);
    const candidates = byKey.get(`${k.ecosystem}\u0000${k.name}`);
    if (candidates) findings.push(...matchPackage(p, candidates));
  }
  return findings;
}

/** Advisories by the (ecosystem, normalised name) keys they name. */
export type AdvisoryIndex = Map<string, Advisory[]>;

/**
 * Indexes advisories by the keys they name; build it once and hand it to
 * matchPackages for many images.
 */
export function indexByPackage(advisories: readonly Advisory[]): AdvisoryIndex {
  const byKey = new Map<string, Advisory[]>();
  for (const a of advisories) {
    const keys = new Set(
      a.affected.map(
        (p) =>
          `${p.ecosystem}\u0000${normalizePackageName(p.ecosystem, p.name)}`,
      ),
    );
    for (const key of keys) {
      const list = byKey.get(key) ?? [];
      list.push(a);
      byKey.set(key, list);
    }
  }
  return byKey;
}
