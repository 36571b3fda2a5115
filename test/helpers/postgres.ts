import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server tests use: `DATABASE_URL`, else the machine's own. */
export function postgresUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/**
 * Creates an empty database on the test server and returns its URL; `drop()`
 * removes it. Fails (never skips) with how to start PostgreSQL when it is down.
 */
export async function createTestDatabase(): Promise<{
  url: string;
  drop(): Promise<void>;
}> {
  const admin = new pg.Client({ connectionString: postgresUrl() });
  try {
    await admin.connect();
  } catch (err: unknown) {
    throw new Error(
      `PostgreSQL is not reachable at ${postgresUrl()} (${(err as Error).message}). Start it with ` +
        `\`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\` or set DATABASE_URL.`,
    );
  }
  const name = `customs_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: postgresUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
