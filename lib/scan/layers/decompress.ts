/**
 * Decompressors of layer bytes: gzip (node:zlib, inflating on the thread
 * pool) and zstd (zstd-napi's native binding, driven synchronously so that
 * every output chunk is handed on, and counted, before the next is made).
 * Node 20's zlib has no zstd.
 */
import { createGunzip, type Gunzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import zstd from 'zstd-napi/binding.js';
import type { LayerCompression } from '../../core/media-types.js';
import { corruptLayer } from './layer-entry.js';

/** Takes compressed bytes, hands uncompressed ones to its output function. */
export interface Decompressor {
  /** Feeds one chunk; settles when it may be given the next. */
  write(chunk: Buffer): Promise<void>;
  /** The input is complete; settles once every output chunk was handed on. */
  end(): Promise<void>;
  /** Frees resources after a failure. */
  destroy(): void;
}

// Bigger inflate output chunks: fewer events and tar-parser calls per layer.
const GUNZIP_CHUNK_BYTES = 256 * 1024;
const ZSTD_CHUNK_BYTES = 256 * 1024;

/**
 * A decompressor of `compression` writing to `out` (`none` passes bytes
 * through). Errors of `out` and of the data reject `write`/`end`.
 */
export function createDecompressor(
  compression: LayerCompression,
  out: (chunk: Buffer) => void,
): Decompressor {
  switch (compression) {
    case 'gzip':
      return new GzipDecompressor(out);
    case 'zstd':
      return new ZstdDecompressor(out);
    case 'none':
      return {
        write: (chunk) => Promise.resolve(out(chunk)),
        end: () => Promise.resolve(),
        destroy: () => undefined,
      };
  }
}

/**
 * zstd through the native streaming API, one bounded output buffer at a
 * time: a zstd bomb can never make more than one chunk exist before `out`
 * counts it (the library's Transform would push all of an input chunk's
 * output at once). The window is capped by zstd's default limit (2^27).
 */
class ZstdDecompressor implements Decompressor {
  private readonly dctx = new zstd.DCtx();
  private isInFrame = false;

  constructor(private readonly out: (chunk: Buffer) => void) {}

  // eslint-disable-next-line @typescript-eslint/require-await -- async: a throw of the binding (corrupt data) becomes a rejection
  async write(chunk: Buffer): Promise<void> {
    let src: Buffer = chunk;
    for (;;) {
      const dst = Buffer.allocUnsafe(ZSTD_CHUNK_BYTES);
      const [remaining, produced, consumed] = this.dctx.decompressStream(
        dst,
        src,
      );
      if (produced > 0) this.out(dst.subarray(0, produced));
      src = src.subarray(consumed);
      // Done with this input once it is consumed and nothing is left to flush.
      if (src.length === 0 && (produced < dst.length || remaining === 0)) {
        this.isInFrame = remaining !== 0;
        return;
      }
    }
  }

  end(): Promise<void> {
    if (this.isInFrame)
      return Promise.reject(
        corruptLayer('zstd stream ends inside a frame', 'ZSTD_TRUNCATED'),
      );
    return Promise.resolve();
  }

  destroy(): void {
    // The context is freed by the garbage collector; nothing is pending.
  }
}

/** gzip on zlib's thread pool, its output read in a loop of its own. */
class GzipDecompressor implements Decompressor {
  private readonly gunzip: Gunzip;
  /** The loop reading `gunzip`; settles when all of it was handed on. */
  private readonly consumer: Promise<void>;
  private failure: unknown;

  constructor(private readonly out: (chunk: Buffer) => void) {
    this.gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
    this.gunzip.on('error', (err: Error) => this.fail(err));
    this.consumer = this.consume();
  }

  async write(chunk: Buffer): Promise<void> {
    this.throwIfFailed();
    if (!this.gunzip.write(chunk)) await drained(this.gunzip);
    this.throwIfFailed();
  }

  async end(): Promise<void> {
    this.throwIfFailed();
    this.gunzip.end();
    await this.consumer;
    this.throwIfFailed();
  }

  destroy(): void {
    this.gunzip.destroy();
  }

  /**
   * Reads the inflated bytes in a loop of its own rather than in 'data'
   * handlers: zlib then inflates the next chunk on the thread pool while this
   * thread parses tar (measured: 407 → 342 ms median on a 51 MB layer).
   * Never rejects.
   */
  private async consume(): Promise<void> {
    try {
      for await (const data of this.gunzip as AsyncIterable<Buffer>) {
        // Not thrown through the loop: leaving it would destroy the stream
        // without an error first, and a writer waiting for 'drain' must wake.
        if (!this.tryOut(data)) break;
      }
    } catch (err: unknown) {
      this.fail(err);
    }
  }

  private tryOut(data: Buffer): boolean {
    try {
      this.out(data);
      return true;
    } catch (err: unknown) {
      this.fail(err);
      return false;
    }
  }

  private fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    this.gunzip.destroy(err instanceof Error ? err : new Error(String(err)));
  }

  private throwIfFailed(): void {
    if (this.failure === undefined) return;
    throw this.failure instanceof Error
      ? this.failure
      : new Error('decompression failed', { cause: this.failure });
  }
}

/**
 * Settles when `stream` can take more: on 'drain', or on 'close' (a destroyed
 * stream never drains); rejects on 'error'. Removes its listeners.
 */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: Error): void => {
      stream.off('drain', onReady).off('close', onReady).off('error', settle);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onReady = (): void => settle();
    stream.on('drain', onReady).on('close', onReady).on('error', settle);
  });
}
