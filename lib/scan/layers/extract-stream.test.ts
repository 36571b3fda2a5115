/**
 * extractLayer as a stream: compression, corruption, the producer's
 * digest check, abort. Tars are built here.
 */
import { Readable } from 'node:stream';
import { compress as zstdCompress } from 'zstd-napi';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../core/errors.js';
import { MediaTypes } from '../../core/media-types.js';
import { expectScanError } from '../testing.js';
import { extractLayer, type ExtractStats, type LayerEntry } from './extract.js';
import type { ExtractLimits } from './limits.js';
import {
  buildManyFilesTar,
  buildTar,
  gzip,
  streamOf,
  type StreamOfOptions,
} from './test-tar.js';

const LIMITS: ExtractLimits = {
  maxLayerBytes: 256 * 1024 ** 2,
  maxFileBytes: 1024 ** 2,
  maxEntries: 1000,
  maxSymlinkDepth: 8,
};
const TAR = buildTar([
  { type: 'dir', path: 'etc/' },
  { type: 'file', path: 'etc/os-release', content: 'ID=debian\n' },
  { type: 'symlink', path: 'bin', target: 'usr/bin' },
]);
const ENTRIES: LayerEntry[] = [
  { type: 'directory', path: 'etc' },
  {
    type: 'file',
    file: { path: 'etc/os-release', sizeBytes: 10, mode: 0o644 },
    content: Buffer.from('ID=debian\n'),
  },
  { type: 'symlink', path: 'bin', target: 'usr/bin' },
];
const OCTET_STREAM = 'application/octet-stream';
const digestMismatch = (): UpstreamError =>
  new UpstreamError('UPSTREAM_DIGEST_MISMATCH', 'digest mismatch');

interface WalkOptions extends StreamOfOptions {
  mediaType?: string;
  limits?: Partial<ExtractLimits>;
  signal?: AbortSignal;
}

async function walk(
  data: Buffer,
  options: WalkOptions = {},
): Promise<{ entries: LayerEntry[]; stats: ExtractStats }> {
  const entries: LayerEntry[] = [];
  const stats = await extractLayer(streamOf(data, options), {
    mediaType: options.mediaType ?? MediaTypes.ociLayerGzip,
    limits: { ...LIMITS, ...options.limits },
    signal: options.signal ?? new AbortController().signal,
    wants: (file) => file.path === 'etc/os-release',
    onEntry: (entry) => entries.push(entry),
  });
  return { entries, stats };
}

describe('extractLayer decompression', () => {
  it.each([
    ['gzip by media type', gzip(TAR), MediaTypes.ociLayerGzip, 1024 * 1024],
    [
      'docker gzip by media type',
      gzip(TAR),
      MediaTypes.dockerLayerGzip,
      1024 * 1024,
    ],
    ['plain tar by media type', TAR, MediaTypes.ociLayerTar, 1024 * 1024],
    ['gzip sniffed', gzip(TAR), OCTET_STREAM, 1024 * 1024],
    ['plain tar sniffed', TAR, OCTET_STREAM, 1024 * 1024],
    ['gzip in 1-byte chunks', gzip(TAR), OCTET_STREAM, 1],
    ['plain tar in 1-byte chunks', TAR, OCTET_STREAM, 1],
  ])('reads %s', async (_name, data, mediaType, chunkBytes) => {
    const { entries, stats } = await walk(data, { mediaType, chunkBytes });
    expect(entries).toEqual(ENTRIES);
    expect(stats).toEqual({
      entries: 3,
      compressedBytes: data.length,
      uncompressedBytes: TAR.length,
    });
  });

  it('reads an empty tar (the two end blocks only)', async () => {
    const empty = gzip(Buffer.alloc(1024));
    expect(await walk(empty)).toEqual({
      entries: [],
      stats: {
        entries: 0,
        compressedBytes: empty.length,
        uncompressedBytes: 1024,
      },
    });
  });

  it('accepts a tar without its end-of-archive marker that ends between entries, as Go archive/tar does', async () => {
    const { entries } = await walk(
      buildTar([{ type: 'dir', path: 'etc/' }], { eof: false }),
      { mediaType: MediaTypes.ociLayerTar },
    );
    expect(entries).toEqual([{ type: 'directory', path: 'etc' }]);
  });

  it('reads zstd layers, by media type and by magic', async () => {
    const zst = zstdCompress(TAR);
    for (const mediaType of [MediaTypes.ociLayerZstd, OCTET_STREAM]) {
      const { entries, stats } = await walk(zst, { mediaType, chunkBytes: 7 });
      expect(entries).toEqual(ENTRIES);
      expect(stats).toEqual({
        entries: 3,
        compressedBytes: zst.length,
        uncompressedBytes: TAR.length,
      });
    }
  });

  it('refuses a truncated zstd stream as LAYER_CORRUPT', async () => {
    const zst = zstdCompress(TAR);
    await expectScanError(
      walk(zst.subarray(0, zst.length - 8), {
        mediaType: MediaTypes.ociLayerZstd,
      }),
      'LAYER_CORRUPT',
    );
  });

  it('refuses garbage after the zstd magic as LAYER_CORRUPT', async () => {
    const zstdFrame = Buffer.concat([
      Buffer.from([0x28, 0xb5, 0x2f, 0xfd]),
      Buffer.alloc(100, 0xff),
    ]);
    await expectScanError(
      walk(zstdFrame, { mediaType: OCTET_STREAM }),
      'LAYER_CORRUPT',
    );
  });

  it('stops a zstd bomb at maxLayerBytes', async () => {
    // 64 MiB of zeros compress to a few KB; the limit stops it at 8 MiB.
    const bomb = zstdCompress(Buffer.alloc(64 * 1024 ** 2));
    expect(bomb.length).toBeLessThan(64 * 1024);
    await expectScanError(
      walk(bomb, {
        mediaType: MediaTypes.ociLayerZstd,
        limits: { maxLayerBytes: 8 * 1024 ** 2 },
      }),
      'EXTRACT_LIMIT_EXCEEDED',
      { limit: 'maxLayerBytes' },
    );
  });
});

