import type { Database } from '../database.js';
import type { RuleVersion, RuleVersionStore } from '../admin-ports.js';

/** Versions of the trust rules, newest last by number. */
export function createRuleVersionStore(db: Database): RuleVersionStore {
  return {
    async add(v) {
      const { rows } = await db.query<Row>(
        `INSERT INTO rule_versions (content_hash, source, yaml, created_by)
         VALUES ($1, $2, $3, $4) RETURNING *`,
        [v.contentHash, v.source, v.yaml, v.createdBy],
      );
      return toVersion(rows[0]!);
    },

    async latest() {
      const { rows } = await db.query<Row>(
        'SELECT * FROM rule_versions ORDER BY id DESC LIMIT 1',
      );
      return rows[0] ? toVersion(rows[0]) : undefined;
    },

    async list(limit) {
      const { rows } = await db.query<Row>(
        'SELECT * FROM rule_versions ORDER BY id DESC LIMIT $1',
        [limit],
      );
      return rows.map(toVersion);
    },
  };
}

interface Row {
  id: number | string;
  content_hash: string;
  source: RuleVersion['source'];
  yaml: string;
  created_by: string;
  created_at: Date;
}

function toVersion(r: Row): RuleVersion {
  return {
    version: Number(r.id),
    contentHash: r.content_hash,
    source: r.source,
    yaml: r.yaml,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
  };
}
