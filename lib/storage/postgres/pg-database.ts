import pg from 'pg';
import { StorageError } from '../../core/errors.js';
import type { Database, SqlClient, SqlResult } from '../database.js';

const INT8_OID = 20;

/** Options of the pg pool. */
export interface PgDatabaseOptions {
  url: string;
  poolSize: number;
  applicationName?: string;
}

/**
 * Opens a `pg` pool on PostgreSQL and checks it answers. Throws
 * StorageError('DATABASE_UNAVAILABLE') when the server cannot be reached.
 */
export async function openPgDatabase(
  options: PgDatabaseOptions,
): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    application_name: options.applicationName ?? 'customs',
    // Customs' queries are short; JIT compiling one costs more than running
    // it (200+ ms seen when statistics lag behind a bulk write).
    options: '-c jit=off',
    // Counts and sizes are int8: read them as numbers, as PGlite does.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
        oid === INT8_OID
          ? Number
          : (pg.types.getTypeParser(
              oid,
              format,
            ) as unknown)) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use.
  });
  try {
    await pool.query('SELECT 1');
  } catch (err: unknown) {
    await pool.end().catch(() => undefined);
    throw new StorageError(
      'DATABASE_UNAVAILABLE',
      `cannot connect to PostgreSQL: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return new PgDatabase(pool);
}

class PgDatabase implements Database {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async query<R>(
    text: string,
    params?: readonly unknown[],
  ): Promise<SqlResult<R>> {
    return toResult<R>(
      await this.#pool.query(text, params as unknown[] | undefined),
    );
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(wrapClient(client));
      await client.query('COMMIT');
      return result;
    } catch (err: unknown) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async withAdvisoryLock<T>(
    key: number,
    fn: (
      client: SqlClient & { exec(sql: string): Promise<void> },
    ) => Promise<T>,
  ): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [key]);
      try {
        return await fn({
          ...wrapClient(client),
          exec: async (sql) => void (await client.query(sql)),
        });
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [key]);
      }
    } finally {
      client.release();
    }
  }

  async listen(
    channel: string,
    onPayload: (payload: string) => void,
    onLost?: (err: Error) => void,
  ): Promise<() => Promise<void>> {
    const client = await this.#pool.connect();
    let lost = false;
    const handler = (msg: pg.Notification): void => {
      if (msg.channel === channel) onPayload(msg.payload ?? '');
    };
    const onError = (err: Error): void => {
      if (lost) return;
      lost = true;
      client.off('notification', handler);
      client.release(err); // a broken connection is not reused
      onLost?.(err);
    };
    client.on('notification', handler);
    client.on('error', onError);
    await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    return async () => {
      if (lost) return;
      lost = true;
      client.off('notification', handler);
      client.off('error', onError);
      await client
        .query(`UNLISTEN ${pg.escapeIdentifier(channel)}`)
        .catch(() => undefined);
      client.release();
    };
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.#pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  jobQueueAdapter(): {
    executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  } {
    return { executeSql: (text, values) => this.#pool.query(text, values) };
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

function wrapClient(client: pg.PoolClient): SqlClient {
  return {
    query: async <R>(text: string, params?: readonly unknown[]) =>
      toResult<R>(await client.query(text, params as unknown[] | undefined)),
  };
}

function toResult<R>(result: pg.QueryResult): SqlResult<R> {
  return {
    rows: result.rows as R[],
    rowCount: result.rowCount ?? result.rows.length,
  };
}
