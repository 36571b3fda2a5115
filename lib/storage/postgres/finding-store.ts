import type { Finding } from '../../core/finding.js';
import type { Severity } from '../../core/severity.js';
import type { Database } from '../database.js';
import type { FindingStore } from '../ports.js';
import { insertRows } from './insert-rows.js';

const FINDING_COLUMNS = [
  'image_digest',
  'ordinal',
  'advisory_source',
  'advisory_id',
  'aliases',
  'ecosystem',
  'package_name',
  'package_version',
  'advisory_package',
  'fixed_version',
  'severity',
  'severity_source',
  'status',
  'summary',
  'snapshot_id',
] as const;

/** Findings of each image, replaced whole at every match. */
export function createFindingStore(db: Database): FindingStore {
  return {
    async replace(digest, findings, snapshotId) {
      await db.transaction(async (tx) => {
        await tx.query('DELETE FROM findings WHERE image_digest = $1', [
          digest,
        ]);
        await insertRows(
          tx,
          'findings',
          FINDING_COLUMNS,
          findings.map((f, i) => [
            digest,
            i,
            f.advisorySource ?? '',
            f.advisoryId,
            f.aliases,
            f.ecosystem,
            f.packageName,
            f.packageVersion,
            f.advisoryPackage,
            f.fixedVersion ?? null,
            f.severity,
            f.severitySource ?? null,
            f.status,
            f.summary ?? null,
            snapshotId,
          ]),
        );
      });
    },

    async list(digest) {
      const { rows } = await db.query<Row>(
        'SELECT * FROM findings WHERE image_digest = $1 ORDER BY ordinal',
        [digest],
      );
      return rows.map((r) => ({
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
      }));
    },
  };
}

interface Row {
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
}
