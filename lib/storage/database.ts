/** Result of one SQL statement, the same shape on pg and PGlite. */
export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

/** Runs parameterised SQL (one statement). */
export interface SqlClient {
  query<R = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<SqlResult<R>>;
}

/**
 * A PostgreSQL database: a pool of `pg` connections or an embedded PGlite.
 * Stores take it and write plain SQL that runs identically on both; integers
 * come back as numbers and bytea as Buffer on both.
 */
export interface Database extends SqlClient {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction; rolls back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` holding the session advisory lock `key` (migrations take it so
   * that replicas starting together apply each migration once).
   */
  withAdvisoryLock<T>(
    key: number,
    fn: (
      client: SqlClient & { exec(sql: string): Promise<void> },
    ) => Promise<T>,
  ): Promise<T>;
  /**
   * Subscribes to NOTIFY on `channel`; returns the unsubscribe function.
   * `onLost` is called when the subscription's connection breaks: payloads
   * may have been missed (caches must drop everything) and the caller
   * subscribes again.
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onLost?: (err: Error) => void,
  ): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  /** pg-boss's `db` adapter (`executeSql(text, values)`), on the same connections. */
  jobQueueAdapter(): {
    executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  };
  close(): Promise<void>;
}
