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
 * Inserts findings and records, in the same statement, when each was
 * first seen and first seen with a fix (`finding_first_seen`): a key seen
 * before keeps its times, and gains `fix_available_since` the first time
 * it comes with a fix. The only parameter is a JSON document of the rows:
 * tens of thousands of rows serialize with one native JSON.stringify,
 * where column arrays would be escaped element by element; and the
 * statement is set-based, so re-matching stays fast.
 */
export async function insertFindingRows(
  tx: SqlClient,
  rows: FindingRowValues[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `WITH ins AS (
       INSERT INTO findings (${COLUMN_LIST})
       SELECT ${COLUMN_LIST} FROM json_to_recordset($1::json) AS u(${RECORD_TYPE})
       RETURNING ${TIMES_KEY}, fixed_version),
     seen AS (
       SELECT ${TIMES_KEY}, bool_or(fixed_version IS NOT NULL) AS fixable
       FROM ins GROUP BY ${TIMES_KEY})
     INSERT INTO finding_first_seen (${TIMES_KEY}, fix_available_since)
     SELECT ${KEY_OF('s')}, CASE WHEN s.fixable THEN now() END FROM seen s
     LEFT JOIN finding_first_seen t ON ${KEY_COLUMNS.map((c) => `t.${c} = s.${c}`).join(' AND ')}
     -- Only what is new, or newly fixable: most re-inserted findings
     -- touch no row at all.
     WHERE t.image_digest IS NULL OR (t.fix_available_since IS NULL AND s.fixable)
     ON CONFLICT (${TIMES_KEY}) DO UPDATE
       SET fix_available_since = EXCLUDED.fix_available_since
       WHERE finding_first_seen.fix_available_since IS NULL
         AND EXCLUDED.fix_available_since IS NOT NULL`,
    [JSON.stringify(rows)],
  );
}

/** The key of `finding_first_seen`. */
const KEY_COLUMNS = [
  'image_digest',
  'advisory_id',
  'ecosystem',
  'package_name',
  'package_version',
] as const;
/** The key columns of `finding_first_seen`, as an SQL column list. */
export const TIMES_KEY = KEY_COLUMNS.join(', ');
const KEY_OF = (alias: string) =>
  KEY_COLUMNS.map((c) => `${alias}.${c}`).join(', ');