describe('extractLayer rejects corrupt layers', () => {
  const gz = gzip(TAR);
  it.each<[string, Buffer, string]>([
    ['truncated gzip', gz.subarray(0, gz.length - 20), MediaTypes.ociLayerGzip],
    [
      'gzip with trailing garbage',
      Buffer.concat([gz, Buffer.from('garbage!')]),
      MediaTypes.ociLayerGzip,
    ],
    [
      'not gzip at all',
      Buffer.from('this is not a gzip stream, not at all'),
      MediaTypes.ociLayerGzip,
    ],
    ['a layer compressed twice', gzip(gz), MediaTypes.ociLayerGzip],
    ['gzip content under a plain tar media type', gz, MediaTypes.ociLayerTar],
    [
      'a tar truncated inside a body',
      gzip(
        buildTar([
          { type: 'file', path: 'f', content: Buffer.alloc(5000) },
        ]).subarray(0, 2048),
      ),
      MediaTypes.ociLayerGzip,
    ],
    [
      'a tar truncated at a block boundary inside a body',
      buildTar([
        { type: 'file', path: 'f', content: Buffer.alloc(5000) },
      ]).subarray(0, 1024),
      MediaTypes.ociLayerTar,
    ],
    [
      'a tar truncated inside a header',
      TAR.subarray(0, 512 + 300),
      MediaTypes.ociLayerTar,
    ],
    ['random bytes', Buffer.alloc(4096, 'not a tar '), MediaTypes.ociLayerTar],
    ['an empty stream', Buffer.alloc(0), MediaTypes.ociLayerTar],
    ['an empty gzip stream', Buffer.alloc(0), MediaTypes.ociLayerGzip],
  ])('%s -> LAYER_CORRUPT', async (_name, data, mediaType) => {
    await expectScanError(walk(data, { mediaType }), 'LAYER_CORRUPT');
  });
});

describe('extractLayer and the producer digest check', () => {
  it.each([
    ['gzip', gzip(TAR), MediaTypes.ociLayerGzip],
    ['plain tar', TAR, MediaTypes.ociLayerTar],
  ])(
    'maps a digest mismatch after a complete %s to LAYER_DIGEST_MISMATCH',
    async (_name, data, mediaType) => {
      const err = await expectScanError(
        walk(data, { mediaType, error: digestMismatch() }),
        'LAYER_DIGEST_MISMATCH',
      );
      expect(err.cause).toBeInstanceOf(UpstreamError);
    },
  );

  it('reads past the end-of-archive marker to the very end, so the check runs', async () => {
    const padded = Buffer.concat([
      TAR,
      Buffer.alloc(100 * 1024),
      Buffer.from('trailing bytes after the archive'),
    ]);
    const pulled = { bytes: 0 };
    await expectScanError(
      walk(padded, {
        mediaType: MediaTypes.ociLayerTar,
        error: digestMismatch(),
        pulled,
        chunkBytes: 4096,
      }),
      'LAYER_DIGEST_MISMATCH',
    );
    expect(pulled.bytes).toBe(padded.length);
    const { stats } = await walk(padded, { mediaType: MediaTypes.ociLayerTar });
    expect(stats.compressedBytes).toBe(padded.length);
  });

  it('reports a digest mismatch over a content error found earlier, after draining the input', async () => {
    const hostile = gzip(
      buildTar([
        { type: 'file', path: '../escape', content: 'x' },
        { type: 'file', path: 'pad', content: Buffer.alloc(300_000, 7) },
      ]),
    );
    const pulled = { bytes: 0 };
    await expectScanError(
      walk(hostile, { error: digestMismatch(), pulled, chunkBytes: 1024 }),
      'LAYER_DIGEST_MISMATCH',
    );
    expect(pulled.bytes).toBe(hostile.length);
    await expectScanError(
      walk(hostile, { chunkBytes: 1024 }),
      'EXTRACT_PATH_ESCAPE',
    );
  });

  it('maps other read failures to LAYER_FETCH_FAILED and keeps domain codes', async () => {
    await expectScanError(
      walk(gzip(TAR), { error: new Error('socket hang up') }),
      'LAYER_FETCH_FAILED',
    );
    await expect(
      walk(gzip(TAR), {
        error: new UpstreamError('UPSTREAM_TOO_LARGE', 'too large'),
      }),
    ).rejects.toMatchObject({
      name: 'UpstreamError',
      code: 'UPSTREAM_TOO_LARGE',
    });
  });
});

describe('extractLayer abort', () => {
  it('rejects with the reason when the signal is already aborted', async () => {
    const reason = new Error('job cancelled');
    await expect(
      walk(gzip(TAR), { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
  });

  it('stops a walk in progress', async () => {
    const controller = new AbortController();
    const tar = buildManyFilesTar(1000);
    function* chunks(): Generator<Buffer> {
      yield tar.subarray(0, 512 * 100);
      controller.abort();
      yield tar.subarray(512 * 100);
    }
    const entries: LayerEntry[] = [];
    const run = extractLayer(Readable.from(chunks(), { objectMode: false }), {
      mediaType: MediaTypes.ociLayerTar,
      limits: LIMITS,
      signal: controller.signal,
      wants: () => false,
      onEntry: (entry) => entries.push(entry),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(entries.length).toBeLessThan(1000);
  });
});
