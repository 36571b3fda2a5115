import { randomBytes } from 'node:crypto';
import type { Database } from '../database.js';
import type { PullCredential, PullCredentialStore } from '../ports.js';

/** Pull accounts and robot tokens, and secrets shared by replicas. */
export function createPullCredentialStore(db: Database): PullCredentialStore {
  return {
    async create(c) {
      const { rowCount } = await db.query(
        `INSERT INTO pull_credentials
           (name, kind, secret_hash, environment, push_repositories, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING`,
        [
          c.name,
          c.kind,
          c.secretHash,
          c.environment,
          c.pushRepositories,
          c.expiresAt ?? null,
        ],
      );
      return rowCount === 1;
    },

    async find(name) {
      const { rows } = await db.query<Row>(
        'SELECT * FROM pull_credentials WHERE name = $1',
        [name],
      );
      return rows[0] ? toCredential(rows[0]) : undefined;
    },

    async list() {
      const { rows } = await db.query<Row>(
        'SELECT * FROM pull_credentials ORDER BY name',
      );
      return rows.map(toCredential);
    },

    async revoke(name) {
      const { rowCount } = await db.query(
        'UPDATE pull_credentials SET revoked_at = coalesce(revoked_at, now()) WHERE name = $1',
        [name],
      );
      return rowCount === 1;
    },

    async sharedSecret(name) {
      // Several replicas may race on first start: the first insert wins.
      await db.query(
        'INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
        [name, randomBytes(32).toString('base64url')],
      );
      const { rows } = await db.query<{ value: string }>(
        'SELECT value FROM settings WHERE name = $1',
        [name],
      );
      return rows[0]!.value;
    },
  };
}

interface Row {
  name: string;
  kind: PullCredential['kind'];
  secret_hash: string;
  environment: string;
  push_repositories: string[];
  expires_at: Date | null;
  created_at: Date;
  revoked_at: Date | null;
}

function toCredential(r: Row): PullCredential {
  return {
    name: r.name,
    kind: r.kind,
    secretHash: r.secret_hash,
    environment: r.environment,
    pushRepositories: r.push_repositories,
    expiresAt: r.expires_at?.toISOString(),
    createdAt: r.created_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString(),
  };
}
