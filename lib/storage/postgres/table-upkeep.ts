import type { Logger } from 'pino';
import type { Database } from '../database.js';

/**
 * Brings the planner statistics (and, where nothing else does it, the
 * dead-row cleanup) of `tables` up to date after a bulk change.
 *
 * Why: a re-match or an import rewrites tens of thousands of rows at
 * once. Until the tables are analyzed, the planner works from no or stale
 * statistics and picks sequential scans (and JIT) for queries that touch a
 * few hundred images: measured on 10,000 images, reading one batch's
 * findings took 400 ms instead of 15 ms. Autovacuum would fix that a
 * minute or more later, and PGlite (single-user PostgreSQL) and servers
 * with `autovacuum = off` never do: there Customs vacuums the tables
 * itself, or they grow dead rows without bound.
 *
 * `tables` are trusted identifiers. Returns what it ran, for logs.
 */
export async function refreshTableStatistics(
  db: Database,
  tables: readonly string[],
): Promise<'analyze' | 'vacuum analyze'> {
  const vacuum = !(await autovacuumRuns(db));
  const command = vacuum ? 'VACUUM (ANALYZE)' : 'ANALYZE';
  // One table per statement: a table locked by a long transaction delays
  // only itself, and VACUUM may not run inside a transaction block.
  for (const table of tables) await db.query(`${command} ${table}`);
  return vacuum ? 'vacuum analyze' : 'analyze';
}

/**
 * Vacuums and analyzes every table of the database, one statement per
 * table (other queries run between them: PGlite has one connection), when
 * no autovacuum does it; the periodic counterpart of
 * refreshTableStatistics for the steady trickle of writes (scans, jobs,
 * outbox) between bulk changes. Returns how many tables it vacuumed: 0
 * where autovacuum runs.
 */
export async function vacuumWhereNeeded(db: Database): Promise<number> {
  if (await autovacuumRuns(db)) return 0;
  const { rows } = await db.query<{ name: string }>(
    `SELECT format('%I.%I', schemaname, relname) AS name FROM pg_stat_user_tables
     ORDER BY schemaname, relname`,
  );
  for (const { name } of rows) await db.query(`VACUUM (ANALYZE) ${name}`);
  return rows.length;
}

/** Whether the server's autovacuum daemon looks after the tables. */
async function autovacuumRuns(db: Database): Promise<boolean> {
  if (db.kind === 'pglite') return false; // no background workers at all
  const { rows } = await db.query<{ on: boolean }>(
    "SELECT current_setting('autovacuum') = 'on' AS on",
  );
  return rows[0]?.on === true;
}

/**
 * Vacuums the database every `intervalMs` where no autovacuum does (see
 * vacuumWhereNeeded); one run at a time, failures logged.
 */
export function startTableUpkeep(
  db: Database,
  intervalMs: number,
  logger: Logger,
): NodeJS.Timeout | undefined {
  if (intervalMs === 0) return undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    const started = performance.now();
    vacuumWhereNeeded(db)
      .then((tables) =>
        logger.debug(
          { tables, ms: Math.round(performance.now() - started) },
          'tables vacuumed',
        ),
      )
      .catch((err: unknown) =>
        logger.warn({ err }, 'failed to vacuum the tables'),
      )
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return timer;
}
