import type { MatchablePackage } from '../core/package.js';
import type { VerdictReason } from '../core/verdict.js';
import { comparatorFor } from '../vulndb/versions/index.js';
import { hasLicenseRules, type LicenseRules } from './evaluate-licenses.js';

/** A package an environment refuses: a name, optionally one ecosystem and a version range. */
export interface DeniedPackage {
  name: string;
  /** OSV ecosystem (`npm`, `Debian`); absent = any. */
  ecosystem?: string | undefined;
  /** Lowest version denied (inclusive); absent = from the first. */
  from?: string | undefined;
  /** First version no longer denied (exclusive); absent = every later one. */
  below?: string | undefined;
}

/**
 * True when some environment judges the image's package list: it denies
 * packages or has license rules. Judging then reads the packages (both
 * judgeImage and the batch paths ask this, so they agree).
 */
export function readsPackages(rules: {
  environments: Record<
    string,
    { packages: { deny: DeniedPackage[] }; licenses: LicenseRules }
  >;
}): boolean {
  return Object.values(rules.environments).some(
    (e) => e.packages.deny.length > 0 || hasLicenseRules(e.licenses),
  );
}

/** Most packages quoted in one reason. */
const MAX_QUOTED = 10;

/**
 * The violation of an environment's denied packages by the image's
 * packages, if any. A range over an ecosystem without a known version
 * order denies (fail closed: the version cannot be shown outside it).
 */
export function judgeDeniedPackages(
  packages: Array<Pick<MatchablePackage, 'ecosystem' | 'name' | 'version'>>,
  denied: DeniedPackage[],
): VerdictReason[] {
  if (denied.length === 0) return [];
  const hits = packages.filter((p) => denied.some((d) => deniesPackage(d, p)));
  if (hits.length === 0) return [];
  const names = [...new Set(hits.map((p) => `${p.name}@${p.version}`))];
  return [
    {
      code: 'PACKAGE_DENIED',
      message: `denied package(s) in the image: ${names.slice(0, MAX_QUOTED).join(', ')}${names.length > MAX_QUOTED ? `, … (${names.length} in all)` : ''}`,
      details: { packages: names },
    },
  ];
}

function deniesPackage(
  d: DeniedPackage,
  p: Pick<MatchablePackage, 'ecosystem' | 'name' | 'version'>,
): boolean {
  if (d.name !== p.name) return false;
  if (
    d.ecosystem !== undefined &&
    d.ecosystem.toLowerCase() !== p.ecosystem.split(':')[0]!.toLowerCase()
  )
    return false;
  if (d.from === undefined && d.below === undefined) return true;
  const comparator = comparatorFor(p.ecosystem);
  if (!comparator) return true;
  if (d.from !== undefined && comparator.compare(p.version, d.from) < 0)
    return false;
  return d.below === undefined || comparator.compare(p.version, d.below) < 0;
}
