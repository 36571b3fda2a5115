import type { SqlClient } from '../database.js';

/** Postgres allows 65535 bind parameters per statement; stay well below. */
const MAX_PARAMS = 30_000;

/**
 * Inserts rows with multi-row INSERT statements, batched under the bind
 * parameter limit. `table` and `columns` are trusted identifiers.
 */
export async function insertRows(
  tx: SqlClient,
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<readonly unknown[]>,
): Promise<void> {
  const perBatch = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  for (let start = 0; start < rows.length; start += perBatch) {
    const batch = rows.slice(start, start + perBatch);
    const params: unknown[] = [];
    const tuples = batch.map((row) => {
      const first = params.length;
      params.push(...row);
      return `(${row.map((_, k) => `$${first + k + 1}`).join(', ')})`;
    });
    await tx.query(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`,
      params,
    );
  }
}
