import type { SqlClient } from '../database.js';
import type { CommittedImport, FeedCounts } from '../ports.js';

/** Transaction-scoped advisory lock: one import commits at a time. */
const COMMIT_LOCK_KEY = 0x76756c6e; // 'vuln'

/**
 * Switches the live data to an import's staged records, inside the
 * caller's transaction, with set-based statements only (the cost does not
 * grow with per-record round trips):
 * 1. classify each staged record against the live one (added, changed,
 *    withdrawn when an active record becomes inactive); active records
 *    of the imported feeds that were not delivered are withdrawn;
 * 2. give the import the next snapshot id and record the package keys the
 *    changes name, before and after (the images to re-match);
 * 3. apply the records and the package index, mark the import done and
 *    drop its staging rows.
 */
export async function commitStagedImport(
  tx: SqlClient,
  importId: number,
  outcome: {
    feeds: string[];
    withdrawFrom: string[];
    skipped: number;
    warnings: unknown[];
  },
): Promise<CommittedImport> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [COMMIT_LOCK_KEY]);
  await classifyChanges(tx, importId, outcome.withdrawFrom);
  const snapshotId = await nextSnapshot(tx);
  const changedPackages = await recordChangedPackages(tx, importId, snapshotId);
  await applyChanges(tx, importId);
  const feeds = await countByFeed(tx, importId, outcome.feeds);
  await finishImport(tx, importId, {
    ...outcome,
    snapshotId,
    feeds,
    changedPackages,
  });
  await tx.query('DELETE FROM vulndb_staged_advisories WHERE import_id = $1', [
    importId,
  ]);
  return { snapshotId, feeds, changedPackages };
}

/** Marks the import done with its snapshot and counts. */
async function finishImport(
  tx: SqlClient,
  importId: number,
  done: CommittedImport & { skipped: number; warnings: unknown[] },
): Promise<void> {
  const { snapshotId, feeds, changedPackages } = done;
  const total = (k: keyof Omit<FeedCounts, 'feed'>): number =>
    feeds.reduce((n, f) => n + f[k], 0);
  await tx.query(
    `UPDATE vulndb_imports SET status = 'done', finished_at = now(), snapshot_id = $2,
       added = $3, changed = $4, unchanged = $5, withdrawn = $6, skipped = $7,
       warnings = $8, feeds = $9, changed_packages = $10
     WHERE id = $1`,
    [
      importId,
      snapshotId,
      total('added'),
      total('changed'),
      total('unchanged'),
      total('withdrawn'),
      done.skipped,
      JSON.stringify(done.warnings),
      JSON.stringify(feeds),
      changedPackages,
    ],
  );
}

async function classifyChanges(
  tx: SqlClient,
  importId: number,
  feeds: string[],
): Promise<void> {
  await tx.query(
    `INSERT INTO vulndb_import_changes (import_id, source, advisory_id, feed, change)
     SELECT $1, s.source, s.id, s.feed,
       CASE WHEN a.id IS NULL THEN 'added'
            WHEN a.is_active AND NOT s.is_active THEN 'withdrawn'
            ELSE 'changed' END
     FROM vulndb_staged_advisories s
     LEFT JOIN advisories a ON a.source = s.source AND a.id = s.id
     WHERE s.import_id = $1 AND (a.id IS NULL OR a.content_hash <> s.content_hash)`,
    [importId],
  );
  await tx.query(
    `INSERT INTO vulndb_import_changes (import_id, source, advisory_id, feed, change)
     SELECT $1, a.source, a.id, a.feed, 'withdrawn' FROM advisories a
     WHERE a.is_active AND a.feed = ANY($2::text[]) AND NOT EXISTS (
       SELECT 1 FROM vulndb_staged_advisories s
       WHERE s.import_id = $1 AND s.source = a.source AND s.id = a.id)`,
    [importId, feeds],
  );
}

async function nextSnapshot(tx: SqlClient): Promise<number> {
  const { rows } = await tx.query<{ id: number }>(
    'SELECT coalesce(max(snapshot_id), 0) + 1 AS id FROM vulndb_imports',
  );
  return rows[0]!.id;
}

async function recordChangedPackages(
  tx: SqlClient,
  importId: number,
  snapshotId: number,
): Promise<number> {
  const { rowCount } = await tx.query(
    `INSERT INTO vulndb_changed_packages (snapshot_id, ecosystem, name)
     SELECT $2::int, p.ecosystem, p.name FROM advisory_packages p
     JOIN vulndb_import_changes c ON c.source = p.source AND c.advisory_id = p.advisory_id
     WHERE c.import_id = $1
     UNION
     SELECT $2::int, k ->> 0, k ->> 1 FROM vulndb_staged_advisories s
     JOIN vulndb_import_changes c ON c.import_id = s.import_id AND c.source = s.source
       AND c.advisory_id = s.id
     CROSS JOIN LATERAL jsonb_array_elements(s.packages) AS k
     WHERE s.import_id = $1`,
    [importId, snapshotId],
  );
  return rowCount;
}

