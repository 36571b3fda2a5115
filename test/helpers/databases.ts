import type { Database } from '../../lib/storage/database.js';
import { openPgDatabase } from '../../lib/storage/postgres/pg-database.js';
import { openPgliteDatabase } from '../../lib/storage/postgres/pglite-database.js';
import { createTestDatabase } from './postgres.js';

/**
 * Both databases Customs runs on, for `describe.each`: an in-memory
 * PGlite and an empty database on the test PostgreSQL. `done()` closes
 * (and drops) it.
 */
export const ENGINES: Array<
  [string, () => Promise<{ db: Database; done: () => Promise<void> }>]
> = [
  [
    'PGlite',
    async () => {
      const { database } = await openPgliteDatabase(undefined);
      return { db: database, done: () => database.close() };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const target = await createTestDatabase();
      const db = await openPgDatabase({ url: target.url, poolSize: 4 });
      return {
        db,
        done: async () => {
          await db.close();
          await target.drop();
        },
      };
    },
  ],
];
