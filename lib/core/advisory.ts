/**
 * The internal advisory model: a subset of the OSV schema
 * (https://ossf.github.io/osv-schema/) that matching needs, plus the raw
 * record. Every source is converted to it at import.
 */
export interface Advisory {
  id: string;
  /** Source name: `osv`, `debian-tracker`, … */
  source: string;
  modified: string;
  published?: string | undefined;
  withdrawn?: string | undefined;
  aliases: string[];
  related: string[];
  summary?: string | undefined;
  details?: string | undefined;
  severity: AdvisorySeverity[];
  affected: AffectedPackage[];
  databaseSpecific?: Record<string, unknown> | undefined;
}

export interface AdvisorySeverity {
  type: string; // CVSS_V3, CVSS_V4, Ubuntu, …
  score: string;
}

export interface AffectedPackage {
  ecosystem: string;
  name: string;
  purl?: string | undefined;
  ranges: AffectedRange[];
  versions: string[];
  /**
   * Distribution metadata kept beside the ranges, e.g. Debian
   * `{ urgency: 'unimportant', status: 'no-dsa' }`.
   */
  databaseSpecific?: Record<string, unknown> | undefined;
  ecosystemSpecific?: Record<string, unknown> | undefined;
  /**
   * OSV `affected[].severity`: set instead of the advisory's `severity`
   * when packages differ in severity (e.g. Ubuntu priorities).
   */
  severity?: AdvisorySeverity[] | undefined;
}

export interface AffectedRange {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  events: RangeEvent[];
}

export type RangeEvent =
  | { introduced: string }
  | { fixed: string }
  | { last_affected: string }
  | { limit: string };
