import type { Logger } from 'pino';
import type { Config } from '../../lib/config/schema.js';
import type { Digest } from '../../lib/core/digest.js';
import type { RuleSet } from '../../lib/policy/rules.js';
import {
  createUpstreamClient,
  type UpstreamClient,
} from '../../lib/registry/client/upstream-client.js';
import { DETECTORS } from '../../lib/scan/detectors/registry.js';
import { JobQueue } from '../../lib/scan/jobs.js';
import { createImageProcessor } from '../../lib/scan/processor.js';
import { parseTrustedKey } from '../../lib/signature/trusted-keys.js';
import type { Database } from '../../lib/storage/database.js';
import type { DataDirLock } from '../../lib/storage/postgres/data-dir-lock.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { openDatabase } from '../../lib/storage/postgres/open-database.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import type { Stores } from '../../lib/storage/ports.js';
import { loadRules } from './rules-source.js';

/** Everything the HTTP server and the workers share, built once from config. */
export interface Deps {
  config: Readonly<Config>;
  logger: Logger;
  db: Database;
  lock: DataDirLock | undefined;
  stores: Stores;
  upstream: UpstreamClient;
  jobs: JobQueue;
  rules: () => RuleSet;
  environments: () => ReadonlySet<string>;
  requestScan: (
    repository: string,
    digest: Digest,
    reason: string,
  ) => Promise<void>;
  close(): Promise<void>;
}

/** Opens the database (migrating it), the upstream client and the job queue. */
export async function buildDeps(
  config: Readonly<Config>,
  logger: Logger,
  options: { work: boolean },
): Promise<Deps> {
  const ruleSet = loadRules(config.rules.file);
  const { database: db, lock } = await openDatabase({
    url: config.database.url,
    dataDir: config.dataDir,
    poolSize: config.database.poolSize,
  });
  try {
    const applied = await migrate(db);
    if (applied.length > 0)
      logger.info({ migrations: applied }, 'migrations applied');
    const stores = createStores(db);
    const upstream = createUpstreamClient({ ...config.upstream, logger });
    const jobs = await JobQueue.start(db, {
      logger,
      retryLimit: config.scan.retryLimit,
      concurrency: config.scan.concurrency,
      timeoutMs: config.scan.timeoutMs,
    });
    const environments = new Set(Object.keys(ruleSet.environments));
    const deps: Deps = {
      config,
      logger,
      db,
      lock,
      stores,
      upstream,
      jobs,
      rules: () => ruleSet,
      environments: () => environments,
      requestScan: async (repository, digest, reason) =>
        void (await jobs.sendScan({ repository, digest, reason })),
      close: async () => {
        await jobs.stop();
        await upstream.close();
        await db.close();
      },
    };
    if (options.work) await jobs.work(buildProcessor(deps, ruleSet));
    return deps;
  } catch (err: unknown) {
    await db.close();
    throw err;
  }
}

function buildProcessor(
  deps: Deps,
  ruleSet: RuleSet,
): ReturnType<typeof createImageProcessor> {
  const { config, stores, logger } = deps;
  const keys = Object.entries(ruleSet.keys).map(([name, k]) =>
    parseTrustedKey(name, k.publicKeyPem),
  );
  return createImageProcessor({
    stores,
    jobs: deps.jobs,
    logger,
    pipeline: {
      upstream: deps.upstream,
      manifests: stores.manifests,
      scans: stores.scans,
      layerResults: stores.layerResults,
      detectors: DETECTORS,
      limits: config.scan.limits,
      logger: logger.child({ component: 'scan.pipeline' }),
    },
    verify: {
      source: deps.upstream,
      manifests: stores.manifests,
      signatures: stores.signatures,
      logger: logger.child({ component: 'signature' }),
      options: {
        keys,
        matchReference: config.signatures.matchReference,
        maxSignatures: config.signatures.maxSignatures,
        maxPayloadBytes: config.signatures.maxPayloadBytes,
      },
    },
    judge: {
      stores,
      rules: deps.rules,
      logger: logger.child({ component: 'policy' }),
    },
  });
}
