import type { Digest } from '../../core/digest.js';
import type { Database } from '../database.js';
import type { AgeKind, AgeStore } from '../ports.js';

/**
 * Each kind's times, as (image_digest, at) rows: a fix counts while the
 * image still has the finding with a fix; a scan while it is the finished
 * one. Both read an index on the time (migration 0010).
 */
const TIMES: Record<AgeKind, string> = {
  fix: `SELECT t.image_digest, t.fix_available_since AS at FROM finding_first_seen t
        WHERE t.fix_available_since >= $1 AND t.fix_available_since < $2
          AND EXISTS (SELECT 1 FROM findings f
            WHERE f.image_digest = t.image_digest AND f.advisory_id = t.advisory_id
              AND f.ecosystem = t.ecosystem AND f.package_name = t.package_name
              AND f.package_version = t.package_version AND f.fixed_version IS NOT NULL)`,
  scan: `SELECT s.digest AS image_digest, s.finished_at AS at FROM scans s
         WHERE s.status = 'done' AND s.finished_at >= $1 AND s.finished_at < $2`,
};

/** Times from which evidence ages (see AgeStore). */
export function createAgeStore(db: Database): AgeStore {
  return {
    async nextAt(kind, after) {
      // Ordered by the indexed time: the first row is the answer.
      const { rows } = await db.query<{ at: Date }>(
        `SELECT at FROM (${TIMES[kind]}) x ORDER BY at LIMIT 1`,
        [after, 'infinity'],
      );
      return rows[0]?.at?.toISOString();
    },

    async imagesBetween(kind, from, until) {
      const { rows } = await db.query<{ repository: string; digest: Digest }>(
        `SELECT DISTINCT rm.repository, rm.digest FROM (${TIMES[kind]}) x
         JOIN repository_manifests rm ON rm.digest = x.image_digest
         ORDER BY 1, 2`,
        [from, until],
      );
      return rows;
    },
  };
}
