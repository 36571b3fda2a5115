import { pino } from 'pino';
import { parseImageReference } from '../../../lib/core/reference.js';
import { createLogger } from '../../../lib/log/create-logger.js';
import { createUpstreamClient } from '../../../lib/registry/client/upstream-client.js';
import { DETECTORS } from '../../../lib/scan/detectors/registry.js';
import { scanManifest } from '../../../lib/scan/pipeline.js';
import { migrate } from '../../../lib/storage/postgres/migrate.js';
import { openPgliteDatabase } from '../../../lib/storage/postgres/pglite-database.js';
import { createStores } from '../../../lib/storage/postgres/stores.js';
import { importVulnData } from '../../../lib/vulndb/import.js';
import { matchImage } from '../../../lib/vulndb/match-image.js';
import { CliError, configFrom, EXIT, out } from './common.js';

export interface ScanOptions {
  config?: string;
  json?: boolean;
  plainHttp?: boolean;
  vulndb?: string[];
}

/**
 * `customs scan HOST[:PORT]/REPO[:TAG|@DIGEST]`: scans an image straight
 * from a registry, without a running Customs, through the same pipeline
 * (into an in-memory database), and prints its packages, and its findings
 * when `--vulndb PATH…` names vulnerability data. Registry credentials come
 * from the config's upstream section.
 */
export async function scanCommand(
  ref: string,
  options: ScanOptions,
): Promise<number> {
  const config = configFrom(options.config);
  const image = parseImageReference(ref.replace(/^docker:\/\//, ''));
  if (!image.registry)
    throw new CliError(
      'name the registry: HOST[:PORT]/REPO[:TAG|@DIGEST]',
      EXIT.usage,
    );
  const plain =
    options.plainHttp ?? /^(localhost|127\.|\[::1\])/.test(image.registry);
  const logger = createLogger({ level: 'warn' }, pino.destination({ fd: 2 }));
  const upstream = createUpstreamClient({
    ...config.upstream,
    url: `${plain ? 'http' : 'https'}://${image.registry}`,
    logger,
  });
  const { database } = await openPgliteDatabase(undefined);
  try {
    await migrate(database);
    const stores = createStores(database);
    const head = await upstream.headManifest(
      image.repository,
      image.digest ?? image.tag ?? 'latest',
    );
    if (!head) throw new CliError(`${ref}: no such image`);
    const signal = AbortSignal.timeout(config.scan.timeoutMs);
    const scanned = await scanManifest(
      {
        upstream,
        manifests: stores.manifests,
        scans: stores.scans,
        detectors: DETECTORS,
        limits: config.scan.limits,
        logger,
      },
      { repository: image.repository, digest: head.digest },
      signal,
    );
    if (options.vulndb?.length)
      await importVulnData(stores.vulns, options.vulndb, { logger });
    const digests =
      scanned.kind === 'index' ? scanned.children : [scanned.digest];
    const results = [];
    for (const digest of digests) {
      const scan = await stores.scans.get(digest);
      const findings =
        scan?.status === 'done' && options.vulndb?.length
          ? await matchImage(stores, digest)
          : [];
      results.push({
        digest,
        scan,
        packages: await stores.scans.packages(digest),
        findings,
      });
    }
    if (options.json)
      out(
        JSON.stringify(
          {
            reference: ref,
            digest: head.digest,
            kind: scanned.kind,
            images: results,
          },
          null,
          2,
        ),
      );
    else for (const r of results) printImage(r);
    return results.every((r) => r.scan?.status === 'done')
      ? EXIT.ok
      : EXIT.failure;
  } finally {
    await database.close();
    await upstream.close();
  }
}

type ImageResult = {
  digest: string;
  scan: Awaited<ReturnType<ReturnType<typeof createStores>['scans']['get']>>;
  packages: Awaited<
    ReturnType<ReturnType<typeof createStores>['scans']['packages']>
  >;
  findings: Awaited<ReturnType<typeof matchImage>>;
};

function printImage(r: ImageResult): void {
  out(
    `${r.digest}: scan ${r.scan?.status ?? 'none'}${r.scan?.errorCode ? ` (${r.scan.errorCode}: ${r.scan.errorMessage ?? ''})` : ''}`,
  );
  if (r.scan?.distribution)
    out(
      `distribution: ${r.scan.distribution.prettyName ?? r.scan.distribution.id}`,
    );
  out(`${r.packages.length} packages`);
  for (const p of r.packages)
    out(`  ${p.ecosystem.padEnd(12)} ${p.name.padEnd(32)} ${p.version}`);
  if (r.findings.length > 0) out(`${r.findings.length} findings`);
  for (const f of r.findings) {
    out(
      `  ${(f.aliases.find((a) => a.startsWith('CVE-')) ?? f.advisoryId).padEnd(18)} ${f.severity.padEnd(10)} ${f.packageName} ${f.packageVersion}` +
        `${f.fixedVersion ? ` (fixed in ${f.fixedVersion})` : ''}${f.status === 'undetermined' ? ' [undetermined]' : ''}`,
    );
  }
}
