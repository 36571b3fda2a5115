import { createHash } from 'node:crypto';
import type { Advisory } from '../../core/advisory.js';
import type { Database, SqlClient } from '../database.js';
import type { VulnStore } from '../ports.js';
import { insertRows } from './insert-rows.js';

/** Advisories (OSV model) with an (ecosystem, package) index, and import runs. */
export function createVulnStore(db: Database): VulnStore {
  return {
    async advisoriesFor(keys) {
      if (keys.length === 0) return [];
      const { rows } = await db.query<{ record: Advisory }>(
        `SELECT DISTINCT a.source, a.id, a.record FROM advisory_packages p
         JOIN advisories a ON a.source = p.source AND a.id = p.advisory_id
         JOIN unnest($1::text[], $2::text[]) AS k(ecosystem, name)
           ON p.ecosystem = k.ecosystem AND p.name = k.name
         ORDER BY a.source, a.id`,
        [keys.map((k) => k.ecosystem), keys.map((k) => k.name)],
      );
      return rows.map((r) => r.record);
    },

    async beginImport(sources) {
      const { rows } = await db.query<{ id: number }>(
        `INSERT INTO vulndb_imports (status, sources) VALUES ('running', $1) RETURNING id`,
        [JSON.stringify(sources)],
      );
      return rows[0]!.id;
    },

    async upsert(batch, importId) {
      return db.transaction((tx) => upsertBatch(tx, batch, importId));
    },

    async finishImport(importId, status, counts, warnings) {
      await db.query(
        `UPDATE vulndb_imports SET status = $2, finished_at = now(), added = $3, changed = $4,
           unchanged = $5, withdrawn = $6, skipped = $7, warnings = $8 WHERE id = $1`,
        [
          importId,
          status,
          counts.added,
          counts.changed,
          counts.unchanged,
          counts.withdrawn,
          counts.skipped,
          JSON.stringify(warnings),
        ],
      );
    },

    async currentSnapshot() {
      const { rows } = await db.query<{ id: number }>(
        `SELECT id FROM vulndb_imports WHERE status = 'done' ORDER BY id DESC LIMIT 1`,
      );
      return rows[0]?.id ?? null;
    },

    async summary() {
      const { rows } = await db.query<{
        advisories: number;
        snapshot_id: number | null;
        last: Date | null;
      }>(
        `SELECT (SELECT count(*)::int FROM advisories) AS advisories,
                (SELECT max(id) FROM vulndb_imports WHERE status = 'done') AS snapshot_id,
                (SELECT max(finished_at) FROM vulndb_imports WHERE status = 'done') AS last`,
      );
      const r = rows[0]!;
      return {
        advisories: r.advisories,
        snapshotId: r.snapshot_id,
        lastImportAt: r.last?.toISOString() ?? null,
      };
    },
  };
}

/** Hash of the record's content: a re-import of the same data changes nothing. */
export function contentHash(advisory: Advisory): string {
  return createHash('sha256').update(JSON.stringify(advisory)).digest('hex');
}

async function upsertBatch(
  tx: SqlClient,
  batch: Advisory[],
  importId: number,
): Promise<{
  added: number;
  changed: number;
  unchanged: number;
  withdrawn: number;
}> {
  const counts = { added: 0, changed: 0, unchanged: 0, withdrawn: 0 };
  const existing = await existingHashes(tx, batch);
  const write: Advisory[] = [];
  for (const a of batch) {
    const previous = existing.get(`${a.source}\u0000${a.id}`);
    const hash = contentHash(a);
    if (previous === hash) counts.unchanged++;
    else {
      if (previous === undefined) counts.added++;
      else counts.changed++;
      if (a.withdrawn) counts.withdrawn++;
      write.push(a);
    }
  }
  for (const a of write) await writeAdvisory(tx, a, importId);
  return counts;
}

async function existingHashes(
  tx: SqlClient,
  batch: Advisory[],
): Promise<Map<string, string>> {
  const { rows } = await tx.query<{
    source: string;
    id: string;
    content_hash: string;
  }>(
    `SELECT a.source, a.id, a.content_hash FROM advisories a
     JOIN unnest($1::text[], $2::text[]) AS k(source, id) ON a.source = k.source AND a.id = k.id`,
    [batch.map((a) => a.source), batch.map((a) => a.id)],
  );
  return new Map(rows.map((r) => [`${r.source}\u0000${r.id}`, r.content_hash]));
}

async function writeAdvisory(
  tx: SqlClient,
  a: Advisory,
  importId: number,
): Promise<void> {
  await tx.query(
    `INSERT INTO advisories (source, id, modified, withdrawn, aliases, summary, content_hash, record, import_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (source, id) DO UPDATE SET modified = EXCLUDED.modified, withdrawn = EXCLUDED.withdrawn,
       aliases = EXCLUDED.aliases, summary = EXCLUDED.summary, content_hash = EXCLUDED.content_hash,
       record = EXCLUDED.record, import_id = EXCLUDED.import_id, updated_at = now()`,
    [
      a.source,
      a.id,
      a.modified,
      a.withdrawn ?? null,
      a.aliases,
      a.summary ?? null,
      contentHash(a),
      JSON.stringify(a),
      importId,
    ],
  );
  await tx.query(
    'DELETE FROM advisory_packages WHERE source = $1 AND advisory_id = $2',
    [a.source, a.id],
  );
  const keys = new Map(
    a.affected.map((p) => [`${p.ecosystem}\u0000${p.name}`, p]),
  );
  await insertRows(
    tx,
    'advisory_packages',
    ['source', 'advisory_id', 'ecosystem', 'name'],
    [...keys.values()].map((p) => [a.source, a.id, p.ecosystem, p.name]),
  );
}
