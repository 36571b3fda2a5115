/**
 * analyzeLayers with every real detector on hostile and broken images built
 * here: a 10 GiB gzip bomb, malformed package databases next to good ones,
 * oversized binaries, and per-file results under whiteouts and hardlinks.
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Digest } from '../../core/digest.js';
import { MediaTypes } from '../../core/media-types.js';
import { DETECTORS } from '../detectors/registry.js';
import type { PackageDetector } from '../detectors/types.js';
import { expectScanError, silentLogger } from '../testing.js';
import { analyzeLayers, type LayerSource } from './analyze.js';
import { buildTar, gzip, streamOf, type TarSpec } from './test-tar.js';

const LIMITS = {
  maxLayerBytes: 64 * 1024 ** 2,
  maxFileBytes: 1024 ** 2,
  maxEntries: 10_000,
  maxSymlinkDepth: 8,
};
const digestOf = (i: number): Digest =>
  `sha256:${String(i).repeat(64)}` as Digest;
const layersOf = (specs: TarSpec[][]): LayerSource[] =>
  specs.map((entries, i) => ({
    digest: digestOf(i + 1),
    mediaType: MediaTypes.ociLayerGzip,
    open: () => Promise.resolve(streamOf(gzip(buildTar(entries)))),
  }));
const analyze = (layers: LayerSource[]) =>
  analyzeLayers(layers, {
    detectors: DETECTORS,
    limits: LIMITS,
    signal: new AbortController().signal,
    logger: silentLogger,
  });
const names = (a: Awaited<ReturnType<typeof analyze>>) =>
  a.packages.map((p) => `${p.detector} ${p.name}@${p.version}`);
const jar = () =>
  readFile(
    new URL(
      '../detectors/lang-java/testdata/customs-lib-1.4.2.jar',
      import.meta.url,
    ),
  );

/** A tar header declaring a 10 GiB executable, then 10 GiB of zeros as concatenated gzip members (~10 MB). */
function tenGibBomb(): Buffer {
  const header = buildTar(
    [{ type: 'file', path: 'usr/local/bin/app', content: 'x', mode: 0o755 }],
    { eof: false },
  ).subarray(0, 512);
  // Rewrite the size field (octal, 11 digits) to 10 GiB and fix the checksum.
  header.write(
    `${(10 * 1024 ** 3).toString(8).padStart(11, '0')}\0`,
    124,
    'latin1',
  );
  header.write('        ', 148, 'latin1');
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const member = gzipSync(Buffer.alloc(8 * 1024 ** 2), { level: 9 });
  return Buffer.concat([
    gzipSync(header),
    ...Array.from({ length: 1280 }, () => member),
  ]);
}

