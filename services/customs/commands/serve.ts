import { pino } from 'pino';
import { createLogger } from '../../../lib/log/create-logger.js';
import { buildDeps } from '../deps.js';
import { startServer } from '../server.js';
import { configFrom } from './common.js';
import { startTableUpkeep } from '../../../lib/storage/postgres/table-upkeep.js';

/** `customs serve`: doors, intake, API and workers in one process until SIGINT/SIGTERM. */
export async function serveCommand(options: {
  config?: string;
  port?: string;
  host?: string;
}): Promise<void> {
  const config = configFrom(options.config);
  const logger = createLogger(
    config.log,
    pino.destination({ fd: 1, sync: false }),
  );
  const deps = await buildDeps(config, logger, { work: true });
  const listen = {
    host: options.host ?? config.server.host,
    port:
      options.port === undefined ? config.server.port : Number(options.port),
  };
  const server = await startServer(deps, listen);
  logger.info(
    {
      url: server.url,
      database: deps.db.kind,
      dataDir: deps.db.kind === 'pglite' ? config.dataDir : undefined,
      upstream: config.upstream.url,
      environments: [...deps.environments()],
      rulesVersion: deps.rules().version,
      defaultEnvironment: config.server.defaultEnvironment,
      intakeSecretSet: config.intake.secret !== '',
    },
    'customs listening',
  );
  const reconcile = (reason: string): void => {
    deps.jobs
      .sendReconcile({ reason })
      .catch((err: unknown) =>
        logger.warn({ err }, 'failed to queue a reconcile walk'),
      );
  };
  if (config.intake.reconcile.onStart) reconcile('start');
  const interval = config.intake.reconcile.intervalMs;
  const timer =
    interval > 0
      ? setInterval(() => reconcile('schedule'), interval)
      : undefined;
  timer?.unref();
  const upkeep = startTableUpkeep(
    deps.db,
    config.database.upkeepIntervalMs,
    logger,
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void (async () => {
      clearInterval(timer);
      clearInterval(upkeep);
      await server.close();
      await deps.close();
      logger.flush();
      process.exit(0);
    })();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
