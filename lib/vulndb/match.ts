import type { Advisory, AffectedPackage } from '../core/advisory.js';
import type { Finding } from '../core/finding.js';
import type { MatchablePackage } from '../core/package.js';
import { severityRank, type Severity } from '../core/severity.js';
import { evaluateEntry, fixedVersionsAbove } from './ranges.js';
import { severityDetails, type SeverityDetails } from './severity.js';
import { baseEcosystem, normalizePackageName } from './names.js';
import { comparatorFor } from './versions/index.js';

export { normalizePackageName } from './names.js';

/**
 * Matching of one installed package against candidate advisories, with
 * OSV range semantics (see `ranges.ts`). Pure.
 */

/** What an advisory is looked up and compared by. */
export interface LookupKey {
  ecosystem: string;
  name: string;
  version: string;
}

/** An advisory that might apply but whose ranges could not be evaluated. */
export interface UnevaluatedMatch {
  advisoryId: string;
  ecosystem: string;
  advisoryPackage: string;
  reasons: string[];
}

/** Findings plus the advisories that could not be decided. */
export interface MatchResult {
  findings: Finding[];
  /**
   * Advisories naming the package that yielded no finding only because a
   * range could not be evaluated (no comparator for the ecosystem, an
   * invalid version). Callers log them: the absence of a finding is then
   * not a verdict.
   */
  unevaluated: UnevaluatedMatch[];
}

/**
 * Ecosystems whose advisories name source packages: Debian, Ubuntu and
 * Alpine (origin) by their data; SUSE, openSUSE and Mageia by the OSV
 * ecosystem table. AlmaLinux is left out on purpose: the spec says
 * "source package" but its published records name binary RPMs
 * (`openssl-libs`, `httpd-devel`).
 */
const SOURCE_PACKAGE_ECOSYSTEMS = new Set([
  'Alpine',
  'Debian',
  'Mageia',
  'openSUSE',
  'SUSE',
  'Ubuntu',
]);

/**
 * The ecosystem, name and version advisories are matched on. Packages of
 * source-package distributions (Debian, Ubuntu, Alpine, SUSE …) use
 * their source package (`sourceName ?? name`, `sourceVersion ?? version`,
 * so a binNMU `5.2.15-2+b13` is matched as source `5.2.15-2`); language
 * packages their own name and version.
 */
export function lookupKeyFor(pkg: MatchablePackage): LookupKey {
  const isSource = SOURCE_PACKAGE_ECOSYSTEMS.has(baseEcosystem(pkg.ecosystem));
  const name = isSource ? (pkg.sourceName ?? pkg.name) : pkg.name;
  const version = isSource ? (pkg.sourceVersion ?? pkg.version) : pkg.version;
  return {
    ecosystem: pkg.ecosystem,
    name: normalizePackageName(pkg.ecosystem, name),
    version,
  };
}

/**
 * The advisories among `advisories` that affect `pkg`: at most one
 * finding per advisory id, however many of its entries or ranges match
 * (the first record of an id given twice wins). Withdrawn advisories
 * never match. See {@link matchPackageDetailed}.
 */
export function matchPackage(
  pkg: MatchablePackage,
  advisories: readonly Advisory[],
): Finding[] {
  return matchPackageDetailed(pkg, advisories).findings;
}

/**
 * {@link matchPackage}, plus the advisories that could not be decided.
 * `fixedVersion` is the smallest `fixed` above the installed version that
 * no range of the advisory for this package affects (a version of the
 * advisory's package, i.e. the source version for distributions).
 * `status` is `undetermined` only when every matching entry says so
 * (`databaseSpecific.status`). Severity: the worst over the matching
 * entries (see `severity.ts`).
 */
