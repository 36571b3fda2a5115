import { scanInspectors } from '../../lib/scan/inspectors.js';
import type { Logger } from 'pino';
import { readFileSync } from 'node:fs';
import type { Config } from '../../lib/config/schema.js';
import { ConfigError, messageOf } from '../../lib/core/errors.js';
import {
  EventDeliverer,
  type EventSink,
} from '../../lib/outbound/event-deliverer.js';
import type { Digest } from '../../lib/core/digest.js';
import type { RuleSet } from '../../lib/policy/rules.js';
import {
  createUpstreamClient,
  type UpstreamClient,
} from '../../lib/registry/client/upstream-client.js';
import { DETECTORS } from '../../lib/scan/detectors/registry.js';
import { JobQueue } from '../../lib/scan/jobs.js';
import { createImageProcessor } from '../../lib/scan/processor.js';
import { buildTrust } from '../../lib/signature/trust.js';
import type { Database } from '../../lib/storage/database.js';
import type { DataDirLock } from '../../lib/storage/postgres/data-dir-lock.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { openDatabase } from '../../lib/storage/postgres/open-database.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import type { BlobStore, Stores } from '../../lib/storage/ports.js';
import { join } from 'node:path';
import { cacheBlobs } from '../../lib/registry/cache/blob-cache.js';
import { warmBlobCache } from '../../lib/registry/cache/warm.js';
import { createFsBlobStore } from '../../lib/storage/fs/fs-blob-store.js';
import { createS3BlobStore } from '../../lib/storage/s3/s3-blob-store.js';
import { reconcileUpstream } from '../../lib/intake/reconcile.js';
import { VerdictCache } from '../../lib/policy/verdict-cache.js';
import { storeVerdictSource } from '../../lib/policy/verdict-source.js';
import { ageLimitsMs } from '../../lib/policy/age-deadlines.js';
import { VERDICT_CHANNEL } from '../../lib/storage/postgres/verdict-store.js';
import { TAG_CHANNEL } from '../../lib/storage/postgres/manifest-store.js';
import {
  TagCache,
  upstreamTagResolver,
  type TagResolver,
} from '../../lib/registry/door/tag-cache.js';
import { buildPolicyDeps, type PolicyDeps } from './policy-deps.js';
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
  /** Blob reads: the upstream, or the blob cache in front of it. */
  blobs: Pick<UpstreamClient, 'getBlob' | 'headBlob'> & { store?: BlobStore };
  /** Verdicts in memory for the doors, dropped on change (LISTEN/NOTIFY). */
  verdictCache: VerdictCache;
  /** Tag → digest for the doors: the tag cache, or the upstream each time. */
  resolveTag: TagResolver;
  /** A write through the door moved these tags (dropped from the tag cache). */
  tagsWritten: (repository: string, tags: string[]) => void;
  rules: () => RuleSet;
  environments: () => ReadonlySet<string>;
  /** Judging with exceptions and break-glass grants, and their administration. */
  policy: PolicyDeps;
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
  // Invalid rules stop startup before the database is opened.
  loadRules(config.rules.file);
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
      soleWriter: config.database.url === '',
    });
    const store = openBlobStore(config);
    const cached = store ? cacheBlobs(upstream, store, logger) : undefined;
    const blobs = cached ?? upstream;
    const verdictCache = new VerdictCache({
      source: storeVerdictSource(stores),
      notifications: db,
      channel: VERDICT_CHANNEL,
      maxEntries: config.door.verdictCacheEntries,
      logger: logger.child({ component: 'policy.verdict-cache' }),
    });
    await verdictCache.start();
    const tagCache =
      config.door.tagCacheMs > 0
        ? new TagCache({
            resolve: upstreamTagResolver(upstream),
            ttlMs: config.door.tagCacheMs,
            maxEntries: config.door.tagCacheEntries,
            notifications: db,
            channel: TAG_CHANNEL,
            logger: logger.child({ component: 'registry.door.tag-cache' }),
          })
        : undefined;
    await tagCache?.start();
    const events = new EventDeliverer({
      ...config.events,
      sinks: resolveSinks(config.events.sinks),
      outbox: stores.outbox,
      logger,
    });
    const policy = await buildPolicyDeps({
      config,
      stores,
      logger,
      withTimers: options.work,
      rescan: async (images, reason) => {
        for (const image of images) await jobs.sendScan({ ...image, reason });
      },
    });
    const deps: Deps = {
      config,
      logger,
      db,
      lock,
      stores,
      upstream,
      jobs,
      blobs,
      verdictCache,
      resolveTag: tagCache?.resolve ?? upstreamTagResolver(upstream),
      tagsWritten: (repository, tags) => {
        for (const tag of tags) tagCache?.drop(repository, tag);
      },
      rules: policy.rules,
      environments: policy.environments,
      policy,
      requestScan: async (repository, digest, reason) =>
        void (await jobs.sendScan({ repository, digest, reason })),
      close: async () => {
        await policy.close();
        await events.stop();
        await verdictCache.close();
        await tagCache?.close();
        await jobs.stop();
        await upstream.close();
        await db.close();
      },
    };
    if (options.work) {
      const processor = buildProcessor(deps);
      await jobs.work({
        ...processor,
        scan: async (job, signal) => {
          await processor.scan(job, signal);
          if (cached)
            await warmBlobCache(
              { blobs: cached, manifests: stores.manifests, logger },
              job,
              signal,
            );
        },
        reconcile: async (_job, signal) => {
          await reconcileUpstream(
            {
              upstream,
              manifests: stores.manifests,
              verdicts: stores.verdicts,
              sendScan: (job) => jobs.sendScan(job),
              logger: logger.child({ component: 'intake.reconcile' }),
            },
            config.intake.reconcile,
            signal,
          );
        },
      });
      await events.start();
      await policy.start();
    }
    return deps;
  } catch (err: unknown) {
    await db.close();
    throw err;
  }
}

