import type { Finding } from '../../core/finding.js';
import type { Severity } from '../../core/severity.js';
import type { Database } from '../database.js';
import type { FindingStore } from '../ports.js';
import { findingRow, insertFindingRows } from './finding-rows.js';

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
      const { rows } = await db.query<FindingRow>(
        'SELECT * FROM findings WHERE image_digest = $1 ORDER BY ordinal',
        [digest],
      );
      return rows.map(findingFromRow);
    },
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
