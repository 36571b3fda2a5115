import { createHash } from 'node:crypto';
import type { Advisory } from '../../core/advisory.js';
import type { Database } from '../database.js';
import type { StagedAdvisory, VulnStore } from '../ports.js';
import { commitStagedImport } from './vuln-import-commit.js';
import { refreshTableStatistics } from './table-upkeep.js';

/** What an import commit rewrites in bulk. */
const VULNDB_TABLES = [
  'vulndb_staged_advisories',
  'advisories',
  'advisory_packages',
  'vulndb_import_changes',
  'vulndb_changed_packages',
] as const;

/**
 * Advisories (OSV model) with an (ecosystem, package) index, and import
 * runs. Imports are staged in `vulndb_staged_advisories` and switched in
 * by one transaction (see vuln-import-commit.ts), so readers only ever see
 * whole snapshots.
 */
export function createVulnStore(db: Database): VulnStore {
  return {
    async advisoriesFor(keys) {
      if (keys.length === 0) return [];
      const { rows } = await db.query<{ record: Advisory }>(
        `SELECT a.record FROM advisories a
         WHERE a.is_active AND EXISTS (
           SELECT 1 FROM advisory_packages p
           JOIN unnest($1::text[], $2::text[]) AS k(ecosystem, name)
             ON p.ecosystem = k.ecosystem AND p.name = k.name
           WHERE p.source = a.source AND p.advisory_id = a.id)
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

    async stage(batch, importId) {
      if (batch.length === 0) return;
      await stageBatch(db, dedupe(batch), importId);
    },

    async commitImport(importId, outcome) {
      const committed = await db.transaction((tx) =>
        commitStagedImport(tx, importId, outcome),
      );
      // The re-match that follows plans its queries on these tables. The
      // import is committed: a failure here costs speed only.
      await refreshTableStatistics(db, VULNDB_TABLES).catch(() => undefined);
      return committed;
    },

    async failImport(importId, warnings) {
      await db.transaction(async (tx) => {
        await tx.query(
          'DELETE FROM vulndb_staged_advisories WHERE import_id = $1',
          [importId],
        );
        await tx.query(
          `UPDATE vulndb_imports SET status = 'failed', finished_at = now(), warnings = $2
           WHERE id = $1`,
          [importId, JSON.stringify(warnings)],
        );
      });
    },

    async currentSnapshot() {
      const { rows } = await db.query<{ id: number | null }>(
        'SELECT max(snapshot_id) AS id FROM vulndb_imports',
      );
      return rows[0]?.id ?? null;
    },

    async summary() {
      const { rows } = await db.query<{
        advisories: number;
        snapshot_id: number | null;
        last: Date | null;
      }>(
        `SELECT (SELECT count(*)::int FROM advisories WHERE is_active) AS advisories,
                (SELECT max(snapshot_id) FROM vulndb_imports) AS snapshot_id,
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

/** The last copy of each (source, id) in the batch. */
function dedupe(batch: StagedAdvisory[]): StagedAdvisory[] {
  const byKey = new Map<string, StagedAdvisory>();
  for (const s of batch) {
    byKey.set(`${s.advisory.source}\u0000${s.advisory.id}`, s);
  }
  return [...byKey.values()];
}

async function stageBatch(
  db: Database,
  batch: StagedAdvisory[],
  importId: number,
): Promise<void> {
  const column = <T>(f: (s: StagedAdvisory) => T): T[] => batch.map(f);
  await db.query(
    `INSERT INTO vulndb_staged_advisories (import_id, source, id, feed, modified, withdrawn,
       aliases, summary, content_hash, is_active, record, packages)
     SELECT $1, u.source, u.id, u.feed, u.modified, u.withdrawn, u.aliases::jsonb, u.summary,
       u.content_hash, u.is_active, u.record::jsonb, u.packages::jsonb
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
       $8::text[], $9::text[], $10::boolean[], $11::text[], $12::text[])
       AS u(source, id, feed, modified, withdrawn, aliases, summary, content_hash, is_active,
            record, packages)
     ON CONFLICT (import_id, source, id) DO UPDATE SET feed = EXCLUDED.feed,
       modified = EXCLUDED.modified, withdrawn = EXCLUDED.withdrawn, aliases = EXCLUDED.aliases,
       summary = EXCLUDED.summary, content_hash = EXCLUDED.content_hash,
       is_active = EXCLUDED.is_active, record = EXCLUDED.record, packages = EXCLUDED.packages`,
    [
      importId,
      column((s) => s.advisory.source),
      column((s) => s.advisory.id),
      column((s) => s.feed),
      column((s) => s.advisory.modified),
      column((s) => s.advisory.withdrawn ?? null),
      column((s) => JSON.stringify(s.advisory.aliases)),
      column((s) => s.advisory.summary ?? null),
      column((s) => contentHash(s.advisory)),
      column((s) => isActive(s)),
      column((s) => JSON.stringify(s.advisory)),
      column((s) => JSON.stringify(uniqueKeys(s))),
    ],
  );
}

/** A record can match only when not withdrawn and naming a package. */
function isActive(s: StagedAdvisory): boolean {
  return s.advisory.withdrawn === undefined && s.packages.length > 0;
}

function uniqueKeys(s: StagedAdvisory): Array<[string, string]> {
  const keys = new Map<string, [string, string]>();
  for (const p of s.packages) {
    keys.set(`${p.ecosystem}\u0000${p.name}`, [p.ecosystem, p.name]);
  }
  return [...keys.values()];
}
