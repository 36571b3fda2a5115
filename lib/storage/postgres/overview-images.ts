import { StorageError } from '../../core/errors.js';
import type { Digest } from '../../core/digest.js';
import type { SqlClient } from '../database.js';
import type { EnvironmentBadge, ImageRow } from '../overview-ports.js';

/**
 * SQL condition on `rm` (repository_manifests) joined with `m` (manifests):
 * an image or index that is not a platform image of an index in the same
 * repository (those are shown on their index's page).
 */
export const LISTED_IMAGE = `m.kind IN ('image', 'index')
  AND NOT EXISTS (
    SELECT 1 FROM manifest_references r
    JOIN repository_manifests parent
      ON parent.digest = r.manifest_digest AND parent.repository = rm.repository
    WHERE r.digest = rm.digest AND r.role = 'manifest')`;

/**
 * One page of images for the dashboard: each (repository, digest) of an image
 * or index, without signatures, referrers and an index's platform images (they
 * are shown on their index's page). Keyset pagination on (repository, digest).
 */
export async function listImages(
  db: SqlClient,
  query: { repository?: string | undefined; limit: number; cursor?: string },
): Promise<{ images: ImageRow[]; next: string | null }> {
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  const { rows } = await db.query<ImageSqlRow>(
    `SELECT rm.repository, rm.digest, m.kind, rm.first_seen_at,
            s.status AS scan_status, s.finished_at, s.error_code, im.snapshot_id
     FROM repository_manifests rm
     JOIN manifests m ON m.digest = rm.digest
     LEFT JOIN scans s ON s.digest = rm.digest
     LEFT JOIN image_matches im ON im.image_digest = rm.digest
     WHERE ${LISTED_IMAGE}
       AND ($1::text IS NULL OR rm.repository = $1)
       AND ($2::text IS NULL OR (rm.repository, rm.digest) > ($2, $3))
     ORDER BY rm.repository, rm.digest
     LIMIT $4`,
    [
      query.repository ?? null,
      after?.repository ?? null,
      after?.digest ?? null,
      query.limit + 1,
    ],
  );
  const page = rows.slice(0, query.limit);
  const details = await imageDetails(db, page);
  const last = page[page.length - 1];
  return {
    images: page.map((r) => toImageRow(r, details)),
    next:
      rows.length > query.limit && last
        ? encodeCursor(last.repository, last.digest)
        : null,
  };
}

/** `eligible` unless a break-glass grant made it so (its reason names it). */
export function badgeOf(
  status: string,
  reasons: ReadonlyArray<{ code?: unknown }>,
): EnvironmentBadge {
  if (
    status === 'eligible' &&
    reasons.some((r) => String(r.code).startsWith('BREAK_GLASS'))
  )
    return 'break-glass';
  return status as EnvironmentBadge;
}

interface ImageSqlRow {
  repository: string;
  digest: string;
  kind: string;
  first_seen_at: Date;
  scan_status: string | null;
  finished_at: Date | null;
  error_code: string | null;
  snapshot_id: number | null;
}

interface Details {
  tags: Map<string, string[]>;
  verdicts: Map<string, ImageRow['verdicts']>;
  signers: Map<string, string[]>;
}

/** Tags, verdicts and signers of a page of images, in three queries. */
async function imageDetails(
  db: SqlClient,
  page: ImageSqlRow[],
): Promise<Details> {
  const repos = page.map((r) => r.repository);
  const digests = page.map((r) => r.digest);
  const pairs = `SELECT * FROM unnest($1::text[], $2::text[]) AS p(repository, digest)`;
  const [tags, verdicts, signers] = await Promise.all([
    db.query<{ repository: string; digest: string; tag: string }>(
      `SELECT t.repository, t.digest, t.tag FROM tags t
       JOIN (${pairs}) p USING (repository, digest) ORDER BY t.tag`,
      [repos, digests],
    ),
    db.query<{
      repository: string;
      digest: string;
      environment: string;
      status: string;
      reasons: Array<{ code?: unknown }>;
      computed_at: Date;
    }>(
      `SELECT v.repository, v.digest, v.environment, v.status, v.reasons, v.computed_at
       FROM verdicts v JOIN (${pairs}) p USING (repository, digest)`,
      [repos, digests],
    ),
    db.query<{ digest: string; signer: string }>(
      `SELECT DISTINCT subject_digest AS digest, signer FROM signatures
       WHERE subject_digest = ANY($1::text[]) AND status = 'verified'
         AND signer IS NOT NULL ORDER BY signer`,
      [digests],
    ),
  ]);
  const d: Details = {
    tags: new Map(),
    verdicts: new Map(),
    signers: new Map(),
  };
  for (const t of tags.rows) push(d.tags, `${t.repository}@${t.digest}`, t.tag);
  for (const s of signers.rows) push(d.signers, s.digest, s.signer);
  for (const v of verdicts.rows) {
    const key = `${v.repository}@${v.digest}`;
    const byEnv = d.verdicts.get(key) ?? {};
    byEnv[v.environment] = {
      status: badgeOf(v.status, v.reasons),
      computedAt: v.computed_at.toISOString(),
    };
    d.verdicts.set(key, byEnv);
  }
  return d;
}

function toImageRow(r: ImageSqlRow, d: Details): ImageRow {
  const key = `${r.repository}@${r.digest}`;
  return {
    repository: r.repository,
    digest: r.digest as Digest,
    kind: r.kind,
    tags: d.tags.get(key) ?? [],
    firstSeenAt: r.first_seen_at.toISOString(),
    scan: r.scan_status
      ? {
          status: r.scan_status,
          finishedAt: r.finished_at?.toISOString() ?? null,
          errorCode: r.error_code,
        }
      : null,
    snapshotId: r.snapshot_id,
    verdicts: d.verdicts.get(key) ?? {},
    signers: d.signers.get(r.digest) ?? [],
  };
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function encodeCursor(repository: string, digest: string): string {
  return Buffer.from(JSON.stringify([repository, digest])).toString(
    'base64url',
  );
}

/** Throws StorageError CURSOR_INVALID for anything `encodeCursor` did not make. */
function decodeCursor(cursor: string): { repository: string; digest: string } {
  try {
    const parsed: unknown = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    );
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      parsed.every((p) => typeof p === 'string')
    )
      return { repository: parsed[0] as string, digest: parsed[1] as string };
  } catch (err: unknown) {
    throw new StorageError('CURSOR_INVALID', 'invalid page cursor', {
      cause: err,
    });
  }
  throw new StorageError('CURSOR_INVALID', 'invalid page cursor');
}
