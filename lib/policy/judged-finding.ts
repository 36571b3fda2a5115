import { isMaliciousAdvisory, type JudgedFinding } from '../core/finding.js';
import {
  severityRank,
  type KnownSeverity,
  type Severity,
} from '../core/severity.js';
import type { EnvironmentRules } from './rules.js';

/** The severity a finding is judged at under the rules. */
export function judgedSeverity(
  finding: JudgedFinding,
  rules: EnvironmentRules,
): KnownSeverity {
  if (isMaliciousAdvisory(finding.advisoryId)) return 'critical';
  const rated = ratedSeverity(finding, rules.vulnerabilities.severitySource);
  return rated === 'unknown' ? rules.vulnerabilities.unknownSeverityAs : rated;
}

/** The rating `source` picks (see the `severitySource` rule). */
function ratedSeverity(
  finding: JudgedFinding,
  source: EnvironmentRules['vulnerabilities']['severitySource'],
): Severity {
  switch (source) {
    case 'preferred':
      return finding.severity;
    case 'cvss':
      return finding.cvssSeverity ?? 'unknown';
    case 'distribution':
      return finding.distributionSeverity ?? 'unknown';
    case 'highest': {
      const known = [
        finding.severity,
        finding.cvssSeverity ?? 'unknown',
        finding.distributionSeverity ?? 'unknown',
      ].filter((s): s is KnownSeverity => s !== 'unknown');
      if (known.length === 0) return 'unknown';
      return known.reduce((a, b) =>
        severityRank(b) > severityRank(a) ? b : a,
      );
    }
  }
}

/**
 * Whether a finding counts under the rules' `countUnfixed` and
 * `countUndetermined` (severity aside).
 */
export function isCounted(
  f: JudgedFinding,
  v: Pick<
    EnvironmentRules['vulnerabilities'],
    'countUnfixed' | 'countUndetermined'
  >,
): boolean {
  return (
    (v.countUnfixed || f.fixedVersion !== undefined) &&
    (f.status === 'affected' || v.countUndetermined)
  );
}

/** How a reason names a finding: its CVE alias, else its advisory id. */
export function displayId(f: JudgedFinding): string {
  return f.aliases.find((a) => a.startsWith('CVE-')) ?? f.advisoryId;
}

/** Most advisory ids quoted in one reason; the API lists them all. */
const MAX_QUOTED = 10;

/** The first ids of a list for a reason's message, with the count of all. */
export function quoteIds(ids: readonly string[]): string {
  return (
    ids.slice(0, MAX_QUOTED).join(', ') +
    (ids.length > MAX_QUOTED ? `, … (${ids.length} in all)` : '')
  );
}
