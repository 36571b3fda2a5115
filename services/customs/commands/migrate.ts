import { migrate } from '../../../lib/storage/postgres/migrate.js';
import { openDatabase } from '../../../lib/storage/postgres/open-database.js';
import { configFrom, out } from './common.js';

/** `customs migrate`: applies pending migrations and exits. */
export async function migrateCommand(options: {
  config?: string;
}): Promise<void> {
  const config = configFrom(options.config);
  const { database } = await openDatabase({
    url: config.database.url,
    dataDir: config.dataDir,
    poolSize: 2,
  });
  try {
    const applied = await migrate(database);
    out(
      applied.length === 0
        ? 'database is up to date'
        : `applied ${applied.join(', ')}`,
    );
  } finally {
    await database.close();
  }
}
