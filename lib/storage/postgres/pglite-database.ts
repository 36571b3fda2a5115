import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import type { Database, SqlClient, SqlResult } from '../database.js';
import { DataDirLock } from './data-dir-lock.js';

/** The embedded database and the lock that guards its directory. */
export interface PgliteHandle {
  database: Database;
  lock: DataDirLock | undefined;
}

/**
 * Opens PGlite in `<dataDir>/pgdata` after taking `<dataDir>/customs.lock`
 * (StorageError 'DATABASE_LOCKED' when another live process holds it).
 * `dataDir: undefined` opens an in-memory database (tests).
 */
export async function openPgliteDatabase(
  dataDir: string | undefined,
): Promise<PgliteHandle> {
  let lock: DataDirLock | undefined;
  if (dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    lock = DataDirLock.acquire(join(dataDir, 'customs.lock'));
  }
  try {
    const db = await PGlite.create(
      dataDir === undefined ? undefined : join(dataDir, 'pgdata'),
      {
        // bytea as Buffer, like pg.
        parsers: {
          [types.BYTEA]: (value: string) => Buffer.from(value.slice(2), 'hex'),
        },
      },
    );
    return { database: new PgliteDatabase(db, lock), lock };
  } catch (err: unknown) {
    lock?.release();
    throw err;
  }
}

class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  readonly #db: PGlite;
  readonly #lock: DataDirLock | undefined;

  constructor(db: PGlite, lock: DataDirLock | undefined) {
    this.#db = db;
    this.#lock = lock;
  }

  async query<R>(
    text: string,
    params?: readonly unknown[],
  ): Promise<SqlResult<R>> {
    const result = await this.#db.query<R>(
      text,
      params as unknown[] | undefined,
    );
    return {
      rows: result.rows,
      rowCount: result.affectedRows ?? result.rows.length,
    };
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.#db.transaction(async (tx) =>
      fn({
        query: async <R>(text: string, params?: readonly unknown[]) => {
          const result = await tx.query<R>(
            text,
            params as unknown[] | undefined,
          );
          return {
            rows: result.rows,
            rowCount: result.affectedRows ?? result.rows.length,
          };
        },
      }),
    );
  }

  async withAdvisoryLock<T>(
    _key: number,
    fn: (
      client: SqlClient & { exec(sql: string): Promise<void> },
    ) => Promise<T>,
  ): Promise<T> {
    // One process owns PGlite (the data-dir lock): nobody else can race us.
    return fn({
      query: (t, p) => this.query(t, p),
      exec: async (sql) => void (await this.#db.exec(sql)),
    });
  }

  async listen(
    channel: string,
    onPayload: (payload: string) => void,
  ): Promise<() => Promise<void>> {
    return this.#db.listen(channel, onPayload);
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.#db.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  jobQueueAdapter(): {
    executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  } {
    return {
      executeSql: async (text, values) => {
        // pg-boss sends multi-statement scripts without parameters.
        if (values && values.length > 0) return this.#db.query(text, values);
        const results = await this.#db.exec(text);
        return results[results.length - 1] ?? { rows: [] };
      },
    };
  }

  async close(): Promise<void> {
    try {
      await this.#db.close();
    } finally {
      this.#lock?.release();
    }
  }
}