export function matchPackageDetailed(
  pkg: MatchablePackage,
  advisories: readonly Advisory[],
): MatchResult {
  const key = lookupKeyFor(pkg);
  const result: MatchResult = { findings: [], unevaluated: [] };
  // The same record may arrive twice (e.g. once per package key it names).
  const seen = new Set<string>();
  for (const advisory of advisories) {
    if (advisory.withdrawn !== undefined || seen.has(advisory.id)) continue;
    const entries = advisory.affected.filter((a) => isEntryFor(a, key));
    if (entries.length === 0) continue;
    seen.add(advisory.id);
    const outcomes = entries.map((e) => evaluateEntry(e, key.version));
    const matched = entries.filter((_e, i) => outcomes[i]?.isAffected);
    if (matched.length > 0) {
      result.findings.push(toFinding(pkg, key, advisory, matched));
      continue;
    }
    const reasons = outcomes.flatMap((o) => o.unevaluated);
    if (reasons.length > 0) {
      result.unevaluated.push({
        advisoryId: advisory.id,
        ecosystem: key.ecosystem,
        advisoryPackage: key.name,
        reasons: [...new Set(reasons)],
      });
    }
  }
  return result;
}

function isEntryFor(entry: AffectedPackage, key: LookupKey): boolean {
  return (
    entry.ecosystem === key.ecosystem &&
    normalizePackageName(entry.ecosystem, entry.name) === key.name
  );
}

function toFinding(
  pkg: MatchablePackage,
  key: LookupKey,
  advisory: Advisory,
  matched: AffectedPackage[],
): Finding {
  const definite = matched.filter((e) => !isUndetermined(e));
  const rating = worstSeverity(advisory, matched);
  return {
    advisoryId: advisory.id,
    advisorySource: advisory.source,
    aliases: advisory.aliases,
    ecosystem: pkg.ecosystem,
    packageName: pkg.name,
    packageVersion: pkg.version,
    advisoryPackage: matched[0]?.name ?? key.name,
    fixedVersion: fixedVersionOf(advisory, key),
    severity: rating.preferred.severity,
    severitySource: rating.preferred.severitySource,
    cvssScore: rating.cvss?.score,
    cvssSeverity: rating.cvss?.severity ?? 'unknown',
    distributionSeverity: rating.distribution?.severity ?? 'unknown',
    distributionSeveritySource: rating.distribution?.severitySource,
    status: definite.length > 0 ? 'affected' : 'undetermined',
    summary: advisory.summary,
  };
}

function isUndetermined(entry: AffectedPackage): boolean {
  return entry.databaseSpecific?.['status'] === 'undetermined';
}

/**
 * The smallest fixed version above the installed one at which no entry
 * of the advisory for this package is affected any more: with
 * overlapping ranges the first `fixed` may still be vulnerable.
 */
function fixedVersionOf(
  advisory: Advisory,
  key: LookupKey,
): string | undefined {
  const entries = advisory.affected.filter((a) => isEntryFor(a, key));
  const candidates = [
    ...new Set(entries.flatMap((e) => fixedVersionsAbove(e, key.version))),
  ];
  const comparator = comparatorFor(key.ecosystem);
  if (comparator !== undefined) {
    candidates.sort((x, y) => comparator.compare(x, y));
  }
  return candidates.find((candidate) =>
    entries.every((e) => !evaluateEntry(e, candidate).isAffected),
  );
}

/** The worst rating of each kind over the matching entries. */
function worstSeverity(
  advisory: Advisory,
  matched: AffectedPackage[],
): SeverityDetails {
  const all = matched.map((e) => severityDetails(advisory, e));
  const worst = <T extends { severity: Severity } | undefined>(
    pick: (d: SeverityDetails) => T,
  ): T | undefined => {
    let best: T | undefined;
    for (const d of all) {
      const v = pick(d);
      if (v === undefined || v.severity === 'unknown') continue;
      if (
        best === undefined ||
        best.severity === 'unknown' ||
        severityRank(v.severity) > severityRank(best.severity)
      )
        best = v;
    }
    return best;
  };
  return {
    preferred: worst((d) => d.preferred) ?? {
      severity: 'unknown',
      severitySource: undefined,
    },
    cvss: worst((d) => d.cvss),
    distribution: worst((d) => d.distribution),
  };
}
