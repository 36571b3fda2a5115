/**
 * What secret scanning adds to a scan: the Debian test image (its 51 MB
 * gzip layer, ~9,000 files) scanned by the full pipeline from its OCI
 * layout (digest-verified reads, gunzip, tar walk, every detector, layer
 * record, PGlite), with and without `scan.secrets`, alternating, each run
 * on a fresh database (cold layer cache). Target: ratio ≤ 1.30. Prints JSON.
 *
 *   npx tsx bench/secrets-overhead.ts [--runs 5]
 */
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { configSchema } from '../lib/config/schema.js';
import { createLogger } from '../lib/log/create-logger.js';
import { DETECTORS } from '../lib/scan/detectors/registry.js';
import { prepareTestImages } from '../lib/scan/layers/test-oci-layout.js';
import { scanManifest } from '../lib/scan/pipeline.js';
import { createSecretScanner } from '../lib/scan/secrets/secret-scanner.js';
import { openOciLayout } from '../lib/scan/sources/oci-layout.js';
import { migrate } from '../lib/storage/postgres/migrate.js';
import { openPgliteDatabase } from '../lib/storage/postgres/pglite-database.js';
import { createStores } from '../lib/storage/postgres/stores.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' } },
});
const runs = Number(values.runs);
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const config = configSchema.parse({ version: 1 });
const logger = createLogger({ level: 'silent' });

/** One cold scan; its wall and CPU time, and the secrets it found. */
async function scanOnce(
  layout: string,
  withSecrets: boolean,
): Promise<{ ms: number; cpuMs: number; secrets: number }> {
  const source = await openOciLayout(layout);
  const { digest } = await source.resolve('bookworm-minbase');
  const { database } = await openPgliteDatabase(undefined);
  await migrate(database);
  const stores = createStores(database);
  const start = performance.now();
  const cpu = process.cpuUsage();
  await scanManifest(
    {
      upstream: source,
      manifests: stores.manifests,
      scans: stores.scans,
      layerResults: stores.layerResults,
      detectors: DETECTORS,
      limits: config.scan.limits,
      logger,
      secrets: withSecrets
        ? createSecretScanner(config.scan.secrets)
        : undefined,
      evidence: stores.evidence,
    },
    { repository: 'test/debian', digest },
    AbortSignal.timeout(120_000),
  );
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - start;
  const secrets = (await stores.evidence.get(digest))?.secrets.length ?? 0;
  await database.close();
  return { ms, cpuMs: (used.user + used.system) / 1000, secrets };
}

async function main(): Promise<void> {
  const layout = join(await prepareTestImages(), 'oci', 'debian');
  const plain = { ms: [] as number[], cpuMs: [] as number[] };
  const secret = { ms: [] as number[], cpuMs: [] as number[] };
  let found = 0;
  // Run 0 warms the JIT and the page cache and is not counted.
  for (let i = 0; i <= runs; i++) {
    const a = await scanOnce(layout, false);
    const b = await scanOnce(layout, true);
    found = b.secrets;
    if (i === 0) continue;
    plain.ms.push(a.ms);
    plain.cpuMs.push(a.cpuMs);
    secret.ms.push(b.ms);
    secret.cpuMs.push(b.cpuMs);
  }
  console.log(
    JSON.stringify(
      {
        bench: 'secrets-overhead',
        image: 'test/debian:bookworm-minbase',
        runs,
        secretsFound: found,
        withoutMs: {
          median: Math.round(median(plain.ms)),
          all: plain.ms.map(Math.round),
        },
        withMs: {
          median: Math.round(median(secret.ms)),
          all: secret.ms.map(Math.round),
        },
        ratio: Number((median(secret.ms) / median(plain.ms)).toFixed(2)),
        ratioOfMinimums: Number(
          (Math.min(...secret.ms) / Math.min(...plain.ms)).toFixed(2),
        ),
        cpuRatio: Number(
          (median(secret.cpuMs) / median(plain.cpuMs)).toFixed(2),
        ),
        target: 1.3,
        loadAverage: loadavg().map((x) => Number(x.toFixed(1))),
      },
      null,
      2,
    ),
  );
}

await main();
