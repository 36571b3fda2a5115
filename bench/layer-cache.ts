/**
 * The layer cache: a second image sharing all of the first one's layers
 * (the Debian test image plus one small layer, pushed to a real
 * docker-registry) against the first scan, each run on a fresh embedded
 * database so the first scan is always cold. Prints JSON; the ratio is
 * second ÷ first (target ≤ 0.05).
 *
 *   npx tsx bench/layer-cache.ts [--runs 5]
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { configSchema } from '../lib/config/schema.js';
import type { Digest } from '../lib/core/digest.js';
import { createLogger } from '../lib/log/create-logger.js';
import { createUpstreamClient } from '../lib/registry/client/upstream-client.js';
import { DETECTORS } from '../lib/scan/detectors/registry.js';
import { prepareTestImages } from '../lib/scan/layers/test-oci-layout.js';
import { scanManifest } from '../lib/scan/pipeline.js';
import { migrate } from '../lib/storage/postgres/migrate.js';
import { openPgliteDatabase } from '../lib/storage/postgres/pglite-database.js';
import { createStores } from '../lib/storage/postgres/stores.js';
import { startRegistry } from '../test/helpers/registry.js';
import { pushDerivedImage, pushLayout } from './derived-image.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' } },
});
const runs = Number(values.runs);
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const snapshot = await prepareTestImages();
  const registry = await startRegistry();
  try {
    const debian = {
      digest: await pushLayout(
        join(snapshot, 'oci', 'debian'),
        'bookworm-minbase',
        {
          host: registry.host,
          ref: 'test/debian:bookworm-minbase',
        },
      ),
    };
    const derived = await pushDerivedImage(join(snapshot, 'oci', 'debian'), {
      host: registry.host,
      repository: 'test/debian-derived',
      tag: '1',
    });
    const logger = createLogger({ level: 'silent' });
    const limits = configSchema.parse({ version: 1 }).scan.limits;
    const upstream = createUpstreamClient({ url: registry.url, logger });
    const firstMs: number[] = [];
    const secondMs: number[] = [];
    let packages = { first: 0, second: 0 };
    let cachedLayers = 0;
    for (let i = 0; i < runs; i++) {
      const { database } = await openPgliteDatabase(undefined);
      await migrate(database);
      const stores = createStores(database);
      const deps = {
        upstream,
        manifests: stores.manifests,
        scans: stores.scans,
        layerResults: stores.layerResults,
        detectors: DETECTORS,
        limits,
        logger,
      };
      let start = performance.now();
      await scanManifest(
        deps,
        { repository: 'test/debian', digest: debian.digest as Digest },
        AbortSignal.timeout(120_000),
      );
      firstMs.push(performance.now() - start);
      start = performance.now();
      await scanManifest(
        deps,
        { repository: 'test/debian-derived', digest: derived as Digest },
        AbortSignal.timeout(120_000),
      );
      secondMs.push(performance.now() - start);
      packages = {
        first: (await stores.scans.packages(debian.digest as Digest)).length,
        second: (await stores.scans.packages(derived as Digest)).length,
      };
      cachedLayers =
        (await stores.scans.get(derived as Digest))?.stats['cachedLayers'] ?? 0;
      await database.close();
    }
    await upstream.close();
    console.log(
      JSON.stringify(
        {
          bench: 'layer-cache',
          runs,
          packages,
          secondImage: { layers: 2, cachedLayers },
          firstScanMs: {
            median: Math.round(median(firstMs)),
            all: firstMs.map(Math.round),
          },
          secondScanMs: {
            median: Math.round(median(secondMs)),
            all: secondMs.map(Math.round),
          },
          ratio: Number((median(secondMs) / median(firstMs)).toFixed(3)),
          // Best of N, as in scan-vs-gunzip: the least disturbed runs.
          ratioOfMinimums: Number(
            (Math.min(...secondMs) / Math.min(...firstMs)).toFixed(3),
          ),
          loadAverage: loadavg().map((x) => Number(x.toFixed(1))),
        },
        null,
        2,
      ),
    );
  } finally {
    await registry.stop();
  }
}

await main();
