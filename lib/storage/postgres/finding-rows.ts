import type { Digest } from '../../core/digest.js';
import type { Finding } from '../../core/finding.js';
import type { SqlClient } from '../database.js';
import type { FindingsDelta } from '../ports.js';

/** The columns of `findings` a row writes, with their SQL types. */
const FINDING_COLUMNS = {
  image_digest: 'text',
  ordinal: 'int',
  advisory_source: 'text',
  advisory_id: 'text',
  aliases: 'text[]',
  ecosystem: 'text',
  package_name: 'text',
  package_version: 'text',
  advisory_package: 'text',
  fixed_version: 'text',
  severity: 'text',
  severity_source: 'text',
  status: 'text',
  summary: 'text',
  snapshot_id: 'int',
  cvss_score: 'real',
  cvss_severity: 'text',
  distribution_severity: 'text',
  distribution_severity_source: 'text',
} as const;

/** One `findings` row to write, by column. */
export type FindingRowValues = Record<keyof typeof FINDING_COLUMNS, unknown>;

/** The row that stores `f` as the image's `ordinal`-th finding. */
export function findingRow(
  digest: string,
  ordinal: number,
  f: Finding,
  snapshotId: number | null,
): FindingRowValues {
  return {
    image_digest: digest,
    ordinal,
    advisory_source: f.advisorySource ?? '',
    advisory_id: f.advisoryId,
    aliases: f.aliases,
    ecosystem: f.ecosystem,
    package_name: f.packageName,
    package_version: f.packageVersion,
    advisory_package: f.advisoryPackage,
    fixed_version: f.fixedVersion ?? null,
    severity: f.severity,
    severity_source: f.severitySource ?? null,
    status: f.status,
    summary: f.summary ?? null,
    snapshot_id: snapshotId,
    cvss_score: f.cvssScore ?? null,
    cvss_severity: f.cvssSeverity ?? null,
    distribution_severity: f.distributionSeverity ?? null,
    distribution_severity_source: f.distributionSeveritySource ?? null,
  };
}

/** New findings go after the image's remaining ones. */
export async function insertFindings(
  tx: SqlClient,
  deltas: FindingsDelta[],
  snapshotId: number,
): Promise<void> {
  const withAdded = deltas.filter((d) => d.add.length > 0);
  if (withAdded.length === 0) return;
  // One index probe per image (its highest ordinal), not a scan of all
  // of its findings.
  const { rows } = await tx.query<{ image_digest: Digest; next: number }>(
    `SELECT d AS image_digest,
       (SELECT f.ordinal FROM findings f WHERE f.image_digest = d
        ORDER BY f.ordinal DESC LIMIT 1) + 1 AS next
     FROM unnest($1::text[]) AS d`,
    [withAdded.map((d) => d.digest)],
  );
  const next = new Map(rows.map((r) => [r.image_digest, r.next]));
  const values = withAdded.flatMap((d) =>
    d.add.map((f: Finding, i) =>
      findingRow(d.digest, (next.get(d.digest) ?? 0) + i, f, snapshotId),
    ),
  );
  await insertFindingRows(tx, values);
}

/** Column list and record definition of the INSERT, built once. */
const COLUMN_LIST = Object.keys(FINDING_COLUMNS).join(', ');
const RECORD_TYPE = Object.entries(FINDING_COLUMNS)
  .map(([column, type]) => `${column} ${type}`)
  .join(', ');

/**
 * Inserts `findings` rows with one statement whose only parameter is a
 * JSON document of the rows: tens of thousands of rows serialize with one
 * native JSON.stringify, where column arrays would be escaped element by
 * element.
 */
export async function insertFindingRows(
  tx: SqlClient,
  rows: FindingRowValues[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO findings (${COLUMN_LIST})
     SELECT ${COLUMN_LIST} FROM json_to_recordset($1::json) AS u(${RECORD_TYPE})`,
    [JSON.stringify(rows)],
  );
}
