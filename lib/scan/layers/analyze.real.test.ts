/**
 * analyzeLayers on the real images of make-test-images.sh (OCI layouts in
 * $OCI_TEST_CACHE). A missing layout FAILS with how to build it; nothing is
 * skipped (STYLE.md §7).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { DETECTORS } from '../detectors/registry.js';
import type { PackageDetector } from '../detectors/types.js';
import { silentLogger } from '../testing.js';
import { analyzeLayers } from './analyze.js';
import {
  blobPath,
  layoutLayers,
  prepareTestImages,
  testImagesSnapshot,
} from './test-oci-layout.js';

const LIMITS = {
  maxLayerBytes: 2 * 1024 ** 3,
  maxFileBytes: 16 * 1024 ** 2,
  maxEntries: 500_000,
  maxSymlinkDepth: 40,
};
const HOW_TO_BUILD = 'run `../shared/scripts/make-test-images.sh --no-push`';

interface ExpectedDpkg {
  name: string;
  version: string;
  arch: string;
  source: string;
  sourceVersion: string;
}

async function expectedContents(): Promise<{
  images: Record<string, { packages: { dpkg: ExpectedDpkg[] } }>;
}> {
  const path = join(testImagesSnapshot(), 'expected-contents.json');
  const text = await readFile(path, 'utf8').catch((err: unknown) => {
    throw new Error(`${path} is missing: ${HOW_TO_BUILD}`, { cause: err });
  });
  return JSON.parse(text) as {
    images: Record<string, { packages: { dpkg: ExpectedDpkg[] } }>;
  };
}

function analyze(
  layout: string,
  ref?: string,
  detectors: readonly PackageDetector[] = DETECTORS,
) {
  return layoutLayers(join(testImagesSnapshot(), 'oci', layout), ref).then(
    (layers) =>
      analyzeLayers(layers, {
        detectors,
        limits: LIMITS,
        signal: new AbortController().signal,
        logger: silentLogger,
      }),
  );
}

describe('analyzeLayers on real images', () => {
  beforeAll(() => prepareTestImages(), 300_000);

  it('finds exactly the 88 dpkg packages of debian bookworm minbase', async () => {
    const expected =
      (await expectedContents()).images['debian']?.packages.dpkg ?? [];
    const layers = await layoutLayers(
      join(testImagesSnapshot(), 'oci', 'debian'),
    );
    const analysis = await analyze('debian');
    expect(analysis.distribution).toEqual({
      id: 'debian',
      versionId: '12',
      versionCodename: 'bookworm',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
    });
    expect(expected).toHaveLength(88);
    const found = analysis.packages
      .map((p) => ({
        name: p.name,
        version: p.version,
        arch: p.arch,
        source: p.sourceName,
        sourceVersion: p.sourceVersion,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(found).toEqual(
      [...expected].sort((a, b) => a.name.localeCompare(b.name)),
    );
    for (const p of analysis.packages) {
      expect(p).toMatchObject({
        ecosystem: 'Debian:12',
        detector: 'os/dpkg',
        path: 'var/lib/dpkg/status',
        layerDigest: layers[0]?.digest,
      });
    }
    expect(analysis.packages.find((p) => p.name === 'bsdutils')?.purl).toBe(
      'pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12',
    );
    // Declared licenses from the DEP-5 copyright files (free-form ones: none).
    const licenseOf = (name: string) =>
      analysis.packages.find((p) => p.name === name)?.license;
    expect(
      ['adduser', 'zlib1g', 'tar', 'base-files', 'libc6'].map(licenseOf),
    ).toEqual([
      'GPL-2+',
      'Zlib',
      'GPL-3+ AND (GPL-3+ with Bison exception) AND LGPL-3+',
      undefined,
      undefined,
    ]);
    expect(analysis.packages.filter((p) => p.license).length).toBe(74);
    expect(analysis.warnings).toEqual([]);
    expect(analysis.stats).toMatchObject({
      layers: 1,
      entries: expect.any(Number) as number,
    });
  });

  it('costs about what gunzip of the layer costs (medians of 3 runs)', async () => {
    const layout = join(testImagesSnapshot(), 'oci', 'debian');
    const blob = blobPath(layout, (await layoutLayers(layout))[0]!.digest);
    const gunzipRuns: number[] = [];
    const scanRuns: number[] = [];
    for (let run = 0; run < 3; run++) {
      let started = performance.now();
      await promisify(execFile)('sh', [
        '-c',
        `gunzip -c '${blob}' > /dev/null`,
      ]);
      gunzipRuns.push(performance.now() - started);
      started = performance.now();
      expect((await analyze('debian')).packages).toHaveLength(88);
      scanRuns.push(performance.now() - started);
    }
    const gunzipMs = median(gunzipRuns);
    const scanMs = median(scanRuns);
    const ratio = +(scanMs / gunzipMs).toFixed(2);
    console.log(
      JSON.stringify({
        gunzipMs: Math.round(gunzipMs),
        scanMs: Math.round(scanMs),
        ratio,
      }),
    );
    // Loose: only a broken design (buffering, per-byte work) is this slow.
    expect(ratio).toBeLessThan(3);
  });

  it('finds no dpkg database in the app image and honours its whiteout layer', async () => {
    const analysis = await analyze('app', '1.0');
    expect(analysis.distribution).toBeUndefined();
    expect(analysis.packages.filter((p) => p.detector === 'os/dpkg')).toEqual(
      [],
    );
    expect(
      analysis.packages
        .filter((p) => p.ecosystem === 'PyPI')
        .map((p) => `${p.name}@${p.version}`)
        .sort(),
    ).toEqual(['certifi@2018.4.16', 'requests@2.19.0']);
    expect(analysis.stats.layers).toBe(4);
  });

  it('reads the uncompressed variant of the app image the same way', async () => {
    const analysis = await analyze('app-uncompressed');
    expect(
      analysis.packages
        .filter((p) => p.ecosystem === 'PyPI')
        .map((p) => `${p.name}@${p.version}`)
        .sort(),
    ).toEqual(['certifi@2018.4.16', 'requests@2.19.0']);
    expect(analysis.stats.compressedBytes).toBe(
      analysis.stats.uncompressedBytes,
    );
  });

  it('reads the zstd variant of the app image the same way', async () => {
    const analysis = await analyze('app-zstd');
    expect(
      analysis.packages
        .filter((p) => p.ecosystem === 'PyPI')
        .map((p) => `${p.name}@${p.version}`)
        .sort(),
    ).toEqual(['certifi@2018.4.16', 'requests@2.19.0']);
  });
});

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}
