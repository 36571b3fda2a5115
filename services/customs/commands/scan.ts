import { pino } from 'pino';
import { packageVersion } from '../../../lib/config/package-root.js';
import type { Digest } from '../../../lib/core/digest.js';
import { createLogger } from '../../../lib/log/create-logger.js';
import { DETECTORS } from '../../../lib/scan/detectors/registry.js';
import { scanInspectors } from '../../../lib/scan/inspectors.js';
import {
  scanManifest,
  type ScannedManifest,
} from '../../../lib/scan/pipeline.js';
import {
  imageSbom,
  type SbomFormat,
} from '../../../lib/scan/sbom/image-sbom.js';
import { migrate } from '../../../lib/storage/postgres/migrate.js';
import { openPgliteDatabase } from '../../../lib/storage/postgres/pglite-database.js';
import { createStores } from '../../../lib/storage/postgres/stores.js';
import type { Stores } from '../../../lib/storage/ports.js';
import { importData } from '../../../lib/vulndb/import-data.js';
import { matchImage } from '../../../lib/vulndb/match-image.js';
import { enrichFindings } from '../../../lib/policy/enrich-findings.js';
import { cveIdsOf } from '../../../lib/policy/fix-priority.js';
import { CliError, configFrom, EXIT, out } from './common.js';
import { printTable, type ImageResult } from './scan-output.js';
import { openScanTarget } from './scan-target.js';
import { terminalLine, withLayerProgress } from './scan-progress.js';

export interface ScanOptions {
  config?: string;
  json?: boolean;
  format?: string;
  platform?: string;
  plainHttp?: boolean;
  vulndb?: string[];
}

const FORMATS = ['table', 'json', 'cyclonedx', 'spdx'] as const;
type Format = (typeof FORMATS)[number];

/**
 * `customs scan REF`: scans an image without a running Customs, through
 * the same pipeline (into an in-memory database), from a registry
 * (`HOST[:PORT]/REPO[:TAG|@DIGEST]`) or an OCI image layout (`oci:DIR[:TAG]`
 * or a directory), and prints its packages as a table, JSON, or an SBOM
 * (CycloneDX 1.6, SPDX 2.3; for an index, of one platform: `--platform`,
 * default linux/amd64). `--vulndb PATH…` adds findings. Exit 1 when a scan
 * failed.
 */
export async function scanCommand(
  ref: string,
  options: ScanOptions,
): Promise<number> {
  const format = formatOf(options);
  const config = configFrom(options.config);
  const logger = createLogger({ level: 'warn' }, pino.destination({ fd: 2 }));
  const target = await openScanTarget(ref, {
    config,
    plainHttp: options.plainHttp,
    logger,
  });
  const { database } = await openPgliteDatabase(undefined);
  try {
    await migrate(database);
    const stores = createStores(database);
    const scanned = await scanManifest(
      {
        // Big images take a while: show the layer being read on a terminal.
        upstream: process.stderr.isTTY
          ? withLayerProgress(target.source, terminalLine)
          : target.source,
        manifests: stores.manifests,
        scans: stores.scans,
        layerResults: stores.layerResults,
        detectors: DETECTORS,
        limits: config.scan.limits,
        ...scanInspectors(config.scan),
        baseImages: config.scan.baseImages,
        evidence: stores.evidence,
        logger,
      },
      { repository: target.repository, digest: target.digest },
      AbortSignal.timeout(config.scan.timeoutMs),
    );
    if (options.vulndb?.length)
      await importData(stores, options.vulndb, { logger });
    return await report(format, stores, { ref, target, scanned, options });
  } finally {
    await database.close();
    await target.close();
  }
}

/** Prints the scan in `format`; exit 1 when a scan of an image failed. */
async function report(
  format: Format,
  stores: Stores,
  run: {
    ref: string;
    target: { repository: string; digest: Digest };
    scanned: ScannedManifest;
    options: ScanOptions;
  },
): Promise<number> {
  const { scanned, target, options } = run;
  const digests =
    scanned.kind === 'index' ? scanned.children : [scanned.digest];
  const results: ImageResult[] = [];
  for (const digest of digests)
    results.push(
      await resultOf(stores, digest, Boolean(options.vulndb?.length)),
    );
  const json = (value: unknown): void => out(JSON.stringify(value, null, 2));
  if (format === 'table') for (const r of results) printTable(r);
  else if (format === 'json')
    json({
      reference: run.ref,
      digest: target.digest,
      kind: scanned.kind,
      images: results,
    });
  else json(await sbomOf(format, stores, target, options.platform));
  return results.every((r) => r.scan?.status === 'done')
    ? EXIT.ok
    : EXIT.failure;
}

function formatOf(options: ScanOptions): Format {
  const format = options.format ?? (options.json ? 'json' : 'table');
  if (!(FORMATS as readonly string[]).includes(format))
    throw new CliError(
      `--format must be one of ${FORMATS.join(', ')}`,
      EXIT.usage,
    );
  return format as Format;
}

async function resultOf(
  stores: Stores,
  digest: Digest,
  withFindings: boolean,
): Promise<ImageResult> {
  const scan = await stores.scans.get(digest);
  const packages = await stores.scans.packages(digest);
  const evidence = await stores.evidence.get(digest);
  const findings =
    scan?.status === 'done' && withFindings
      ? await matchImage(stores, digest)
      : [];
  const signals = await stores.exploits.lookup(findings.flatMap(cveIdsOf));
  return {
    digest,
    scan,
    packages,
    evidence,
    findings: enrichFindings(findings, { packages, evidence, signals }),
  };
}

async function sbomOf(
  format: SbomFormat,
  stores: Stores,
  target: { repository: string; digest: Digest },
  platform: string | undefined,
): Promise<Record<string, unknown>> {
  const result = await imageSbom(stores, { ...target, platform }, format, {
    toolVersion: packageVersion(),
  });
  if ('code' in result) throw new CliError(`${result.code}: ${result.message}`);
  return result.document;
}
