import type { Database } from '../database.js';
import type { DataDirLock } from './data-dir-lock.js';
import { openPgDatabase } from './pg-database.js';
import { openPgliteDatabase } from './pglite-database.js';

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; empty = embedded PGlite in `dataDir`. */
  url: string;
  dataDir: string;
  poolSize: number;
}

/** Opens the configured database: PostgreSQL when `url` is set, else PGlite. */
export async function openDatabase(
  options: OpenDatabaseOptions,
): Promise<{ database: Database; lock: DataDirLock | undefined }> {
  if (options.url) {
    return {
      database: await openPgDatabase({
        url: options.url,
        poolSize: options.poolSize,
      }),
      lock: undefined,
    };
  }
  return openPgliteDatabase(options.dataDir);
}
