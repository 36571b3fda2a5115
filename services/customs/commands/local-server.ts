import type { Config } from '../../../lib/config/schema.js';
import { migrate } from '../../../lib/storage/postgres/migrate.js';
import { openDatabase } from '../../../lib/storage/postgres/open-database.js';
import { createStores } from '../../../lib/storage/postgres/stores.js';
import type { Stores } from '../../../lib/storage/ports.js';
import { CliError, runningServer } from './common.js';

/**
 * Runs a CLI command against the data: through the running `customs serve`
 * when it holds the embedded database (authenticated by its lock file's
 * local token), else on the database directly. `viaServer` gets a call
 * function; `direct` gets the stores of a freshly opened (and migrated)
 * database, closed afterwards.
 */
export async function withData<T>(
  config: Readonly<Config>,
  viaServer: (call: ServerCall) => Promise<T>,
  direct: (stores: Stores) => Promise<T>,
): Promise<T> {
  const running = runningServer(config);
  if (running?.apiUrl && running.localToken) {
    return viaServer(serverCall(running.apiUrl, running.localToken));
  }
  const { database } = await openDatabase({
    url: config.database.url,
    dataDir: config.dataDir,
    poolSize: 2,
  });
  try {
    await migrate(database);
    return await direct(createStores(database));
  } finally {
    await database.close();
  }
}

/**
 * Revokes a named credential: `DELETE <collection>/<name>` on the running
 * server, else `revoke` on the database. Throws CliError when no such name.
 */
export async function revokeNamed(
  config: Readonly<Config>,
  target: { collection: string; name: string; what: string },
  revoke: (stores: Stores) => Promise<boolean>,
): Promise<void> {
  const revoked = await withData(
    config,
    async (call) => {
      await call(
        'DELETE',
        `${target.collection}/${encodeURIComponent(target.name)}`,
      );
      return true;
    },
    revoke,
  );
  if (!revoked) throw new CliError(`no ${target.what} named ${target.name}`);
}

/** One authenticated JSON call to the running server; throws CliError on a non-2xx answer. */
export type ServerCall = <R>(
  method: string,
  path: string,
  body?: unknown,
) => Promise<R>;

function serverCall(apiUrl: string, token: string): ServerCall {
  return async <R>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<R> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text
      ? (JSON.parse(text) as R & { error?: { message: string } })
      : (undefined as R);
    if (!response.ok) {
      throw new CliError(
        (parsed as { error?: { message: string } } | undefined)?.error
          ?.message ?? `HTTP ${response.status}`,
      );
    }
    return parsed;
  };
}
