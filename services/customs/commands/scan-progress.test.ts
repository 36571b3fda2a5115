import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import type { Digest } from '../../../lib/core/digest.js';
import type { ImageSource } from '../../../lib/scan/pipeline.js';
import { progressLine, withLayerProgress } from './scan-progress.js';

const DIGEST = `sha256:${'ab'.repeat(32)}` as Digest;

function sourceOf(chunks: string[], fail?: Error): ImageSource {
  return {
    getManifest: () => Promise.reject(new Error('not used')),
    getBlob: () =>
      Promise.resolve({
        size: chunks.join('').length,
        stream: Readable.from(
          (function* () {
            yield* chunks.map((c) => Buffer.from(c));
            if (fail) throw fail;
          })(),
        ),
      }),
  };
}

describe('withLayerProgress', () => {
  it('passes the bytes through and draws progress, then clears the line', async () => {
    const lines: string[] = [];
    let t = 0;
    const source = withLayerProgress(
      sourceOf(['a'.repeat(1024 * 1024), 'b'.repeat(1024 * 1024)]),
      (l) => lines.push(l),
      () => (t += 200),
    );
    const blob = await source.getBlob('r', DIGEST);
    expect((await text(blob.stream)).length).toBe(2 * 1024 * 1024);
    expect(lines).toEqual([
      'layer 1 · abababababab · 1.0 / 2.0 MiB',
      'layer 1 · abababababab · 2.0 / 2.0 MiB',
      '',
    ]);
  });

  it('passes the source error on (a digest mismatch at the end)', async () => {
    const source = withLayerProgress(
      sourceOf(['x'], new Error('UPSTREAM_DIGEST_MISMATCH')),
      () => undefined,
    );
    const blob = await source.getBlob('r', DIGEST);
    await expect(text(blob.stream)).rejects.toThrow('UPSTREAM_DIGEST_MISMATCH');
  });

  it('numbers layers and shows reads of unknown size', () => {
    expect(progressLine(3, DIGEST, 5 * 1024 * 1024, undefined)).toBe(
      'layer 3 · abababababab · 5.0 MiB',
    );
  });
});
