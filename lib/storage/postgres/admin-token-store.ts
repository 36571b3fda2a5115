import type { Database } from '../database.js';
import type { AdminToken, AdminTokenStore } from '../admin-ports.js';

/** Admin API tokens (hashes only), by name and by hash. */
export function createAdminTokenStore(db: Database): AdminTokenStore {
  return {
    async create(t) {
      const { rowCount } = await db.query(
        `INSERT INTO admin_tokens (name, role, token_hash, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING`,
        [t.name, t.role, t.tokenHash, t.createdBy, t.expiresAt ?? null],
      );
      return rowCount === 1;
    },

    async findByHash(tokenHash) {
      const { rows } = await db.query<Row>(
        'SELECT * FROM admin_tokens WHERE token_hash = $1',
        [tokenHash],
      );
      return rows[0] ? toToken(rows[0]) : undefined;
    },

    async list() {
      const { rows } = await db.query<Row>(
        'SELECT * FROM admin_tokens ORDER BY name',
      );
      return rows.map(toToken);
    },

    async revoke(name) {
      const { rowCount } = await db.query(
        'UPDATE admin_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE name = $1',
        [name],
      );
      return rowCount === 1;
    },
  };
}

interface Row {
  name: string;
  role: AdminToken['role'];
  token_hash: string;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

function toToken(r: Row): AdminToken {
  return {
    name: r.name,
    role: r.role,
    tokenHash: r.token_hash,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at?.toISOString(),
    revokedAt: r.revoked_at?.toISOString(),
  };
}