describe('analyzeLayers on hostile and broken images', () => {
  it('stops a 10 GiB gzip bomb at maxLayerBytes without reading it into memory', async () => {
    const bomb = tenGibBomb();
    expect(bomb.length).toBeLessThan(16 * 1024 ** 2);
    const rssBefore = process.memoryUsage().rss;
    await expectScanError(
      analyze([
        {
          digest: digestOf(1),
          mediaType: MediaTypes.ociLayerGzip,
          open: () => Promise.resolve(streamOf(bomb)),
        },
      ]),
      'EXTRACT_LIMIT_EXCEEDED',
      { limit: 'maxLayerBytes', layerDigest: digestOf(1) },
    );
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 ** 2);
  });

  it('reports malformed package databases as warnings and still runs the other detectors', async () => {
    const analysis = await analyze(
      layersOf([
        [
          {
            type: 'file',
            path: 'var/lib/rpm/rpmdb.sqlite',
            content: 'SQLite format 3\0 but then nothing',
          },
          {
            type: 'file',
            path: 'lib/apk/db/installed',
            content: 'P:musl\nV:1.2.5-r0\n\nV:only-a-version\n',
          },
          {
            type: 'file',
            path: 'app/package-lock.json',
            content: '{ not json',
          },
          {
            type: 'file',
            path: 'app/node_modules/ms/package.json',
            content: '{"name":"ms","version":"2.0.0"}',
          },
          {
            type: 'file',
            path: 'usr/lib/python3/dist-packages/broken.dist-info/METADATA',
            content: 'Name: broken\n',
          },
          {
            type: 'file',
            path: 'opt/app/broken.jar',
            content: 'PK\u0003\u0004 not really',
          },
        ],
      ]),
    );
    expect(names(analysis)).toEqual([
      'os/apk musl@1.2.5-r0',
      'lang/npm ms@2.0.0',
    ]);
    expect(
      analysis.warnings.map((w) => `${w.source} ${w.code} ${w.path}`).sort(),
    ).toEqual([
      'lang/java PACKAGE_DB_INVALID opt/app/broken.jar',
      'lang/npm PACKAGE_DB_INVALID app/package-lock.json',
      'lang/python PACKAGE_DB_INVALID usr/lib/python3/dist-packages/broken.dist-info/METADATA',
      'os/apk PACKAGE_DB_INVALID lib/apk/db/installed',
      'os/rpm PACKAGE_DB_INVALID var/lib/rpm/rpmdb.sqlite',
    ]);
    expect(analysis.warnings.every((w) => w.layerDigest === digestOf(1))).toBe(
      true,
    );
  });

  it('skips a binary over maxFileBytes with FILE_TOO_LARGE instead of failing the scan', async () => {
    const analysis = await analyze(
      layersOf([
        [
          {
            type: 'file',
            path: 'usr/local/bin/huge',
            content: Buffer.alloc(2 * 1024 ** 2),
            mode: 0o755,
          },
          {
            type: 'file',
            path: 'app/node_modules/ms/package.json',
            content: '{"name":"ms","version":"2.0.0"}',
          },
        ],
      ]),
    );
    expect(names(analysis)).toEqual(['lang/npm ms@2.0.0']);
    expect(analysis.warnings).toEqual([
      expect.objectContaining({
        code: 'FILE_TOO_LARGE',
        path: 'usr/local/bin/huge',
        source: 'lang/go,lang/rust',
      }),
    ]);
  });

  it('forgets per-file results of a file a later layer deletes, keeps them through a hardlink', async () => {
    const metadata = 'Name: six\nVersion: 1.16.0\n';
    const analysis = await analyze(
      layersOf([
        [
          {
            type: 'file',
            path: 'opt/lib/customs-lib-1.4.2.jar',
            content: await jar(),
          },
          {
            type: 'file',
            path: 'opt/py/six-1.16.0.dist-info/METADATA',
            content: metadata,
          },
          {
            type: 'hardlink',
            path: 'opt/py2/six-1.16.0.dist-info/METADATA',
            target: 'opt/py/six-1.16.0.dist-info/METADATA',
          },
        ],
        [
          { type: 'file', path: 'opt/lib/.wh.customs-lib-1.4.2.jar' },
          { type: 'file', path: 'opt/.wh.py' },
        ],
      ]),
    );
    expect(analysis.packages.map((p) => `${p.name} ${p.path}`)).toEqual([
      'six opt/py2/six-1.16.0.dist-info/METADATA',
    ]);
  });

  it('runs file-scope detection one file at a time, and the walk waits for it', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const slow: PackageDetector = {
      name: 'test/slow',
      version: 1,
      scope: 'file',
      matches: (f) => f.path.endsWith('.bin'),
      detect: async ({ file }) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return [
          {
            ecosystem: 'test',
            name: file.path,
            version: '1',
            purl: 'pkg:generic/x@1',
          },
        ];
      },
    };
    const files: TarSpec[] = Array.from({ length: 12 }, (_, i) => ({
      type: 'file',
      path: `blob-${String(i).padStart(2, '0')}.bin`,
      content: Buffer.alloc(512 * 1024, i),
    }));
    const analysis = await analyzeLayers(layersOf([files]), {
      detectors: [slow],
      limits: LIMITS,
      signal: new AbortController().signal,
      logger: silentLogger,
    });
    expect(maxInFlight).toBe(1);
    expect(analysis.packages.map((p) => p.name)).toEqual(
      files.map((f) => f.path),
    );
  });

  it('fails the scan with DETECTOR_FAILED when a file-scope detector crashes', async () => {
    const crash: PackageDetector = {
      name: 'test/crash',
      version: 1,
      scope: 'file',
      matches: () => true,
      detect: () => Promise.reject(new TypeError('boom')),
    };
    await expectScanError(
      analyzeLayers(layersOf([[{ type: 'file', path: 'a', content: 'x' }]]), {
        detectors: [crash],
        limits: LIMITS,
        signal: new AbortController().signal,
        logger: silentLogger,
      }),
      'DETECTOR_FAILED',
      { detector: 'test/crash', path: 'a', layerDigest: digestOf(1) },
    );
  });
});
