import type { Digest } from '../../core/digest.js';
import type { Finding } from '../../core/finding.js';
import type { SqlClient } from '../database.js';
import type { FindingsDelta } from '../ports.js';

/** Column names of `findings`, in the order of {@link findingRow}. */
export const FINDING_COLUMNS = [
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
  'cvss_score',
  'cvss_severity',
  'distribution_severity',
  'distribution_severity_source',
] as const;

/** One `findings` row, in FINDING_COLUMNS order. */
export function findingRow(
  digest: string,
  ordinal: number,
  f: Finding,
  snapshotId: number | null,
): unknown[] {
  return [
    digest,
    ordinal,
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
    f.cvssScore ?? null,
    f.cvssSeverity ?? null,
    f.distributionSeverity ?? null,
    f.distributionSeveritySource ?? null,
  ];
}

/** New findings go after the image's remaining ones. */
export async function insertFindings(
  tx: SqlClient,
  deltas: FindingsDelta[],
  snapshotId: number,
): Promise<void> {
  const withAdded = deltas.filter((d) => d.add.length > 0);
  if (withAdded.length === 0) return;
  const { rows } = await tx.query<{ image_digest: Digest; next: number }>(
    `SELECT image_digest, max(ordinal) + 1 AS next FROM findings
     WHERE image_digest = ANY($1::text[]) GROUP BY image_digest`,
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

/**
 * Inserts findings (rows in FINDING_COLUMNS order) and records, in the
 * same statement, when each was first seen and first seen with a fix
 * (`finding_first_seen`): a key seen before keeps its times, and gains
 * `fix_available_since` the first time it comes with a fix. One INSERT
 * from column arrays (`unnest`): for tens of thousands of rows far cheaper
 * than multi-row VALUES lists, and set-based, so re-matching stays fast.
 */
export async function insertFindingRows(
  tx: SqlClient,
  rows: unknown[][],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = FINDING_COLUMNS.map((_, c) =>
    rows.map((r) =>
      c === ALIASES_COLUMN ? JSON.stringify(r[c]) : (r[c] ?? null),
    ),
  );
  await tx.query(
    `WITH ins AS (
       INSERT INTO findings (${FINDING_COLUMNS.join(', ')})
       SELECT u.c0, u.c1, u.c2, u.c3, ARRAY(SELECT jsonb_array_elements_text(u.c4::jsonb)),
         u.c5, u.c6, u.c7, u.c8, u.c9, u.c10, u.c11, u.c12, u.c13, u.c14, u.c15, u.c16,
         u.c17, u.c18
       FROM unnest(${FINDING_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
         AS u(${FINDING_TYPES.map((_, i) => `c${i}`).join(', ')})
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
    columns,
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
const TIMES_KEY = KEY_COLUMNS.join(', ');
const KEY_OF = (alias: string) =>
  KEY_COLUMNS.map((c) => `${alias}.${c}`).join(', ');

/** Array types of FINDING_COLUMNS, aliases passed as JSON text. */
const FINDING_TYPES = [
  'text',
  'int',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'int',
  'real',
  'text',
  'text',
  'text',
] as const;
const ALIASES_COLUMN = 4;
