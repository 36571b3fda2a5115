import type { Digest } from '../../core/digest.js';
import type { Finding, FindingTimes } from '../../core/finding.js';
import type { Severity } from '../../core/severity.js';
import type { Database } from '../database.js';
import type { FindingStore } from '../ports.js';
import { findingRow, insertFindingRows, TIMES_KEY } from './finding-rows.js';

/** Findings of each image, replaced whole at every match. */
export function createFindingStore(db: Database): FindingStore {
  return {
    async replace(digest, findings, snapshotId) {
      await db.transaction(async (tx) => {
        await tx.query('DELETE FROM findings WHERE image_digest = $1', [
          digest,
        ]);
        await insertFindingRows(
          tx,
          findings.map((f, i) => findingRow(digest, i, f, snapshotId)),
        );
      });
    },

    async list(digest) {
      const { rows } = await db.query<FindingRow & TimesRow>(
        `SELECT f.*, t.first_seen_at, t.fix_available_since FROM findings f
         LEFT JOIN finding_first_seen t USING (${TIMES_KEY})
         WHERE f.image_digest = $1 ORDER BY f.ordinal`,
        [digest],
      );
      return rows.map((r) => ({ ...findingFromRow(r), ...timesFromRow(r) }));
    },

    async timesOf(digests) {
      const { rows } = await db.query<
        TimesRow & {
          image_digest: Digest;
          advisory_id: string;
          ecosystem: string;
          package_name: string;
          package_version: string;
        }
      >(
        `SELECT ${TIMES_KEY}, first_seen_at, fix_available_since
         FROM finding_first_seen WHERE image_digest = ANY($1::text[])`,
        [digests],
      );
      return rows.map((r) => ({
        digest: r.image_digest,
        advisoryId: r.advisory_id,
        ecosystem: r.ecosystem,
        packageName: r.package_name,
        packageVersion: r.package_version,
        ...timesFromRow(r),
      }));
    },
  };
}

/** The times of `finding_first_seen`; null for a finding without a row. */
interface TimesRow {
  first_seen_at: Date | null;
  fix_available_since: Date | null;
}

function timesFromRow(r: TimesRow): FindingTimes {
  return {
    firstSeenAt: r.first_seen_at?.toISOString(),
    fixAvailableSince: r.fix_available_since?.toISOString(),
  };
}

/** A finding as read back, with the snapshot it was matched against. */
export function findingFromRow(
  r: FindingRow,
): Finding & { snapshotId: number | null } {
  return {
    advisoryId: r.advisory_id,
    advisorySource: r.advisory_source,
    aliases: r.aliases,
    ecosystem: r.ecosystem,
    packageName: r.package_name,
    packageVersion: r.package_version,
    advisoryPackage: r.advisory_package,
    fixedVersion: r.fixed_version ?? undefined,
    severity: r.severity,
    severitySource: r.severity_source ?? undefined,
    status: r.status,
    summary: r.summary ?? undefined,
    snapshotId: r.snapshot_id,
    // Rows written before both ratings were kept have neither.
    ...(r.cvss_severity === null
      ? {}
      : {
          cvssScore: r.cvss_score ?? undefined,
          cvssSeverity: r.cvss_severity,
          distributionSeverity: r.distribution_severity ?? 'unknown',
          distributionSeveritySource:
            r.distribution_severity_source ?? undefined,
        }),
  };
}

/** A row of `findings`. */
export interface FindingRow {
  advisory_source: string;
  advisory_id: string;
  aliases: string[];
  ecosystem: string;
  package_name: string;
  package_version: string;
  advisory_package: string;
  fixed_version: string | null;
  severity: Severity;
  severity_source: string | null;
  status: Finding['status'];
  summary: string | null;
  snapshot_id: number | null;
  cvss_score: number | null;
  cvss_severity: Severity | null;
  distribution_severity: Severity | null;
  distribution_severity_source: string | null;
}
