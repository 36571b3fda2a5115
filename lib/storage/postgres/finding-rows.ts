import type { Digest } from '../../core/digest.js';
import type { Finding } from '../../core/finding.js';
import type { SqlClient } from '../database.js';
import type { FindingsDelta } from '../ports.js';
import { FINDING_COLUMNS, findingRow } from './finding-store.js';

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
 * One INSERT from column arrays (`unnest`): for tens of thousands of rows
 * far cheaper than multi-row VALUES lists. Rows in FINDING_COLUMNS order.
 */
async function insertFindingRows(
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
    `INSERT INTO findings (${FINDING_COLUMNS.join(', ')})
     SELECT u.c0, u.c1, u.c2, u.c3, ARRAY(SELECT jsonb_array_elements_text(u.c4::jsonb)),
       u.c5, u.c6, u.c7, u.c8, u.c9, u.c10, u.c11, u.c12, u.c13, u.c14, u.c15, u.c16,
       u.c17, u.c18
     FROM unnest(${FINDING_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
       AS u(${FINDING_TYPES.map((_, i) => `c${i}`).join(', ')})`,
    columns,
  );
}

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