function buildProcessor(deps: Deps): ReturnType<typeof createImageProcessor> {
  const { config, stores, logger } = deps;
  // Trust material follows the rules in force (built again when they change).
  let trust = buildTrust(deps.rules(), config.signatures.matchReference);
  let trustOf = deps.rules();
  const currentTrust = () => {
    if (deps.rules() !== trustOf) {
      trustOf = deps.rules();
      trust = buildTrust(trustOf, config.signatures.matchReference);
    }
    return trust;
  };
  return createImageProcessor({
    stores,
    jobs: deps.jobs,
    logger,
    pipeline: {
      // Layers read by the scan land in the blob cache (when there is one).
      upstream: { ...deps.upstream, getBlob: deps.blobs.getBlob },
      manifests: stores.manifests,
      scans: stores.scans,
      layerResults: stores.layerResults,
      detectors: DETECTORS,
      limits: config.scan.limits,
      ...scanInspectors(config.scan),
      baseImages: config.scan.baseImages,
      evidence: stores.evidence,
      maxScanAgeMs: () => {
        const limits = ageLimitsMs(deps.rules(), 'scan');
        return limits.length === 0 ? undefined : Math.min(...limits);
      },
      logger: logger.child({ component: 'scan.pipeline' }),
    },
    verify: {
      source: deps.upstream,
      manifests: stores.manifests,
      signatures: stores.signatures,
      logger: logger.child({ component: 'signature' }),
      trust: currentTrust,
      options: config.signatures,
    },
    judge: deps.policy.judge,
  });
}

/** The configured blob cache, or none (explicit map of drivers, STYLE.md §6). */
function openBlobStore(config: Readonly<Config>): BlobStore | undefined {
  const c = config.cache;
  switch (c.driver) {
    case 'none':
      return undefined;
    case 'fs':
      return createFsBlobStore(c.root || join(config.dataDir, 'blobs'));
    case 's3':
      return createS3BlobStore({
        bucket: c.bucket,
        region: c.region,
        endpoint: c.endpoint || undefined,
        forcePathStyle: c.forcePathStyle,
        prefix: c.prefix,
        accessKeyId: c.accessKeyId || undefined,
        secretAccessKey: c.secretAccessKey || undefined,
      });
  }
}

/** Sinks with their secrets read (a secretFile that cannot be read stops startup). */
function resolveSinks(sinks: Config['events']['sinks']): EventSink[] {
  return sinks.map((s) => {
    if (s.secret !== undefined)
      return { name: s.name, url: s.url, secret: s.secret };
    try {
      const secret = readFileSync(s.secretFile!, 'utf8').replace(/\r?\n$/, '');
      return { name: s.name, url: s.url, secret };
    } catch (err: unknown) {
      throw new ConfigError(
        'CONFIG_INVALID',
        `events.sinks ${s.name}: cannot read secretFile ${s.secretFile}: ${messageOf(err)}`,
        { cause: err },
      );
    }
  });
}
