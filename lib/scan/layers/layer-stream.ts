/**
 * The byte side of a layer walk: reads the layer as stored in the registry,
 * decompresses it, counts it, and hands the tar bytes to a sink.
 */
import { addAbortSignal, type Readable } from 'node:stream';
import { AppError, hasCode, ScanError } from '../../core/errors.js';
import {
  layerCompression,
  type LayerCompression,
} from '../../core/media-types.js';
import { createDecompressor, type Decompressor } from './decompress.js';
import { limitExceeded } from './limits.js';

/** Receives the uncompressed tar bytes, synchronously; may throw to stop. */
export interface TarSink {
  write(chunk: Buffer): void;
  /** The tar stream is complete (the input ended without error). */
  end(): void;
  /**
   * Backpressure: a promise to wait for before reading more input (work
   * the sink started is behind), or undefined to go on.
   */
  ready?(): Promise<void> | undefined;
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
 *   {@link layerReadError} maps them, `LAYER_CORRUPT` (bad gzip or zstd), `EXTRACT_LIMIT_EXCEEDED` (`maxLayerBytes`), whatever `sink`
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
  const decoder = new Decoder(layerCompression(options.mediaType), toTar);
  let contentError: unknown;
  try {
    for await (const chunk of addAbortSignal(
      options.signal,
      input,
    ) as AsyncIterable<unknown>) {
      const bytes = toBuffer(chunk);
      counts.compressedBytes += bytes.length;
      if (contentError === undefined) contentError = await decoder.write(bytes);
      const behind = contentError === undefined ? sink.ready?.() : undefined;
      if (behind !== undefined) await behind;
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

/** Sniffs (when needed) and decompresses; returns errors instead of throwing. */
class Decoder {
  private head: Buffer | undefined;
  private decompressor: Decompressor | undefined;
  private failure: unknown;

  constructor(
    private compression: LayerCompression | undefined,
    private readonly out: (chunk: Buffer) => void,
  ) {}

  async write(chunk: Buffer): Promise<unknown> {
    try {
      const data = this.sniff(chunk);
      if (data !== undefined) await this.decompressor?.write(data);
    } catch (err: unknown) {
      this.fail(err);
    }
    return this.failure;
  }

  async end(): Promise<unknown> {
    try {
      const rest =
        this.decompressor === undefined
          ? this.sniff(Buffer.alloc(0), true)
          : undefined;
      if (rest !== undefined && rest.length > 0)
        await this.decompressor?.write(rest);
      await this.decompressor?.end();
    } catch (err: unknown) {
      this.fail(err);
    }
    return this.failure;
  }

  destroy(): void {
    this.decompressor?.destroy();
  }

  /** Holds bytes until the compression is known; then returns what to forward. */
  private sniff(chunk: Buffer, isLast = false): Buffer | undefined {
    if (this.decompressor !== undefined) return chunk;
    if (this.compression === undefined) {
      this.head =
        this.head === undefined ? chunk : Buffer.concat([this.head, chunk]);
      if (this.head.length < SNIFF_BYTES && !isLast) return undefined;
      this.compression = sniffCompression(this.head);
      chunk = this.head;
      this.head = undefined;
    }
    this.decompressor = createDecompressor(this.compression, this.out);
    return chunk;
  }

  private fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    this.decompressor?.destroy();
  }
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
