import { resolve } from 'node:path';
import { pino } from 'pino';
import { createLogger } from '../../../lib/log/create-logger.js';
import { JobQueue } from '../../../lib/scan/jobs.js';
import { migrate } from '../../../lib/storage/postgres/migrate.js';
import { openDatabase } from '../../../lib/storage/postgres/open-database.js';
import { createStores } from '../../../lib/storage/postgres/stores.js';
import {
  importVulnData,
  type ImportResult,
} from '../../../lib/vulndb/import.js';
import { CliError, configFrom, out, runningServer } from './common.js';

/**
 * `customs vulndb import PATH…`: imports OSV directories/files and Debian
 * tracker lists, then queues a re-match of every stored image. With the
 * embedded database held by a running `customs serve`, the import is handed
 * to that server (same host, authenticated by the lock file's token).
 */
export async function vulndbImportCommand(
  paths: string[],
  options: { config?: string },
): Promise<void> {
  const config = configFrom(options.config);
  const absolute = paths.map((p) => resolve(p));
  const running = runningServer(config);
  const result =
    running?.apiUrl && running.localToken
      ? await importThroughServer(running.apiUrl, running.localToken, absolute)
      : await importDirectly(config, absolute);
  const c = result.counts;
  out(
    `import ${result.importId}: ${c.added} added, ${c.changed} changed, ${c.unchanged} unchanged, ` +
      `${c.withdrawn} withdrawn, ${c.skipped} skipped in ${(result.durationMs / 1000).toFixed(1)} s`,
  );
  for (const w of result.warnings.slice(0, 20))
    out(`  warning: ${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}`);
  if (result.warnings.length > 20)
    out(`  … ${result.warnings.length - 20} more warnings`);
  out('every stored image is being re-matched against the new data');
}

async function importThroughServer(
  apiUrl: string,
  token: string,
  paths: string[],
): Promise<ImportResult> {
  process.stderr.write(
    `the embedded database is in use by customs serve at ${apiUrl}; importing through it\n`,
  );
  const response = await fetch(`${apiUrl}/api/v1/vulndb/imports`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ paths }),
  });
  const body = (await response.json()) as ImportResult & {
    error?: { message: string };
  };
  if (!response.ok)
    throw new CliError(
      `import failed: ${body.error?.message ?? response.statusText}`,
    );
  return body;
}

async function importDirectly(
  config: ReturnType<typeof configFrom>,
  paths: string[],
): Promise<ImportResult> {
  const logger = createLogger(
    { level: config.log.level === 'info' ? 'warn' : config.log.level },
    pino.destination({ fd: 2 }),
  );
  const { database } = await openDatabase({
    url: config.database.url,
    dataDir: config.dataDir,
    poolSize: 4,
  });
  try {
    await migrate(database);
    const stores = createStores(database);
    const tty = process.stderr.isTTY;
    const result = await importVulnData(stores.vulns, paths, {
      logger,
      onProgress: tty
        ? (read, file) =>
            process.stderr.write(
              `\r\x1b[Kimporting: ${read} advisories (${file})`,
            )
        : undefined,
    });
    if (tty) process.stderr.write('\r\x1b[K');
    const jobs = await JobQueue.start(database, {
      logger,
      retryLimit: config.scan.retryLimit,
      concurrency: 1,
      timeoutMs: config.scan.timeoutMs,
    });
    await jobs.sendRematch({
      reason: `vulnerability data import ${result.importId}`,
    });
    await jobs.stop();
    return result;
  } finally {
    await database.close();
  }
}
