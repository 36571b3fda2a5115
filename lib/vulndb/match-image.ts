import type { Advisory } from '../core/advisory.js';
import type { Digest } from '../core/digest.js';
import type { Finding } from '../core/finding.js';
import type { FindingStore, ScanStore, VulnStore } from '../storage/ports.js';
import { lookupKeyFor, matchPackage } from './match.js';

export interface MatchImageDeps {
  scans: ScanStore;
  vulns: VulnStore;
  findings: FindingStore;
}

/**
 * Re-matches an image's stored packages against the current vulnerability
 * data and replaces its findings. Reads no layer: this is what makes a data
 * import re-judge every stored image at once. Returns the findings.
 */
export async function matchImage(
  deps: MatchImageDeps,
  digest: Digest,
): Promise<Finding[]> {
  const packages = await deps.scans.packages(digest);
  const snapshotId = await deps.vulns.currentSnapshot();
  const keys = new Map<string, { ecosystem: string; name: string }>();
  for (const p of packages) {
    const k = lookupKeyFor(p);
    keys.set(`${k.ecosystem}\u0000${k.name}`, {
      ecosystem: k.ecosystem,
      name: k.name,
    });
  }
  const advisories = await deps.vulns.advisoriesFor([...keys.values()]);
  const byKey = indexByPackage(advisories);
  const findings: Finding[] = [];
  for (const p of packages) {
    const k = lookupKeyFor(p);
    const candidates = byKey.get(`${k.ecosystem}\u0000${k.name}`);
    if (candidates) findings.push(...matchPackage(p, candidates));
  }
  await deps.findings.replace(digest, findings, snapshotId);
  return findings;
}

function indexByPackage(advisories: Advisory[]): Map<string, Advisory[]> {
  const byKey = new Map<string, Advisory[]>();
  for (const a of advisories) {
    for (const key of new Set(
      a.affected.map((p) => `${p.ecosystem}\u0000${p.name}`),
    )) {
      const list = byKey.get(key) ?? [];
      list.push(a);
      byKey.set(key, list);
    }
  }
  return byKey;
}
