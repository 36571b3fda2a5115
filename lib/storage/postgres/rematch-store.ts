import type { Digest } from '../../core/digest.js';
import type { MatchablePackage } from '../../core/package.js';
import type { Database, SqlClient } from '../database.js';
import type { FindingsDelta, PackageKey, RematchStore } from '../ports.js';
import { insertFindings } from './finding-rows.js';
import { insertRows } from './insert-rows.js';
import { readContexts } from './rematch-context.js';
import { refreshTableStatistics } from './table-upkeep.js';

/** What re-matching reads and rewrites in bulk. */
const REMATCH_TABLES = [
  'packages',
  'image_package_keys',
  'image_matches',
  'findings',
  'finding_first_seen',
  'verdicts',
] as const;

/** Bulk queries of re-matching (see RematchStore). */
export function createRematchStore(db: Database): RematchStore {
  return {
    async candidates(snapshotId) {
      // Taken first: an image matched after it is not known to be current.
      const clock = await db.query<{ now: Date }>('SELECT now() AS now');
      const { rows } = await db.query<{
        digest: Digest;
        matched_at: number | null;
      }>(
        // From the changed keys (few, usually) to the images holding them:
        // an image is concerned when a key of it changed after its own
        // match snapshot, i.e. when the key's latest change is newer.
        `WITH c AS MATERIALIZED (
           SELECT ecosystem, name, max(snapshot_id) AS latest FROM vulndb_changed_packages
           WHERE snapshot_id <= $1
             AND snapshot_id > (SELECT coalesce(min(snapshot_id), 0) FROM image_matches)
           GROUP BY ecosystem, name),
         hit AS (
           SELECT k.image_digest, max(c.latest) AS latest FROM c
           JOIN image_package_keys k ON k.ecosystem = c.ecosystem AND k.name = c.name
           GROUP BY k.image_digest)
         SELECT m.image_digest AS digest, m.snapshot_id AS matched_at FROM hit
         JOIN image_matches m ON m.image_digest = hit.image_digest AND hit.latest > m.snapshot_id
         JOIN scans s ON s.digest = m.image_digest AND s.status = 'done'
         UNION ALL
         SELECT s.digest, NULL FROM scans s
         LEFT JOIN image_matches m ON m.image_digest = s.digest
         WHERE s.status = 'done' AND m.snapshot_id IS NULL
         ORDER BY 1`,
        [snapshotId],
      );
      return {
        images: rows.map((r) => ({
          digest: r.digest,
          matchedAt: r.matched_at,
        })),
        asOf: clock.rows[0]!.now,
      };
    },

    async changesBetween(from, to) {
      const advisories = await db.query<{ source: string; id: string }>(
        `SELECT DISTINCT c.source, c.advisory_id AS id FROM vulndb_import_changes c
         JOIN vulndb_imports i ON i.id = c.import_id
         WHERE i.snapshot_id > $1 AND i.snapshot_id <= $2 ORDER BY 1, 2`,
        [from, to],
      );
      const keys = await db.query<{ ecosystem: string; name: string }>(
        `SELECT DISTINCT ecosystem, name FROM vulndb_changed_packages
         WHERE snapshot_id > $1 AND snapshot_id <= $2 ORDER BY 1, 2`,
        [from, to],
      );
      return { advisories: advisories.rows, keys: keys.rows };
    },

    async packagesOf(digests, keys) {
      const { rows } =
        keys === undefined
          ? await db.query<PackageRow>(
              `SELECT ${PACKAGE_FIELDS} FROM packages p
               WHERE p.image_digest = ANY($1::text[]) ORDER BY p.image_digest, p.ordinal`,
              [digests],
            )
          : await db.query<PackageRow>(
              // The batch's keys first: the changed keys may be held by
              // every stored image, the batch is a few hundred of them.
              `WITH k AS MATERIALIZED (
                 SELECT image_digest, ordinal, ecosystem, name FROM image_package_keys
                 WHERE image_digest = ANY($1::text[]))
               SELECT ${PACKAGE_FIELDS} FROM k
               JOIN unnest($2::text[], $3::text[]) AS u(ecosystem, name)
                 ON u.ecosystem = k.ecosystem AND u.name = k.name
               JOIN packages p ON p.image_digest = k.image_digest AND p.ordinal = k.ordinal
               ORDER BY p.image_digest, p.ordinal`,
              [digests, keys.map((k) => k.ecosystem), keys.map((k) => k.name)],
            );
      const byImage = new Map<Digest, MatchablePackage[]>(
        digests.map((d) => [d, []]),
      );
      for (const r of rows) byImage.get(r.image_digest)?.push(toPackage(r));
      return byImage;
    },

    async applyDeltas(deltas, snapshotId) {
      return db.transaction((tx) => applyDeltas(tx, deltas, snapshotId));
    },

    contextOf: (digests) => readContexts(db, digests),

    async recordMatch(digest, keys, snapshotId) {
      await db.transaction(async (tx) => {
        await writeKeys(tx, [{ digest, keys }]);
        await markMatched(tx, [digest], snapshotId);
      });
    },

    async advanceAll(snapshotId, asOf) {
      await db.query(
        `UPDATE image_matches SET snapshot_id = $1, matched_at = now()
         WHERE snapshot_id < $1 AND matched_at < $2`,
        [snapshotId, asOf],
      );
    },

    refreshStatistics: () => refreshTableStatistics(db, REMATCH_TABLES),
  };
}

