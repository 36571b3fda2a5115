import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../config/package-root.js';
import { StorageError } from '../../core/errors.js';
import type { Database, SqlClient } from '../database.js';

/** Advisory-lock key of migrations ('cstm' in ASCII). */
const MIGRATION_LOCK_KEY = 0x6373746d;
const FILE_RE = /^(\d{4})_[a-z0-9_]+\.sql$/;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** The `migrations/` folder of the installed package (source or dist). */
export function defaultMigrationsDir(): string {
  return join(packageRoot(), 'migrations');
}

/** Reads `NNNN_verb_object.sql` files in version order. */
export function readMigrations(
  dir: string = defaultMigrationsDir(),
): Migration[] {
  return readdirSync(dir)
    .filter((f) => FILE_RE.test(f))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name), 'utf8');
      return {
        version: Number(FILE_RE.exec(name)?.[1]),
        name,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

/**
 * Applies pending migrations, each in its own transaction, under a session
 * advisory lock so that replicas starting together apply each one once.
 * Throws StorageError('MIGRATION_FAILED') when a migration fails or an
 * applied one was edited since. Returns the names applied.
 */
export async function migrate(
  db: Database,
  migrations: Migration[] = readMigrations(),
): Promise<string[]> {
  return db.withAdvisoryLock(MIGRATION_LOCK_KEY, async (client) => {
    await client.exec(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = await appliedMigrations(client);
    const done: string[] = [];
    for (const m of migrations) {
      const previous = applied.get(m.version);
      if (previous) {
        if (previous !== m.checksum) {
          throw new StorageError(
            'MIGRATION_FAILED',
            `migration ${m.name} was edited after it was applied`,
          );
        }
        continue;
      }
      await applyOne(client, m);
      done.push(m.name);
    }
    return done;
  });
}

/** Names of migrations not applied yet (readiness fails while any remain). */
export async function pendingMigrations(
  db: Database,
  migrations: Migration[] = readMigrations(),
): Promise<string[]> {
  const exists = await db.query<{ t: string | null }>(
    `SELECT to_regclass('schema_migrations')::text AS t`,
  );
  if (!exists.rows[0]?.t) return migrations.map((m) => m.name);
  const applied = await appliedMigrations(db);
  return migrations.filter((m) => !applied.has(m.version)).map((m) => m.name);
}

async function appliedMigrations(
  client: SqlClient,
): Promise<Map<number, string>> {
  const { rows } = await client.query<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM schema_migrations',
  );
  return new Map(rows.map((r) => [r.version, r.checksum]));
}

async function applyOne(
  client: SqlClient & { exec(sql: string): Promise<void> },
  m: Migration,
): Promise<void> {
  try {
    await client.exec(
      `BEGIN;\n${m.sql}\n;INSERT INTO schema_migrations (version, name, checksum) ` +
        `VALUES (${m.version}, '${m.name}', '${m.checksum}');\nCOMMIT;`,
    );
  } catch (err: unknown) {
    await client.exec('ROLLBACK').catch(() => undefined);
    throw new StorageError(
      'MIGRATION_FAILED',
      `migration ${m.name} failed: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
