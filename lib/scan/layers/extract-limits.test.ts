/**
 * extractLayer on big inputs: a gzip bomb, a 100k-entry tar, a failure
 * while zlib is busy; all built here.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MediaTypes } from '../../core/media-types.js';
import { expectScanError } from '../testing.js';
import { extractLayer, type ExtractStats } from './extract.js';
import type { ExtractLimits } from './limits.js';
import {
  buildManyFilesTar,
  buildTar,
  gzip,
  gzipBomb,
  streamOf,
  type StreamOfOptions,
} from './test-tar.js';

const LIMITS: ExtractLimits = {
  maxLayerBytes: 256 * 1024 ** 2,
  maxFileBytes: 1024 ** 2,
  maxEntries: 1000,
  maxSymlinkDepth: 8,
};

interface WalkOptions extends StreamOfOptions {
  mediaType?: string;
  limits?: Partial<ExtractLimits>;
}

function walk(data: Buffer, options: WalkOptions = {}): Promise<ExtractStats> {
  return extractLayer(streamOf(data, options), {
    mediaType: options.mediaType ?? MediaTypes.ociLayerGzip,
    limits: { ...LIMITS, ...options.limits },
    signal: new AbortController().signal,
    wants: () => false,
    onEntry: () => undefined,
  });
}

describe('extractLayer limits', () => {
  it('stops a gzip bomb (1 GiB of zeros in about 1 MB) at maxLayerBytes, quickly', async () => {
    const bomb = gzipBomb();
    expect(bomb.length).toBeLessThan(2 * 1024 ** 2);
    const started = performance.now();
    await expectScanError(
      walk(bomb, { limits: { maxLayerBytes: 16 * 1024 ** 2 } }),
      'EXTRACT_LIMIT_EXCEEDED',
      {
        limit: 'maxLayerBytes',
        value: 16 * 1024 ** 2,
      },
    );
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('walks 100k entries when maxEntries allows them, and refuses one more', async () => {
    const tar = buildManyFilesTar(100_000);
    const stats = await walk(tar, {
      mediaType: MediaTypes.ociLayerTar,
      limits: { maxEntries: 100_000 },
      chunkBytes: 1024 ** 2,
    });
    expect(stats.entries).toBe(100_000);
    await expectScanError(
      walk(tar, {
        mediaType: MediaTypes.ociLayerTar,
        limits: { maxEntries: 99_999 },
        chunkBytes: 1024 ** 2,
      }),
      'EXTRACT_LIMIT_EXCEEDED',
      { limit: 'maxEntries', value: 99_999 },
    );
  });

  it('fails, not hangs, on a hostile entry found while the writer waits for zlib', async () => {
    // Incompressible bodies keep zlib busy, so each 256 KiB write waits for 'drain'.
    const noise = randomBytes(2 * 1024 ** 2);
    const tar = buildTar([
      { type: 'file', path: 'a', content: noise },
      { type: 'file', path: '../escape', content: 'x' },
      { type: 'file', path: 'b', content: noise },
    ]);
    await expectScanError(
      walk(gzip(tar), {
        chunkBytes: 256 * 1024,
        limits: { maxLayerBytes: 16 * 1024 ** 2 },
      }),
      'EXTRACT_PATH_ESCAPE',
    );
  });
});