/** Only what matching reads: the rows are many. */
const PACKAGE_FIELDS =
  'p.image_digest, p.ecosystem, p.name, p.version, p.source_name, p.source_version';

interface PackageRow {
  image_digest: Digest;
  ecosystem: string;
  name: string;
  version: string;
  source_name: string | null;
  source_version: string | null;
}

function toPackage(r: PackageRow): MatchablePackage {
  return {
    ecosystem: r.ecosystem,
    name: r.name,
    version: r.version,
    sourceName: r.source_name ?? undefined,
    sourceVersion: r.source_version ?? undefined,
  };
}

async function applyDeltas(
  tx: SqlClient,
  deltas: FindingsDelta[],
  snapshotId: number,
): Promise<Digest[]> {
  const current = await lockStates(
    tx,
    deltas.map((d) => d.digest),
  );
  // An image matched again meanwhile (a rescan) keeps its newer result.
  const fresh = deltas.filter(
    (d) => (current.get(d.digest) ?? null) === d.matchedAt,
  );
  if (fresh.length === 0) return [];
  await deleteReplaced(tx, fresh);
  await insertFindings(tx, fresh, snapshotId);
  await writeKeys(
    tx,
    fresh.flatMap((d) =>
      d.keys === undefined ? [] : [{ digest: d.digest, keys: d.keys }],
    ),
  );
  await markMatched(
    tx,
    fresh.map((d) => d.digest),
    snapshotId,
  );
  return fresh.map((d) => d.digest);
}

/** Deletes every finding of full deltas, those of removed advisories else. */
async function deleteReplaced(
  tx: SqlClient,
  deltas: FindingsDelta[],
): Promise<void> {
  const full = deltas.filter((d) => d.isFull).map((d) => d.digest);
  if (full.length > 0) {
    await tx.query(
      'DELETE FROM findings WHERE image_digest = ANY($1::text[])',
      [full],
    );
  }
  for (const group of groupByRemoved(deltas.filter((d) => !d.isFull))) {
    await tx.query(
      `DELETE FROM findings WHERE image_digest = ANY($1::text[])
         AND (advisory_source, advisory_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
      [
        group.digests,
        group.remove.map((r) => r.source),
        group.remove.map((r) => r.id),
      ],
    );
  }
}

async function lockStates(
  tx: SqlClient,
  digests: Digest[],
): Promise<Map<Digest, number | null>> {
  const { rows } = await tx.query<{
    image_digest: Digest;
    snapshot_id: number | null;
  }>(
    `SELECT image_digest, snapshot_id FROM image_matches
     WHERE image_digest = ANY($1::text[]) FOR UPDATE`,
    [digests],
  );
  return new Map(rows.map((r) => [r.image_digest, r.snapshot_id]));
}

/** Deltas grouped by their list of removed advisories (shared by a plan). */
function groupByRemoved(
  deltas: FindingsDelta[],
): Array<{ digests: Digest[]; remove: FindingsDelta['remove'] }> {
  const groups = new Map<
    FindingsDelta['remove'],
    { digests: Digest[]; remove: FindingsDelta['remove'] }
  >();
  for (const d of deltas) {
    if (d.remove.length === 0) continue;
    const group = groups.get(d.remove) ?? { digests: [], remove: d.remove };
    group.digests.push(d.digest);
    groups.set(d.remove, group);
  }
  return [...groups.values()];
}

async function writeKeys(
  tx: SqlClient,
  images: Array<{ digest: Digest; keys: PackageKey[] }>,
): Promise<void> {
  if (images.length === 0) return;
  await tx.query(
    'DELETE FROM image_package_keys WHERE image_digest = ANY($1::text[])',
    [images.map((i) => i.digest)],
  );
  await insertRows(
    tx,
    'image_package_keys',
    ['image_digest', 'ordinal', 'ecosystem', 'name'],
    images.flatMap((i) =>
      i.keys.map((k) => [i.digest, k.ordinal, k.ecosystem, k.name]),
    ),
  );
}

async function markMatched(
  tx: SqlClient,
  digests: Digest[],
  snapshotId: number | null,
): Promise<void> {
  await tx.query(
    `INSERT INTO image_matches (image_digest, snapshot_id)
     SELECT d, $2::int FROM unnest($1::text[]) AS d
     ON CONFLICT (image_digest) DO UPDATE SET snapshot_id = EXCLUDED.snapshot_id, matched_at = now()`,
    [digests, snapshotId],
  );
}
