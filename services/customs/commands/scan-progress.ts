import { Transform } from 'node:stream';
import type { ImageSource } from '../../../lib/scan/pipeline.js';

const MIB = 1024 * 1024;
const REDRAW_MS = 100;

/**
 * `source` whose layer reads report progress: `draw(line)` gets
 * `layer N · sha256:abcdef… · 12.3 / 45.6 MiB` at most every 100 ms while
 * bytes flow, and `''` when a layer ends. Bytes, errors (a digest mismatch
 * at the end) and destruction pass through unchanged.
 */
export function withLayerProgress(
  source: ImageSource,
  draw: (line: string) => void,
  now: () => number = Date.now,
): ImageSource {
  let layers = 0;
  return {
    getManifest: (...args) => source.getManifest(...args),
    async getBlob(repository, digest, options) {
      const blob = await source.getBlob(repository, digest, options);
      const layer = ++layers;
      let read = 0;
      let drawnAt = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          read += chunk.length;
          if (now() - drawnAt >= REDRAW_MS) {
            drawnAt = now();
            draw(progressLine(layer, digest, read, blob.size));
          }
          done(null, chunk);
        },
        flush(done) {
          draw('');
          done();
        },
      });
      blob.stream.on('error', (err) => counter.destroy(err));
      counter.on('close', () => blob.stream.destroy());
      blob.stream.pipe(counter);
      return { ...blob, stream: counter };
    },
  };
}

/** One progress line: layer number, short digest, MiB read of the size. */
export function progressLine(
  layer: number,
  digest: string,
  read: number,
  size: number | undefined,
): string {
  const short = digest.replace(/^sha256:/, '').slice(0, 12);
  const total = size === undefined ? '' : ` / ${(size / MIB).toFixed(1)}`;
  return `layer ${layer} · ${short} · ${(read / MIB).toFixed(1)}${total} MiB`;
}

/** A `draw` for a terminal: rewrites the current stderr line. */
export function terminalLine(line: string): void {
  process.stderr.write(`\r\x1b[K${line}`);
}
