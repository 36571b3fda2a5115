import { isMaliciousAdvisory } from '../core/finding.js';
import cvss from 'ae-cvss-calculator';
import type {
  Advisory,
  AdvisorySeverity,
  AffectedPackage,
} from '../core/advisory.js';
import {
  type KnownSeverity,
  type Severity,
  severityFromCvssScore,
  severityFromDebianUrgency,
  severityRank,
} from '../core/severity.js';

/**
 * The severity of one advisory for one affected package, in this order:
 * 1. Debian tracker urgency (`databaseSpecific.urgency` of the entry);
 * 2. the highest CVSS v3.x / v4.0 base score of the entry's `severity`, else
 *    the advisory's (CVSS v2 only when neither is present);
 * 3. an Ubuntu priority (`severity[].type === 'Ubuntu'`);
 * 4. a Red Hat-family rating (`Important: …` summaries of AlmaLinux, Rocky
 *    and Red Hat advisories);
 * 5. a `database_specific.severity` text (GHSA `LOW`/`MODERATE`/`HIGH`/
 *    `CRITICAL`), of the entry, else of the advisory;
 * 6. `unknown`: never `low` by default.
 *
 * {@link severityDetails} also gives the CVSS and the distribution rating
 * separately, for rules that choose one (`severitySource`).
 */

/** A severity and where it came from (`Finding.severitySource`). */
export interface SeverityVerdict {
  severity: Severity;
  severitySource: string | undefined;
}

const CVSS_V3_RE = /^CVSS:3\.[01](?:\/[A-Za-z]+:[A-Za-z]+)+$/;
const CVSS_V4_RE = /^CVSS:4\.0(?:\/[A-Za-z]+:[A-Za-z]+)+$/;
const CVSS_V2_RE = /^\(?[A-Za-z]+:[A-Za-z]+(?:\/[A-Za-z]+:[A-Za-z]+)+\)?$/;

const V2_PARENS_RE = /^\(|\)$/g;

/** Severity words of Ubuntu priorities and GHSA/Red Hat-style texts. */
const TEXT_SEVERITY: ReadonlyMap<string, KnownSeverity> = new Map([
  ['negligible', 'negligible'],
  ['none', 'negligible'],
  ['low', 'low'],
  ['moderate', 'medium'],
  ['medium', 'medium'],
  ['important', 'high'],
  ['high', 'high'],
  ['critical', 'critical'],
]);

/** Both ratings of a finding, beside the preferred one. */
export interface SeverityDetails {
  preferred: SeverityVerdict;
  /** The highest computed CVSS base score and its band, if any vector scores. */
  cvss: { score: number; severity: KnownSeverity } | undefined;
  /** The distribution's own rating, if it gives one. */
  distribution: SeverityVerdict | undefined;
}

/** Red Hat-family ecosystems, whose advisories rate in their summary. */
const RED_HAT_FAMILY = new Set(['AlmaLinux', 'Red Hat', 'Rocky Linux']);
/** `Important: xz security update` (Red Hat's four-level scale). */
const RED_HAT_SUMMARY_RE = /^(Critical|Important|Moderate|Low):/;

/** A malicious package is critical, whatever else a record says. */
const MALICIOUS: SeverityVerdict = {
  severity: 'critical',
  severitySource: 'malicious-package',
};

/** Decides the severity of `advisory` for its entry `affected`. */
export function severityFor(
  advisory: Advisory,
  affected: AffectedPackage,
): SeverityVerdict {
  return severityDetails(advisory, affected).preferred;
}

/**
 * The preferred severity (see the module comment), the CVSS rating (the
 * highest v3.x/v4.0 base score computed from the vectors, v2 when there
 * is none) and the distribution's rating (Debian urgency, Ubuntu
 * priority, Red Hat-family severity) of `advisory` for entry `affected`.
 */
export function severityDetails(
  advisory: Advisory,
  affected: AffectedPackage,
): SeverityDetails {
  const scores = affected.severity ?? advisory.severity;
  const cvss = cvssOf(scores);
  if (isMaliciousAdvisory(advisory.id))
    return { preferred: MALICIOUS, cvss, distribution: undefined };
  const urgency = fromDebianUrgency(affected);
  const distribution =
    urgency ?? fromUbuntuPriority(scores) ?? fromRedHat(advisory, affected);
  const preferred = urgency ??
    (cvss && { severity: cvss.severity, severitySource: 'cvss' }) ??
    fromUbuntuPriority(scores) ??
    fromRedHat(advisory, affected) ??
    fromText(affected.databaseSpecific) ??
    fromText(advisory.databaseSpecific) ?? {
      severity: 'unknown',
      severitySource: undefined,
    };
  return { preferred, cvss, distribution };
}

function fromDebianUrgency(
  affected: AffectedPackage,
): SeverityVerdict | undefined {
  const urgency = affected.databaseSpecific?.['urgency'];
  if (typeof urgency !== 'string') return undefined;
  const severity = severityFromDebianUrgency(urgency);
  return severity === 'unknown'
    ? undefined
    : { severity, severitySource: 'debian-urgency' };
}

