import type { Digest } from '../../core/digest.js';
import type { Database } from '../database.js';
import type { ServingIndex } from '../ports.js';

/** The door's per-request lookups, on indexed columns only. */
export function createServingIndex(db: Database): ServingIndex {
  return {
    async subjectOf(digest) {
      const { rows } = await db.query<{ subject_digest: Digest | null }>(
        'SELECT subject_digest FROM manifests WHERE digest = $1',
        [digest],
      );
      return rows[0]?.subject_digest ?? undefined;
    },

    async tagged(repository, tag) {
      const { rows } = await db.query<{ digest: Digest }>(
        'SELECT digest FROM tags WHERE repository = $1 AND tag = $2',
        [repository, tag],
      );
      return rows[0]?.digest;
    },

    async referrersOf(repository, subject) {
      const { rows } = await db.query<{
        digest: Digest;
        media_type: string;
        size_bytes: number;
        artifact_type: string | null;
      }>(
        // OCI distribution-spec "Listing Referrers": the artifactType of a
        // referrer is its own artifactType, else its config's media type.
        `SELECT m.digest, m.media_type, m.size_bytes,
                coalesce(doc ->> 'artifactType', doc -> 'config' ->> 'mediaType') AS artifact_type
         FROM manifests m
         CROSS JOIN LATERAL (SELECT convert_from(m.body, 'UTF8')::jsonb AS doc) d
         JOIN repository_manifests rm ON rm.digest = m.digest AND rm.repository = $1
         WHERE m.subject_digest = $2
         ORDER BY m.digest`,
        [repository, subject],
      );
      return rows.map((r) => ({
        digest: r.digest,
        mediaType: r.media_type,
        sizeBytes: r.size_bytes,
        artifactType: r.artifact_type ?? undefined,
      }));
    },
  };
}
