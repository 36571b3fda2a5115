import type { SqlClient } from '../database.js';

/** Tables of rows with `expires_at` and `revoked_at` (exceptions, grants). */
type ExpiringTable = 'policy_exceptions' | 'break_glass_grants';

/** All rows, or (`inForceAt`) those neither revoked nor expired then; by id. */
export async function listExpiring<R>(
  db: SqlClient,
  table: ExpiringTable,
  inForceAt: string | undefined,
): Promise<R[]> {
  const { rows } = await db.query<R>(
    inForceAt === undefined
      ? `SELECT * FROM ${table} ORDER BY id`
      : `SELECT * FROM ${table}
         WHERE revoked_at IS NULL AND expires_at > $1 ORDER BY id`,
    inForceAt === undefined ? [] : [inForceAt],
  );
  return rows;
}

/** Rows not revoked whose expiry falls in [since, until); by id. */
export async function expiredBetween<R>(
  db: SqlClient,
  table: ExpiringTable,
  since: string,
  until: string,
): Promise<R[]> {
  const { rows } = await db.query<R>(
    `SELECT * FROM ${table} WHERE revoked_at IS NULL
       AND expires_at >= $1 AND expires_at < $2 ORDER BY id`,
    [since, until],
  );
  return rows;
}
