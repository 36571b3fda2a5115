/**
 * The byte side of a layer walk: reads the layer as stored in the registry,
 * decompresses it, counts it, and hands the tar bytes to a sink.
 */
import { addAbortSignal, type Readable, type Writable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { AppError, hasCode, ScanError } from '../../core/errors.js';
import {
  layerCompression,
  type LayerCompression,
} from '../../core/media-types.js';
import { limitExceeded } from './limits.js';

/** Receives the uncompressed tar bytes, synchronously; may throw to stop. */
export interface TarSink {
  write(chunk: Buffer): void;
  /** The tar stream is complete (the input ended without error). */
  end(): void;
}

/** Options of {@link pumpLayer}. */
export interface PumpOptions {
  mediaType: string;
  maxLayerBytes: number;
  signal: AbortSignal;
}

/** Bytes read from the registry and bytes of tar they held. */
export interface LayerByteCounts {
  compressedBytes: number;
  uncompressedBytes: number;
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const SNIFF_BYTES = ZSTD_MAGIC.length;
// Bigger inflate output chunks: fewer events and tar-parser calls per layer.
const GUNZIP_CHUNK_BYTES = 256 * 1024;

/**
 * Reads `input` to its very end and feeds its tar bytes to `sink`. The
 * compression comes from the media type (`layerCompression`), or from the
 * magic bytes when the media type does not say.
 *
 * The input is always read to its end, even after the tar end-of-archive
 * marker and even after a content error (then without decompressing), because
 * its producer verifies the digest only at the end: a digest mismatch wins
 * over any content error, since the content is then not the layer at all.
 * The producer bounds the compressed size. This function owns `input`: it
 * consumes or destroys it.
 *
 * @throws ScanError `LAYER_DIGEST_MISMATCH` (the input failed with
 *   UpstreamError `UPSTREAM_DIGEST_MISMATCH`), other input errors as
 *   {@link layerReadError} maps them, `LAYER_UNSUPPORTED` (zstd), `LAYER_CORRUPT` (bad
 *   gzip), `EXTRACT_LIMIT_EXCEEDED` (`maxLayerBytes`), whatever `sink`
 *   throws, and the signal's reason when aborted.
 */
export async function pumpLayer(
  input: Readable,
  sink: TarSink,
  options: PumpOptions,
): Promise<LayerByteCounts> {
  const counts: LayerByteCounts = { compressedBytes: 0, uncompressedBytes: 0 };
  const toTar = (chunk: Buffer): void => {
    counts.uncompressedBytes += chunk.length;
    if (counts.uncompressedBytes > options.maxLayerBytes) {
      throw limitExceeded('maxLayerBytes', options.maxLayerBytes);
    }
    sink.write(chunk);
  };
  const compression = layerCompression(options.mediaType);
  if (compression === 'zstd') {
    // Known from the media type: no need to download the layer to refuse it.
    input.destroy();
    throw zstdUnsupported();
  }
  const decoder = new Decoder(compression, toTar);
  let contentError: unknown;
  try {
    for await (const chunk of addAbortSignal(
      options.signal,
      input,
    ) as AsyncIterable<unknown>) {
      const bytes = toBuffer(chunk);
      counts.compressedBytes += bytes.length;
      if (contentError === undefined) contentError = await decoder.write(bytes);
    }
  } catch (err: unknown) {
    decoder.destroy();
    throw layerReadError(err, options.signal);
  }
  contentError ??= await decoder.end();
  if (contentError !== undefined) throw asContentError(contentError);
  sink.end();
  return counts;
}

/** Decompresses (or passes through) and forwards to `out`; returns errors instead of throwing. */
class Decoder {
  private compression: LayerCompression | undefined;
  private head: Buffer | undefined;
  private gunzip: Gunzip | undefined;
  /** The loop reading `gunzip`; settles when all of it was handed on. */
  private consumer: Promise<void> | undefined;
  private failure: unknown;

  constructor(
    compression: LayerCompression | undefined,
    private readonly out: (chunk: Buffer) => void,
  ) {
    this.compression = compression;
  }

  async write(chunk: Buffer): Promise<unknown> {
    try {
      const data = this.sniff(chunk);
      if (data !== undefined) await this.forward(data);
    } catch (err: unknown) {
      this.fail(err);
    }
    return this.failure;
  }

  async end(): Promise<unknown> {
    try {
      const rest =
        this.compression === undefined
          ? this.sniff(Buffer.alloc(0), true)
          : undefined;
      if (rest !== undefined && rest.length > 0) await this.forward(rest);
      if (this.gunzip !== undefined && this.failure === undefined) {
        this.gunzip.end();
        await this.consumer;
      }
    } catch (err: unknown) {
      this.fail(err);
    }
    return this.failure;
  }

  destroy(): void {
    this.gunzip?.destroy();
  }

  /** Holds bytes until the compression is known; then returns what to forward. */
  private sniff(chunk: Buffer, isLast = false): Buffer | undefined {
    if (this.compression === undefined) {
      this.head =
        this.head === undefined ? chunk : Buffer.concat([this.head, chunk]);
      if (this.head.length < SNIFF_BYTES && !isLast) return undefined;
      this.compression = sniffCompression(this.head);
      chunk = this.head;
      this.head = undefined;
    }
    if (this.compression === 'zstd') throw zstdUnsupported();
    if (this.compression === 'gzip' && this.gunzip === undefined)
      this.gunzip = this.startGunzip();
    return chunk;
  }

  private async forward(chunk: Buffer): Promise<void> {
    if (this.gunzip === undefined) {
      this.out(chunk);
      return;
    }
    // A failure while waiting rejects or is left in `this.failure`; callers read both.
    if (!this.gunzip.write(chunk)) await drained(this.gunzip);
  }

  private startGunzip(): Gunzip {
    const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
    gunzip.on('error', (err: Error) => this.fail(err));
    this.consumer = this.consume(gunzip);
    return gunzip;
  }

  /**
   * Reads the inflated bytes in a loop of its own rather than in 'data'
   * handlers: zlib then inflates the next chunk on the thread pool while this
   * thread parses tar (measured: 407 → 342 ms median on a 51 MB layer).
   * Never rejects.
   */
  private async consume(gunzip: Gunzip): Promise<void> {
    try {
      for await (const data of gunzip as AsyncIterable<Buffer>) {
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
    this.gunzip?.destroy(err instanceof Error ? err : new Error(String(err)));
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

// zstd comes with a later issue: node:zlib has no zstd decoder on Node 20.
function zstdUnsupported(): ScanError {
  return new ScanError(
    'LAYER_UNSUPPORTED',
    'unsupported layer compression: zstd',
    {
      details: { compression: 'zstd' },
    },
  );
}

/** Layer streams carry bytes; a string chunk means someone set an encoding. */
function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array)
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('layer stream must yield bytes, not strings');
}

/** Compression named by the first bytes (gzip or zstd magic), else `none`. */
export function sniffCompression(head: Buffer): LayerCompression {
  if (head.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC)) return 'gzip';
  if (head.subarray(0, ZSTD_MAGIC.length).equals(ZSTD_MAGIC)) return 'zstd';
  return 'none';
}

/** Content errors are ours (AppError) or the decompressor's (corrupt data). */
function asContentError(err: unknown): Error {
  if (err instanceof AppError) return err;
  return new ScanError(
    'LAYER_CORRUPT',
    'corrupt layer: invalid compressed data',
    { cause: err },
  );
}

/**
 * Maps a failure to read a layer (its `open()` or its stream): the producer's
 * digest mismatch becomes `LAYER_DIGEST_MISMATCH`; other domain errors keep
 * their code (the pipeline tells final `UPSTREAM_NOT_FOUND` from transient
 * ones); anything else (a reset socket) is `LAYER_FETCH_FAILED`.
 */
export function layerReadError(err: unknown, signal: AbortSignal): Error {
  if (signal.aborted) return abortReason(signal);
  if (hasCode(err, 'UPSTREAM_DIGEST_MISMATCH')) {
    return new ScanError(
      'LAYER_DIGEST_MISMATCH',
      'layer content does not match its digest',
      { cause: err },
    );
  }
  if (err instanceof AppError) return err;
  return new ScanError('LAYER_FETCH_FAILED', 'failed to read layer', {
    cause: err,
  });
}

/** The abort reason as an Error (AbortSignal.abort() gives a DOMException, which is one). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('the operation was aborted', { cause: reason });
  err.name = 'AbortError';
  return err;
}
