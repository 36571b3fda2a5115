/**
 * analyzeLayers over several layers built here: whiteouts across layers,
 * os-release, warnings, failures.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Digest } from '../../core/digest.js';
import { ScanError, UpstreamError } from '../../core/errors.js';
import { MediaTypes } from '../../core/media-types.js';
import { DETECTORS } from '../detectors/registry.js';
import type { PackageDetector } from '../detectors/types.js';
import { expectScanError, silentLogger } from '../testing.js';
import {
  analyzeLayers,
  type AnalyzeOptions,
  type LayerSource,
} from './analyze.js';
import { buildTar, gzip, streamOf, type TarSpec } from './test-tar.js';

const LIMITS = {
  maxLayerBytes: 64 * 1024 ** 2,
  maxFileBytes: 1024 ** 2,
  maxEntries: 10_000,
  maxSymlinkDepth: 8,
};
const OS_RELEASE = 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';
const status = (...names: string[]): string =>
  names
    .map(
      (n) =>
        `Package: ${n}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0\n`,
    )
    .join('\n');
const digestOf = (i: number): Digest =>
  `sha256:${String(i).repeat(64)}` as Digest;

/** One gzip layer per spec list, named sha256:111…, sha256:222…; opens are recorded in `opened`. */
function layersOf(specs: TarSpec[][], opened: number[] = []): LayerSource[] {
  return specs.map((entries, i) => ({
    digest: digestOf(i + 1),
    mediaType: MediaTypes.ociLayerGzip,
    open: () => {
      opened.push(i + 1);
      return Promise.resolve(streamOf(gzip(buildTar(entries))));
    },
  }));
}

function analyze(layers: LayerSource[], options: Partial<AnalyzeOptions> = {}) {
  return analyzeLayers(layers, {
    detectors: DETECTORS,
    limits: LIMITS,
    signal: new AbortController().signal,
    logger: silentLogger,
    ...options,
  });
}

async function packageNames(specs: TarSpec[][]): Promise<string[]> {
  return (await analyze(layersOf(specs))).packages.map(
    (p) => `${p.name}@${p.layerDigest.slice(7, 8)}`,
  );
}

describe('analyzeLayers across layers', () => {
  const base: TarSpec[] = [
    {
      type: 'file',
      path: 'var/lib/dpkg/status',
      content: status('base1', 'base2'),
    },
  ];

  it('does not report a package database deleted by a later layer', async () => {
    expect(
      await packageNames([
        base,
        [{ type: 'file', path: 'var/lib/dpkg/.wh.status' }],
      ]),
    ).toEqual([]);
  });

  it('does not report a database whose directory a later layer deleted', async () => {
    expect(
      await packageNames([base, [{ type: 'file', path: 'var/lib/.wh.dpkg' }]]),
    ).toEqual([]);
  });

  it('reports only the upper database under an opaque directory, with its layer digest', async () => {
    const upper: TarSpec[] = [
      { type: 'file', path: 'var/lib/dpkg/.wh..wh..opq' },
      { type: 'file', path: 'var/lib/dpkg/status', content: status('new1') },
    ];
    expect(await packageNames([base, upper])).toEqual(['new1@2']);
  });

  it('lets a whiteout delete only lower layers, never its own', async () => {
    const upper: TarSpec[] = [
      { type: 'file', path: 'var/lib/dpkg/status', content: status('mine') },
      { type: 'file', path: 'var/lib/dpkg/.wh.status' },
    ];
    expect(await packageNames([base, upper])).toEqual(['mine@2']);
  });

  it('stamps packages with the layer of their file, not of the last layer', async () => {
    const analysis = await analyze(
      layersOf([
        base,
        [{ type: 'file', path: 'etc/os-release', content: OS_RELEASE }],
        [{ type: 'file', path: 'app/x', content: 'x' }],
      ]),
    );
    expect(analysis.packages).toEqual(
      ['base1', 'base2'].map((name) => ({
        ecosystem: 'Debian:12',
        name,
        version: '1.0',
        arch: 'amd64',
        sourceName: name,
        sourceVersion: '1.0',
        purl: `pkg:deb/debian/${name}@1.0?arch=amd64&distro=debian-12`,
        path: 'var/lib/dpkg/status',
        layerDigest: digestOf(1),
        detector: 'os/dpkg',
      })),
    );
    expect(analysis.distribution).toEqual({
      id: 'debian',
      versionId: '12',
      versionCodename: 'bookworm',
      prettyName: undefined,
    });
    expect(analysis.stats).toMatchObject({ layers: 3, entries: 3 });
  });

  it("follows Debian's etc/os-release -> ../usr/lib/os-release symlink", async () => {
    const analysis = await analyze(
      layersOf([
        [
          {
            type: 'file',
            path: 'usr/lib/os-release',
            content: 'ID=ubuntu\nVERSION_ID="22.04"\n',
          },
          ...base,
        ],
        [
          {
            type: 'symlink',
            path: 'etc/os-release',
            target: '../usr/lib/os-release',
          },
        ],
      ]),
    );
    expect(analysis.distribution).toMatchObject({
      id: 'ubuntu',
      versionId: '22.04',
    });
    expect(analysis.packages.map((p) => p.ecosystem)).toEqual([
      'Ubuntu:22.04',
      'Ubuntu:22.04',
    ]);
  });

  it('opens each layer once, bottom to top, one after the other', async () => {
    const opened: number[] = [];
    await analyze(layersOf([base, [], []], opened));
    expect(opened).toEqual([1, 2, 3]);
  });
});

