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
      return rows[0] ? rows[0].subject_digest : undefined;
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
        body: Buffer;
      }>(
        `SELECT m.digest, m.media_type, m.size_bytes, m.body FROM manifests m
         JOIN repository_manifests rm ON rm.digest = m.digest AND rm.repository = $1
         WHERE m.subject_digest = $2
         ORDER BY m.digest`,
        [repository, subject],
      );
      return rows.map((r) => ({
        digest: r.digest,
        mediaType: r.media_type,
        sizeBytes: r.size_bytes,
        artifactType: artifactTypeOf(r.body),
      }));
    },
  };
}

/**
 * OCI distribution-spec "Listing Referrers": a referrer's artifactType is
 * its own `artifactType`, else its config's media type.
 */
function artifactTypeOf(body: Buffer): string | undefined {
  try {
    const doc = JSON.parse(body.toString('utf8')) as {
      artifactType?: unknown;
      config?: { mediaType?: unknown };
    };
    const type = doc.artifactType ?? doc.config?.mediaType;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined; // stored manifests are JSON; anything else names no type
  }
}