function fromRedHat(
  advisory: Advisory,
  affected: AffectedPackage,
): SeverityVerdict | undefined {
  const base = affected.ecosystem.split(':', 1)[0] ?? '';
  if (!RED_HAT_FAMILY.has(base)) return undefined;
  const word = RED_HAT_SUMMARY_RE.exec(advisory.summary ?? '')?.[1];
  const severity = word && TEXT_SEVERITY.get(word.toLowerCase());
  return severity ? { severity, severitySource: 'redhat-severity' } : undefined;
}

/**
 * The CVSS base score of a vector (`type` as in OSV: CVSS_V2, CVSS_V3,
 * CVSS_V4), or undefined when the vector is malformed or incomplete. For
 * v4.0 the score of the base metrics alone, even when the vector also
 * carries threat or environmental metrics.
 */
export function cvssBaseScore(
  type: string,
  vector: string,
): number | undefined {
  const key = `${type} ${vector}`;
  if (SCORES.has(key)) return SCORES.get(key);
  if (SCORES.size >= MAX_CACHED_SCORES) SCORES.clear();
  const score = computeScore(type, vector);
  SCORES.set(key, score);
  return score;
}

/**
 * Scores already computed: the same few vectors recur across thousands
 * of findings when a data import re-matches every image.
 */
const SCORES = new Map<string, number | undefined>();
const MAX_CACHED_SCORES = 50_000;

function computeScore(type: string, vector: string): number | undefined {
  try {
    return scoreOf(type, vector.trim());
  } catch (err: unknown) {
    // The calculator throws plain errors on unknown metrics or values;
    // such a vector has no score, which the caller reports as unknown.
    void err;
    return undefined;
  }
}

function scoreOf(type: string, vector: string): number | undefined {
  if (!hasUniqueMetrics(vector)) return undefined;
  if (type === 'CVSS_V3' && CVSS_V3_RE.test(vector)) {
    const v = vector.startsWith('CVSS:3.0/')
      ? new cvss.Cvss3P0(vector)
      : new cvss.Cvss3P1(vector);
    return v.isBaseFullyDefined() ? v.calculateScores().base : undefined;
  }
  if (type === 'CVSS_V4' && CVSS_V4_RE.test(vector)) {
    const v = new cvss.Cvss4P0(vector);
    return v.isBaseFullyDefined()
      ? v.calculateScores().baseMetricsOnly
      : undefined;
  }
  if (type === 'CVSS_V2' && CVSS_V2_RE.test(vector)) {
    const v = new cvss.Cvss2(vector.replace(V2_PARENS_RE, ''));
    return v.isBaseFullyDefined() ? v.calculateScores().base : undefined;
  }
  return undefined;
}

/** A metric given twice makes a vector invalid (CVSS v3.1 §6). */
function hasUniqueMetrics(vector: string): boolean {
  const keys = vector.split('/').map((part) => part.split(':')[0]);
  return new Set(keys).size === keys.length;
}

function cvssOf(
  scores: AdvisorySeverity[],
): { score: number; severity: KnownSeverity } | undefined {
  // v3 and v4 share the qualitative scale; take the worst of them, as a
  // gate should when sources disagree.
  const modern = maxScore(scores, ['CVSS_V3', 'CVSS_V4']);
  if (modern !== undefined) {
    return { score: modern, severity: severityFromCvssScore(modern) };
  }
  const v2 = maxScore(scores, ['CVSS_V2']);
  if (v2 === undefined) return undefined;
  // CVSS v2 has no "critical" band: 7.0-10.0 is high (NVD).
  return { score: v2, severity: v2 >= 7 ? 'high' : severityFromCvssScore(v2) };
}

function maxScore(
  scores: AdvisorySeverity[],
  types: readonly string[],
): number | undefined {
  let max: number | undefined;
  for (const { type, score } of scores) {
    if (!types.includes(type)) continue;
    const value = cvssBaseScore(type, score);
    if (value !== undefined && (max === undefined || value > max)) max = value;
  }
  return max;
}

function fromUbuntuPriority(
  scores: AdvisorySeverity[],
): SeverityVerdict | undefined {
  const known = scores
    .filter((s) => s.type === 'Ubuntu')
    .map((s) => TEXT_SEVERITY.get(s.score.trim().toLowerCase()))
    .filter((s): s is KnownSeverity => s !== undefined);
  if (known.length === 0) return undefined;
  const worst = known.reduce((a, b) =>
    severityRank(b) > severityRank(a) ? b : a,
  );
  return { severity: worst, severitySource: 'ubuntu-priority' };
}

function fromText(
  databaseSpecific: Record<string, unknown> | undefined,
): SeverityVerdict | undefined {
  const text = databaseSpecific?.['severity'];
  if (typeof text !== 'string') return undefined;
  const severity = TEXT_SEVERITY.get(text.trim().toLowerCase());
  if (severity === undefined) return undefined;
  return { severity, severitySource: 'database-specific' };
}