describe('analyzeLayers warnings', () => {
  it('reports a malformed dpkg paragraph as a warning, logs it, and still finds the other packages', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => lines.push(line) },
    );
    const broken = `${status('good1')}\nPackage: broken\nthis is not a field\n\n${status('good2')}`;
    const analysis = await analyze(
      layersOf([
        [{ type: 'file', path: 'var/lib/dpkg/status', content: broken }],
      ]),
      { logger },
    );
    expect(analysis.packages.map((p) => p.name)).toEqual(['good1', 'good2']);
    expect(analysis.warnings).toEqual([
      {
        code: 'PACKAGE_DB_INVALID',
        message: 'invalid dpkg status paragraph',
        details: { line: 6, reason: 'line 7 is not a field' },
        source: 'os/dpkg',
        path: 'var/lib/dpkg/status',
        layerDigest: digestOf(1),
      },
    ]);
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'invalid dpkg status paragraph',
        detector: 'os/dpkg',
        code: 'PACKAGE_DB_INVALID',
        digest: digestOf(1),
      }),
    ]);
  });
});

describe('analyzeLayers failures', () => {
  it('maps a failing open() to LAYER_FETCH_FAILED naming the layer', async () => {
    const layers = layersOf([[], []]);
    layers[1]!.open = () => Promise.reject(new Error('connection reset'));
    await expectScanError(analyze(layers), 'LAYER_FETCH_FAILED', {
      layerDigest: digestOf(2),
    });
  });

  it('maps a digest mismatch at the end of a layer to LAYER_DIGEST_MISMATCH naming the layer', async () => {
    const layers = layersOf([[], []]);
    layers[1]!.open = () =>
      Promise.resolve(
        streamOf(gzip(buildTar([{ type: 'dir', path: 'etc/' }])), {
          error: new UpstreamError('UPSTREAM_DIGEST_MISMATCH', 'x'),
        }),
      );
    await expectScanError(analyze(layers), 'LAYER_DIGEST_MISMATCH', {
      layerDigest: digestOf(2),
    });
  });

  it('passes a hostile entry code through, naming the layer', async () => {
    await expectScanError(
      analyze(layersOf([[{ type: 'file', path: '../../x', content: 'x' }]])),
      'EXTRACT_PATH_ESCAPE',
      {
        layerDigest: digestOf(1),
        path: '../../x',
      },
    );
  });

  it('stops an os-release symlink loop at maxSymlinkDepth', async () => {
    const loop: TarSpec[] = [
      { type: 'symlink', path: 'etc/os-release', target: 'loop' },
      { type: 'symlink', path: 'etc/loop', target: 'os-release' },
    ];
    await expectScanError(analyze(layersOf([loop])), 'EXTRACT_LIMIT_EXCEEDED', {
      limit: 'maxSymlinkDepth',
    });
  });

  it('wraps a detector crash as DETECTOR_FAILED', async () => {
    const crashing: PackageDetector = {
      name: 'test/crash',
      version: 1,
      matches: (file) => file.path === 'crash',
      detect: () => Promise.reject(new TypeError('boom')),
    };
    const err = await expectScanError(
      analyze(layersOf([[{ type: 'file', path: 'crash', content: 'x' }]]), {
        detectors: [crashing],
      }),
      'DETECTOR_FAILED',
      { detector: 'test/crash', path: 'crash' },
    );
    expect(err.cause).toBeInstanceOf(TypeError);
  });

  it('passes a ScanError of a detector unchanged', async () => {
    const limited: PackageDetector = {
      name: 'test/limit',
      version: 1,
      matches: (file) => file.path === 'f',
      detect: () =>
        Promise.reject(
          new ScanError('EXTRACT_LIMIT_EXCEEDED', 'too big', {
            details: { limit: 'maxFileBytes' },
          }),
        ),
    };
    await expectScanError(
      analyze(layersOf([[{ type: 'file', path: 'f' }]]), {
        detectors: [limited],
      }),
      'EXTRACT_LIMIT_EXCEEDED',
    );
  });

  it('rejects with the abort reason', async () => {
    const reason = new Error('cancelled');
    await expect(
      analyze(layersOf([[]]), { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
  });
});
