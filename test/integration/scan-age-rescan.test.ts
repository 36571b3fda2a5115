/**
 * `maxScanAgeHours` on the scan side: a finished scan is reused while it
 * is younger than the limit, and done again (layers read anew) once it is
 * as old as the limit, so a refused image can be admitted again. Real
 * docker-registry, real pipeline, embedded database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../lib/config/schema.js';
import { createLogger } from '../../lib/log/create-logger.js';
import { DETECTORS } from '../../lib/scan/detectors/registry.js';
import { scanManifest } from '../../lib/scan/pipeline.js';
import { buildDeps, type Deps } from '../../services/customs/deps.js';
import type { Digest } from '../../lib/core/digest.js';
import { cleanLayers, pushLayeredImage } from '../helpers/planted-images.js';
import { startRegistry, type RegistryHandle } from '../helpers/registry.js';

const HOUR = 3_600_000;

describe('scan reuse under maxScanAgeHours', () => {
  let registry: RegistryHandle;
  let deps: Deps;
  let image: { repository: string; digest: Digest };
  let maxScanAgeMs: number | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'customs-scan-age-'));

  const scan = async () => {
    await scanManifest(
      {
        upstream: deps.upstream,
        manifests: deps.stores.manifests,
        scans: deps.stores.scans,
        detectors: DETECTORS,
        limits: deps.config.scan.limits,
        logger: deps.logger,
        maxScanAgeMs: () => maxScanAgeMs,
      },
      image,
      AbortSignal.timeout(60_000),
    );
    const record = await deps.stores.scans.get(image.digest);
    return { attempts: record?.attempts, finishedAt: record?.finishedAt };
  };

  beforeAll(async () => {
    registry = await startRegistry();
    const pushed = await pushLayeredImage(
      registry.url,
      { repository: 'team/fresh', tag: '1' },
      cleanLayers(),
      'clean',
    );
    image = { repository: pushed.repository, digest: pushed.digest as Digest };
    const config = configSchema.parse({
      version: 1,
      dataDir,
      upstream: { url: registry.url },
      log: { level: 'silent' },
    });
    deps = await buildDeps(config, createLogger({ level: 'silent' }), {
      work: false,
    });
  }, 120_000);
  afterAll(async () => {
    await deps?.close();
    await registry?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reuses a scan younger than the limit, and redoes one as old as the limit', async () => {
    const first = await scan();
    expect(first.attempts).toBe(1);
    expect((await deps.stores.scans.packages(image.digest)).length).toBe(1);

    maxScanAgeMs = HOUR;
    expect(await scan()).toEqual(first);
    maxScanAgeMs = undefined;
    expect(await scan()).toEqual(first);

    // The limit is the scan's age now: it is stale, and scanned again.
    maxScanAgeMs = Math.max(1, Date.now() - Date.parse(first.finishedAt!));
    const again = await scan();
    expect(again.attempts).toBe(2);
    expect(Date.parse(again.finishedAt!)).toBeGreaterThanOrEqual(
      Date.parse(first.finishedAt!),
    );
    expect((await deps.stores.scans.packages(image.digest)).length).toBe(1);
  }, 120_000);
});
