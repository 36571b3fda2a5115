import type { Digest } from '../../core/digest.js';
import type { Finding } from '../../core/finding.js';
import type { MatchablePackage } from '../../core/package.js';
import type { Database, SqlClient } from '../database.js';
import type {
  FindingsDelta,
  ImageContext,
  PackageKey,
  RematchStore,
  SignatureRecord,
} from '../ports.js';
import {
  FINDING_COLUMNS,
  findingFromRow,
  findingRow,
} from './finding-store.js';
import type { FindingRow } from './finding-store.js';
import { insertRows } from './insert-rows.js';

/** Bulk queries of re-matching (see RematchStore). */
export function createRematchStore(db: Database): RematchStore {
  return {
    async candidates(snapshotId) {
      const { rows } = await db.query<{
        digest: Digest;
        matched_at: number | null;
      }>(
        `SELECT DISTINCT m.image_digest AS digest, m.snapshot_id AS matched_at
         FROM vulndb_changed_packages c
         JOIN image_package_keys k ON k.ecosystem = c.ecosystem AND k.name = c.name
         JOIN image_matches m ON m.image_digest = k.image_digest
         JOIN scans s ON s.digest = m.image_digest AND s.status = 'done'
         WHERE c.snapshot_id <= $1 AND c.snapshot_id > m.snapshot_id
         UNION
         SELECT s.digest, NULL FROM scans s
         LEFT JOIN image_matches m ON m.image_digest = s.digest
         WHERE s.status = 'done' AND m.snapshot_id IS NULL
         ORDER BY 1`,
        [snapshotId],
      );
      return rows.map((r) => ({ digest: r.digest, matchedAt: r.matched_at }));
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
              `SELECT ${PACKAGE_FIELDS} FROM image_package_keys k
               JOIN unnest($2::text[], $3::text[]) AS u(ecosystem, name)
                 ON u.ecosystem = k.ecosystem AND u.name = k.name
               JOIN packages p ON p.image_digest = k.image_digest AND p.ordinal = k.ordinal
               WHERE k.image_digest = ANY($1::text[]) ORDER BY p.image_digest, p.ordinal`,
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

    async contextOf(digests) {
      return readContexts(db, digests);
    },

    async recordMatch(digest, keys, snapshotId) {
      await db.transaction(async (tx) => {
        await writeKeys(tx, [{ digest, keys }]);
        await markMatched(tx, [digest], snapshotId);
      });
    },

    async advanceAll(snapshotId) {
      await db.query(
        `UPDATE image_matches SET snapshot_id = $1, matched_at = now() WHERE snapshot_id < $1`,
        [snapshotId],
      );
    },
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
  const full = fresh.filter((d) => d.isFull).map((d) => d.digest);
  if (full.length > 0) {
    await tx.query(
      'DELETE FROM findings WHERE image_digest = ANY($1::text[])',
      [full],
    );
  }
  for (const group of groupByRemoved(fresh.filter((d) => !d.isFull))) {
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

function groupByRemoved(
  deltas: FindingsDelta[],
): Array<{ digests: Digest[]; remove: FindingsDelta['remove'] }> {
  const groups = new Map<
    string,
    { digests: Digest[]; remove: FindingsDelta['remove'] }
  >();
  for (const d of deltas) {
    if (d.remove.length === 0) continue;
    const key = JSON.stringify(d.remove);
    const group = groups.get(key) ?? { digests: [], remove: d.remove };
    group.digests.push(d.digest);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** New findings go after the image's remaining ones. */
async function insertFindings(
  tx: SqlClient,
  deltas: FindingsDelta[],
  snapshotId: number,
): Promise<void> {
  const withAdded = deltas.filter((d) => d.add.length > 0);
  if (withAdded.length === 0) return;
  const { rows } = await tx.query<{ image_digest: Digest; next: number }>(
    `SELECT image_digest, max(ordinal) + 1 AS next FROM findings
     WHERE image_digest = ANY($1::text[]) GROUP BY image_digest`,
    [withAdded.map((d) => d.digest)],
  );
  const next = new Map(rows.map((r) => [r.image_digest, r.next]));
  const values = withAdded.flatMap((d) =>
    d.add.map((f: Finding, i) =>
      findingRow(d.digest, (next.get(d.digest) ?? 0) + i, f, snapshotId),
    ),
  );
  await insertFindingRows(tx, values);
}

/**
 * One INSERT from column arrays (`unnest`): for tens of thousands of rows
 * far cheaper than multi-row VALUES lists. Rows in FINDING_COLUMNS order.
 */
async function insertFindingRows(
  tx: SqlClient,
  rows: unknown[][],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = FINDING_COLUMNS.map((_, c) =>
    rows.map((r) =>
      c === ALIASES_COLUMN ? JSON.stringify(r[c]) : (r[c] ?? null),
    ),
  );
  await tx.query(
    `INSERT INTO findings (${FINDING_COLUMNS.join(', ')})
     SELECT u.c0, u.c1, u.c2, u.c3, ARRAY(SELECT jsonb_array_elements_text(u.c4::jsonb)),
       u.c5, u.c6, u.c7, u.c8, u.c9, u.c10, u.c11, u.c12, u.c13, u.c14, u.c15, u.c16,
       u.c17, u.c18
     FROM unnest(${FINDING_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
       AS u(${FINDING_TYPES.map((_, i) => `c${i}`).join(', ')})`,
    columns,
  );
}

/** Array types of FINDING_COLUMNS, aliases passed as JSON text. */
const FINDING_TYPES = [
  'text',
  'int',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'int',
  'real',
  'text',
  'text',
  'text',
] as const;
const ALIASES_COLUMN = 4;

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

async function readContexts(
  db: Database,
  digests: Digest[],
): Promise<Map<Digest, ImageContext>> {
  const contexts = new Map<Digest, ImageContext>();
  const scans = await db.query<{
    digest: Digest;
    status: ImageContext['scan']['status'];
    error_code: string | null;
    error_message: string | null;
  }>(
    'SELECT digest, status, error_code, error_message FROM scans WHERE digest = ANY($1::text[])',
    [digests],
  );
  for (const s of scans.rows) {
    contexts.set(s.digest, {
      digest: s.digest,
      scan: {
        status: s.status,
        errorCode: s.error_code ?? undefined,
        errorMessage: s.error_message ?? undefined,
      },
      findings: [],
      repositories: [],
      signatures: new Map(),
    });
  }
  await readFindings(db, contexts);
  const parents = await readRepositories(db, contexts);
  await readSignatures(db, contexts, [...contexts.keys(), ...parents]);
  return contexts;
}

async function readFindings(
  db: Database,
  contexts: Map<Digest, ImageContext>,
): Promise<void> {
  const { rows } = await db.query<FindingRow & { image_digest: Digest }>(
    `SELECT * FROM findings WHERE image_digest = ANY($1::text[])
     ORDER BY image_digest, ordinal`,
    [[...contexts.keys()]],
  );
  for (const r of rows) {
    contexts.get(r.image_digest)?.findings.push(findingFromRow(r));
  }
}

/** Fills each context's repositories and their parents; returns all parents. */
async function readRepositories(
  db: Database,
  contexts: Map<Digest, ImageContext>,
): Promise<Digest[]> {
  const { rows } = await db.query<{
    digest: Digest;
    repository: string;
    parents: Digest[] | null;
  }>(
    `SELECT rm.digest, rm.repository,
       (SELECT array_agg(DISTINCT r.manifest_digest ORDER BY r.manifest_digest)
        FROM manifest_references r
        JOIN repository_manifests prm ON prm.digest = r.manifest_digest
          AND prm.repository = rm.repository
        WHERE r.digest = rm.digest AND r.role = 'manifest') AS parents
     FROM repository_manifests rm WHERE rm.digest = ANY($1::text[])
     ORDER BY rm.digest, rm.repository`,
    [[...contexts.keys()]],
  );
  const all = new Set<Digest>();
  for (const r of rows) {
    const parents = r.parents ?? [];
    contexts
      .get(r.digest)
      ?.repositories.push({ repository: r.repository, parents });
    for (const p of parents) all.add(p);
  }
  return [...all];
}

async function readSignatures(
  db: Database,
  contexts: Map<Digest, ImageContext>,
  subjects: Digest[],
): Promise<void> {
  const { rows } = await db.query<{
    subject_digest: Digest;
    status: SignatureRecord['status'];
    signer: string | null;
    reason: string | null;
  }>(
    `SELECT subject_digest, status, signer, reason FROM signatures
     WHERE subject_digest = ANY($1::text[])
     ORDER BY subject_digest, signature_digest, layer_digest`,
    [subjects],
  );
  const bySubject = new Map<
    Digest,
    ImageContext['signatures'] extends Map<Digest, infer V> ? V : never
  >();
  for (const r of rows) {
    const list = bySubject.get(r.subject_digest) ?? [];
    list.push({
      status: r.status,
      signer: r.signer ?? undefined,
      reason: r.reason ?? undefined,
    });
    bySubject.set(r.subject_digest, list);
  }
  for (const ctx of contexts.values()) {
    const wanted = [ctx.digest, ...ctx.repositories.flatMap((r) => r.parents)];
    for (const subject of wanted) {
      const list = bySubject.get(subject);
      if (list) ctx.signatures.set(subject, list);
    }
  }
}
