import type { Severity } from './severity.js';

/**
 * An advisory that applies to a package of an image. `status` is
 * `affected`, or `undetermined` when the source says the impact is not known
 * yet (Debian `<undetermined>`).
 */
export interface Finding {
  advisoryId: string;
  /** Source the advisory was imported from (`osv`, `debian-tracker`, …). */
  advisorySource?: string | undefined;
  aliases: string[];
  ecosystem: string;
  packageName: string;
  packageVersion: string;
  /** Name the advisory uses (the source package for distributions). */
  advisoryPackage: string;
  fixedVersion?: string | undefined;
  severity: Severity;
  /** Where the severity came from (`debian-urgency`, `cvss`, …). */
  severitySource?: string | undefined;
  /** Highest CVSS base score computed from the advisory's vectors. */
  cvssScore?: number | undefined;
  /** Band of `cvssScore`; `unknown` when no vector could be scored. */
  cvssSeverity?: Severity | undefined;
  /** The distribution's own rating (Debian urgency, Ubuntu, Red Hat). */
  distributionSeverity?: Severity | undefined;
  /** `debian-urgency`, `ubuntu-priority`, `redhat-severity`. */
  distributionSeveritySource?: string | undefined;
  status: 'affected' | 'undetermined';
  summary?: string | undefined;
}

/**
 * When a finding of an image was first seen, and first seen with a fix
 * available (ISO times). Kept apart from the finding, which every match
 * rewrites, so re-matching never resets them; a finding that gains a fix
 * with a later data import gets `fixAvailableSince` then.
 */
export interface FindingTimes {
  firstSeenAt?: string | undefined;
  fixAvailableSince?: string | undefined;
}

/** What a verdict reads of a finding (policy/evaluate.ts). */
export type JudgedFinding = Pick<
  Finding,
  | 'advisoryId'
  | 'aliases'
  | 'fixedVersion'
  | 'status'
  | 'severity'
  | 'cvssSeverity'
  | 'distributionSeverity'
> &
  Pick<FindingTimes, 'fixAvailableSince'>;

/**
 * What a finding's times are recorded under: the advisory and the exact
 * package (the image digest aside), as `finding_first_seen` keys them.
 */
export function findingTimesKey(
  f: Pick<
    Finding,
    'advisoryId' | 'ecosystem' | 'packageName' | 'packageVersion'
  >,
): string {
  return `${f.advisoryId}\u0000${f.ecosystem}\u0000${f.packageName}\u0000${f.packageVersion}`;
}

const MALICIOUS_ID_RE = /^MAL-\d{4}-\d+$/;

/**
 * True for a malicious-package advisory (OpenSSF malicious-packages `MAL-`
 * ids): the package is malware, whatever its version, so such a finding
 * is always critical, whatever rating a rule picks.
 */
export function isMaliciousAdvisory(advisoryId: string): boolean {
  return MALICIOUS_ID_RE.test(advisoryId);
}
