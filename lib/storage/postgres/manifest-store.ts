import type { Digest } from '../../core/digest.js';
import type { Database, SqlClient } from '../database.js';
import type {
  ManifestRecord,
  ManifestReference,
  ManifestStore,
} from '../ports.js';
import { notifyPayloads, VERDICT_CHANNEL } from './verdict-store.js';

/** Manifests, their references, repositories and tags. */
export function createManifestStore(db: Database): ManifestStore {
  return {
    async save(m, repository) {
      await db.transaction(async (tx) => {
        const inserted = await tx.query(
          `INSERT INTO manifests (digest, media_type, kind, size_bytes, body, subject_digest, platform)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (digest) DO NOTHING`,
          [
            m.digest,
            m.mediaType,
            m.kind,
            m.body.length,
            m.body,
            m.subjectDigest ?? null,
            m.platform ?? null,
          ],
        );
        if (inserted.rowCount === 1)
          await insertReferences(tx, m.digest, m.references);
        await tx.query(
          `INSERT INTO repository_manifests (repository, digest) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
          [repository, m.digest],
        );
      });
    },

    async get(digest) {
      const { rows } = await db.query<ManifestRow>(
        `SELECT digest, media_type, kind, body, subject_digest, platform FROM manifests WHERE digest = $1`,
        [digest],
      );
      const row = rows[0];
      if (!row) return undefined;
      const refs = await db.query<RefRow>(
        `SELECT role, digest, media_type, size_bytes, platform FROM manifest_references
         WHERE manifest_digest = $1 ORDER BY position`,
        [digest],
      );
      return toRecord(row, refs.rows);
    },

    async setTag(repository, tag, digest) {
      const { rows } = await db.query<{ previous: Digest | null }>(
        `WITH old AS (SELECT digest FROM tags WHERE repository = $1 AND tag = $2)
         INSERT INTO tags (repository, tag, digest) VALUES ($1, $2, $3)
         ON CONFLICT (repository, tag) DO UPDATE SET digest = EXCLUDED.digest, updated_at = now()
         RETURNING (SELECT digest FROM old) AS previous`,
        [repository, tag, digest],
      );
      if (rows[0]?.previous !== digest)
        await announceTags(db, [`${repository}:${tag}`]);
    },

    async tagsOf(repository, digest) {
      const { rows } = await db.query<{ tag: string }>(
        'SELECT tag FROM tags WHERE repository = $1 AND digest = $2 ORDER BY tag',
        [repository, digest],
      );
      return rows.map((r) => r.tag);
    },

    async repositoriesOf(digest) {
      const { rows } = await db.query<{ repository: string }>(
        'SELECT repository FROM repository_manifests WHERE digest = $1 ORDER BY repository',
        [digest],
      );
      return rows.map((r) => r.repository);
    },

    async parentsOf(repository, digest) {
      const { rows } = await db.query<{ manifest_digest: Digest }>(
        `SELECT DISTINCT r.manifest_digest FROM manifest_references r
         JOIN repository_manifests rm ON rm.digest = r.manifest_digest AND rm.repository = $1
         WHERE r.digest = $2 AND r.role = 'manifest'`,
        [repository, digest],
      );
      return rows.map((r) => r.manifest_digest);
    },

    async blobAccess(repository, blob, environment) {
      // The manifest's own verdict, or for a signature its subject's.
      const { rows } = await db.query<{ servable: boolean }>(
        `SELECT bool_or(v.status = 'eligible') IS TRUE AS servable FROM manifest_references r
         JOIN repository_manifests rm ON rm.digest = r.manifest_digest AND rm.repository = $1
         JOIN manifests m ON m.digest = r.manifest_digest
         LEFT JOIN verdicts v ON v.repository = $1 AND v.environment = $3
              AND v.digest = coalesce(m.subject_digest, m.digest)
         WHERE r.digest = $2 AND r.role IN ('config', 'layer')
         GROUP BY r.digest`,
        [repository, blob, environment],
      );
      return { servable: rows[0]?.servable ?? false, known: rows.length > 0 };
    },

    async forget(repository, digest) {
      let tags: string[] = [];
      const removed = await db.transaction(async (tx) => {
        const args = [repository, digest];
        await tx.query(
          'DELETE FROM verdicts WHERE repository = $1 AND digest = $2',
          args,
        );
        const untagged = await tx.query<{ tag: string }>(
          'DELETE FROM tags WHERE repository = $1 AND digest = $2 RETURNING tag',
          args,
        );
        tags = untagged.rows.map((r) => `${repository}:${r.tag}`);
        const gone = await tx.query(
          'DELETE FROM repository_manifests WHERE repository = $1 AND digest = $2',
          args,
        );
        // Held nowhere else: if it comes back, its findings are new.
        await tx.query(
          `DELETE FROM finding_first_seen WHERE image_digest = $1
             AND NOT EXISTS (SELECT 1 FROM repository_manifests WHERE digest = $1)`,
          [digest],
        );
        return gone.rowCount === 1;
      });
      // Every replica's verdict cache drops the image, as after a write.
      for (const payload of notifyPayloads([`${repository}@${digest}`]))
        await db.notify(VERDICT_CHANNEL, payload);
      await announceTags(db, tags);
      return removed;
    },

    async judgedIn(repository) {
      const { rows } = await db.query<{ digest: Digest }>(
        'SELECT DISTINCT digest FROM verdicts WHERE repository = $1 ORDER BY digest',
        [repository],
      );
      return rows.map((r) => r.digest);
    },

    async untag(repository, tag) {
      const { rows } = await db.query<{ digest: Digest }>(
        'DELETE FROM tags WHERE repository = $1 AND tag = $2 RETURNING digest',
        [repository, tag],
      );
      if (rows.length > 0) await announceTags(db, [`${repository}:${tag}`]);
      return rows[0]?.digest;
    },
  };
}

/** The channel on which moved and deleted tags (`repo:tag`) are announced. */
export const TAG_CHANNEL = 'customs_tags';

/** Every replica's tag cache drops these tags (tag-cache.ts). */
async function announceTags(db: Database, tags: string[]): Promise<void> {
  if (tags.length === 0) return;
  for (const payload of notifyPayloads(tags))
    await db.notify(TAG_CHANNEL, payload);
}

async function insertReferences(
  tx: SqlClient,
  manifest: Digest,
  refs: ManifestReference[],
): Promise<void> {
  for (const [position, ref] of refs.entries()) {
    await tx.query(
      `INSERT INTO manifest_references (manifest_digest, position, role, digest, media_type, size_bytes, platform)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        manifest,
        position,
        ref.role,
        ref.digest,
        ref.mediaType,
        ref.sizeBytes,
        ref.platform ?? null,
      ],
    );
  }
}

interface ManifestRow {
  digest: Digest;
  media_type: string;
  kind: ManifestRecord['kind'];
  body: Buffer;
  subject_digest: Digest | null;
  platform: string | null;
}

interface RefRow {
  role: ManifestReference['role'];
  digest: Digest;
  media_type: string;
  size_bytes: number;
  platform: string | null;
}

function toRecord(row: ManifestRow, refs: RefRow[]): ManifestRecord {
  return {
    digest: row.digest,
    mediaType: row.media_type,
    kind: row.kind,
    body: row.body,
    subjectDigest: row.subject_digest ?? undefined,
    platform: row.platform ?? undefined,
    references: refs.map((r) => ({
      role: r.role,
      digest: r.digest,
      mediaType: r.media_type,
      sizeBytes: r.size_bytes,
      platform: r.platform ?? undefined,
    })),
  };
}
