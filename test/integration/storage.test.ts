import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPgDatabase } from '../../lib/storage/postgres/pg-database.js';
import { openPgliteDatabase } from '../../lib/storage/postgres/pglite-database.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { describeOverviewStore } from '../suites/overview-store.suite.js';
import { describeStores } from '../suites/stores.suite.js';

const pglite = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'customs-pglite-'));
  const { database } = await openPgliteDatabase(dir);
  return {
    db: database,
    cleanup: () =>
      Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
};

const postgres = async () => {
  const target = await createTestDatabase();
  const db = await openPgDatabase({ url: target.url, poolSize: 4 });
  return { db, cleanup: () => target.drop() };
};

describeStores('PGlite', pglite);
describeStores('PostgreSQL', postgres);
describeOverviewStore('PGlite', pglite);
describeOverviewStore('PostgreSQL', postgres);
