import { resolve } from 'node:path';
import { pino } from 'pino';
import { createLogger } from '../../../lib/log/create-logger.js';
import { downloadMirrorFile } from '../../../lib/outbound/mirror-download.js';
import { JobQueue } from '../../../lib/scan/jobs.js';
import { migrate } from '../../../lib/storage/postgres/migrate.js';
import { openDatabase } from '../../../lib/storage/postgres/open-database.js';
import { createStores } from '../../../lib/storage/postgres/stores.js';
import type { ImportOptions } from '../../../lib/vulndb/import.js';
import {
  importData,
  type DataImportResult,
} from '../../../lib/vulndb/import-data.js';
import { rejudgeAllImages } from '../../../lib/scan/rejudge-all.js';
import { CliError, configFrom, out, runningServer } from './common.js';
import { importSummary, progressLine } from './import-report.js';

const URL_RE = /^https?:\/\//i;

/**
 * `customs vulndb import INPUT…`: imports files, directories and mirror
 * URLs as one snapshot, prints a summary per input, then queues the
 * re-match of the images the changes concern. With the embedded database
 * held by a running `customs serve`, the import is handed to that server
 * (same host, authenticated by the lock file's token).
 */
export async function vulndbImportCommand(
  inputs: string[],
  options: { config?: string },
): Promise<void> {
  const config = configFrom(options.config);
  const absolute = inputs.map((p) => (URL_RE.test(p) ? p : resolve(p)));
  const running = runningServer(config);
  const result =
    running?.apiUrl && running.localToken
      ? await importThroughServer(running.apiUrl, running.localToken, absolute)
      : await importDirectly(config, absolute);
  for (const line of importSummary(result)) out(line);
  for (const e of result.exploits ?? [])
    out(`exploitation data: ${e.source} ${e.version}, ${e.entries} CVEs`);
}

async function importThroughServer(
  apiUrl: string,
  token: string,
  paths: string[],
): Promise<DataImportResult> {
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
  const body = (await response.json()) as DataImportResult & {
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
  inputs: string[],
): Promise<DataImportResult> {
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
    const result = await importData(stores, inputs, {
      logger,
      download: (url) => downloadMirrorFile(url, config.vulndb.download),
      onProgress: terminalProgress(inputs),
    });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    if (result.changedPackages > 0 || result.exploits.length > 0) {
      const jobs = await JobQueue.start(database, {
        logger,
        retryLimit: config.scan.retryLimit,
        concurrency: 1,
        timeoutMs: config.scan.timeoutMs,
      });
      if (result.changedPackages > 0)
        await jobs.sendRematch({
          reason: `vulnerability data snapshot ${result.snapshotId}`,
        });
      if (result.exploits.length > 0)
        await rejudgeAllImages(stores, jobs, 'exploitation data imported');
      await jobs.stop();
    }
    return result;
  } finally {
    await database.close();
  }
}

/** A progress bar on stderr when it is a terminal; nothing otherwise. */
function terminalProgress(inputs: string[]): ImportOptions['onProgress'] {
  if (!process.stderr.isTTY) return undefined;
  const started = performance.now();
  return (read, input) => {
    const line = progressLine(
      {
        read,
        input,
        inputIndex: Math.max(1, inputs.indexOf(input) + 1),
        inputs: inputs.length,
        elapsedMs: performance.now() - started,
      },
      process.stderr.columns || 100,
    );
    process.stderr.write(`\r\x1b[K${line}`);
  };
}