async function applyChanges(tx: SqlClient, importId: number): Promise<void> {
  await tx.query(
    `INSERT INTO advisories (source, id, modified, withdrawn, aliases, summary, content_hash,
       record, import_id, feed, is_active)
     SELECT s.source, s.id, s.modified, s.withdrawn,
       ARRAY(SELECT jsonb_array_elements_text(s.aliases)), s.summary, s.content_hash,
       s.record, s.import_id, s.feed, s.is_active
     FROM vulndb_staged_advisories s
     JOIN vulndb_import_changes c ON c.import_id = s.import_id AND c.source = s.source
       AND c.advisory_id = s.id
     WHERE s.import_id = $1
     ON CONFLICT (source, id) DO UPDATE SET modified = EXCLUDED.modified,
       withdrawn = EXCLUDED.withdrawn, aliases = EXCLUDED.aliases, summary = EXCLUDED.summary,
       content_hash = EXCLUDED.content_hash, record = EXCLUDED.record,
       import_id = EXCLUDED.import_id, feed = EXCLUDED.feed, is_active = EXCLUDED.is_active,
       updated_at = now()`,
    [importId],
  );
  // Unchanged records move to the feed that delivered them last.
  await tx.query(
    `UPDATE advisories a SET feed = s.feed FROM vulndb_staged_advisories s
     WHERE s.import_id = $1 AND a.source = s.source AND a.id = s.id
       AND a.feed IS DISTINCT FROM s.feed`,
    [importId],
  );
  await withdrawMissing(tx, importId);
  await tx.query(
    `DELETE FROM advisory_packages p USING vulndb_import_changes c
     WHERE c.import_id = $1 AND p.source = c.source AND p.advisory_id = c.advisory_id`,
    [importId],
  );
  await tx.query(
    `INSERT INTO advisory_packages (source, advisory_id, ecosystem, name)
     SELECT DISTINCT s.source, s.id, k ->> 0, k ->> 1 FROM vulndb_staged_advisories s
     JOIN vulndb_import_changes c ON c.import_id = s.import_id AND c.source = s.source
       AND c.advisory_id = s.id
     CROSS JOIN LATERAL jsonb_array_elements(s.packages) AS k
     WHERE s.import_id = $1 AND s.is_active`,
    [importId],
  );
}

/**
 * Marks records that left their feed withdrawn (kept for history, never
 * matched); the new hash makes a re-import of the original record count
 * as a change that brings it back.
 */
async function withdrawMissing(tx: SqlClient, importId: number): Promise<void> {
  await tx.query(
    `UPDATE advisories a SET is_active = false, import_id = $1, updated_at = now(),
       withdrawn = coalesce(a.withdrawn, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
       record = jsonb_set(a.record, '{withdrawn}', to_jsonb(coalesce(a.withdrawn,
         to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))),
       content_hash = 'withdrawn:' || a.content_hash
     FROM vulndb_import_changes c
     WHERE c.import_id = $1 AND c.change = 'withdrawn' AND a.source = c.source
       AND a.id = c.advisory_id AND NOT EXISTS (
         SELECT 1 FROM vulndb_staged_advisories s
         WHERE s.import_id = $1 AND s.source = a.source AND s.id = a.id)`,
    [importId],
  );
}

async function countByFeed(
  tx: SqlClient,
  importId: number,
  feeds: string[],
): Promise<FeedCounts[]> {
  const { rows } = await tx.query<{ feed: string; kind: string; n: number }>(
    `SELECT feed, change AS kind, count(*)::int AS n FROM vulndb_import_changes
     WHERE import_id = $1 GROUP BY feed, change
     UNION ALL
     SELECT s.feed, 'unchanged', count(*)::int FROM vulndb_staged_advisories s
     WHERE s.import_id = $1 AND NOT EXISTS (
       SELECT 1 FROM vulndb_import_changes c WHERE c.import_id = s.import_id
         AND c.source = s.source AND c.advisory_id = s.id)
     GROUP BY s.feed`,
    [importId],
  );
  const byFeed = new Map<string, FeedCounts>(
    feeds.map((feed) => [
      feed,
      { feed, added: 0, changed: 0, unchanged: 0, withdrawn: 0 },
    ]),
  );
  for (const r of rows) {
    const counts = byFeed.get(r.feed);
    // Every change row names a feed of this import; guard all the same.
    if (counts === undefined) continue;
    counts[r.kind as keyof Omit<FeedCounts, 'feed'>] += r.n;
  }
  return [...byFeed.values()];
}
