/**
 * Walks ONE layer as a stream (STYLE.md §3, "Extraction limits"): the bytes
 * as stored in the registry go in, entries come out, in archive order. It
 * never buffers the layer and never writes to disk; only the bodies of files
 * the caller wants are kept, each at most `maxFileBytes`. The only importer
 * of `tar` (ESLint enforces it).
 */
import type { Readable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import { AppError, ScanError } from '../../core/errors.js';
import type { LayerFile } from '../detectors/types.js';
import {
  pumpLayer,
  sniffCompression,
  type LayerByteCounts,
  type TarSink,
} from './layer-stream.js';
import { limitExceeded, type ExtractLimits } from './limits.js';
import {
  AUFS_META_PREFIX,
  corruptLayer,
  isFileType,
  isSupportedType,
  nonFileEntry,
  WHITEOUT_PREFIX,
  whiteoutEntry,
  type LayerEntry,
} from './layer-entry.js';
import { normalizeEntryPath, splitPath } from './paths.js';

export type { LayerEntry } from './layer-entry.js';

/** Options of {@link extractLayer}. */
export interface ExtractOptions {
  /** The layer descriptor's media type; says the compression (or we sniff it). */
  mediaType: string;
  limits: ExtractLimits;
  signal: AbortSignal;
  /** Per regular file, synchronous and cheap: is its content needed? */
  wants(file: LayerFile): boolean;
  /**
   * Gets every entry synchronously, in archive order; `file` entries carry
   * `content` exactly when `wants` said so. May throw to stop the walk.
   */
  onEntry(entry: LayerEntry): void;
  /** Backpressure from the caller (see TarSink.ready). */
  ready?: (() => Promise<void> | undefined) | undefined;
}

/** What one walk saw. */
export interface ExtractStats extends LayerByteCounts {
  entries: number;
}

/**
 * Walks one layer. Takes ownership of `input` (consumes or destroys it) and
 * reads it to its very end, so that the producer's digest check runs.
 *
 * @throws ScanError `EXTRACT_PATH_ESCAPE` (absolute path, `..` segment,
 *   escaping symlink or hardlink), `EXTRACT_LIMIT_EXCEEDED` (details.limit
 *   names `maxLayerBytes`, `maxEntries`, `maxFileBytes` or
 *   `maxMetaEntryBytes`), `LAYER_CORRUPT` (bad gzip or tar, truncation),
 *   `LAYER_UNSUPPORTED` (zstd, exotic tar entry types),
 *   `LAYER_DIGEST_MISMATCH`, `LAYER_FETCH_FAILED`, whatever `onEntry`
 *   throws, and the signal's reason when aborted.
 */
export async function extractLayer(
  input: Readable,
  options: ExtractOptions,
): Promise<ExtractStats> {
  const walker = new TarWalker(options);
  const counts = await pumpLayer(input, walker, {
    mediaType: options.mediaType,
    maxLayerBytes: options.limits.maxLayerBytes,
    signal: options.signal,
  });
  return { entries: walker.entries, ...counts };
}

const TAR_BLOCK_BYTES = 512;
/** pax and GNU long-name headers are metadata; real ones are tiny. */
const MAX_META_ENTRY_BYTES = 1024 * 1024;
const SNIFF_BYTES = 4;

/** Drives tar's streaming Parser synchronously; a TarSink for pumpLayer. */
class TarWalker implements TarSink {
  entries = 0;
  private readonly parser: Parser;
  private readonly matched = new WeakMap<ReadEntry, LayerFile>();
  private failure: unknown;
  private isEof = false;
  private head: Buffer | undefined;
  private isHeadChecked = false;
  private tarBytes = 0;

  constructor(private readonly options: ExtractOptions) {
    this.parser = new Parser({
      // Strict: every tar warning (bad checksum, truncation) is an error.
      strict: true,
      maxMetaEntrySize: MAX_META_ENTRY_BYTES,
      brotli: false,
      zstd: false,
      filter: (_path, entry) => this.filter(entry as ReadEntry),
      onReadEntry: (entry) => this.readMatched(entry),
    });
    this.parser.on('error', (err: unknown) => this.fail(err));
    this.parser.on('eof', () => {
      this.isEof = true;
    });
    this.parser.on('ignoredEntry', (entry: ReadEntry) => this.ignored(entry));
  }

  ready(): Promise<void> | undefined {
    return this.options.ready?.();
  }

  write(chunk: Buffer): void {
    // After the end-of-archive marker the rest (padding) is counted upstream, not parsed.
    if (this.isEof) return;
    this.tarBytes += chunk.length;
    const data = this.checkHead(chunk);
    if (data !== undefined) this.feed(() => this.parser.write(data));
  }

  end(): void {
    if (this.isEof) return;
    const rest = this.isHeadChecked ? undefined : this.releaseHead();
    if (rest !== undefined && rest.length > 0)
      this.feed(() => this.parser.write(rest));
    // A stream cut inside a header block is not noticed by the parser itself.
    if (this.tarBytes % TAR_BLOCK_BYTES !== 0)
      throw corruptLayer('truncated tar stream', 'TAR_TRUNCATED');
    this.feed(() => this.parser.end());
  }

  private feed(step: () => unknown): void {
    try {
      step();
    } catch (err: unknown) {
      this.fail(err);
    }
    if (this.failure !== undefined) throw toScanError(this.failure);
  }

  private fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    // Stop parsing the rest of the chunk; the parser's own error is ignored above.
    this.parser.abort(new Error('layer walk stopped'));
  }

  /** tar's Parser unpacks gzip by itself when it sees the magic; a layer is compressed once. */
  private checkHead(chunk: Buffer): Buffer | undefined {
    if (this.isHeadChecked) return chunk;
    this.head =
      this.head === undefined ? chunk : Buffer.concat([this.head, chunk]);
    return this.head.length < SNIFF_BYTES ? undefined : this.releaseHead();
  }

  private releaseHead(): Buffer {
    const head = this.head ?? Buffer.alloc(0);
    this.head = undefined;
    this.isHeadChecked = true;
    if (sniffCompression(head) !== 'none')
      throw corruptLayer(
        'tar stream starts with compression magic',
        'TAR_COMPRESSED',
      );
    return head;
  }

  /** Runs on every header: limits, path rules, and whether to read the body. */
  private filter(entry: ReadEntry): boolean {
    if (this.failure !== undefined) return false;
    if (++this.entries > this.options.limits.maxEntries) {
      throw limitExceeded('maxEntries', this.options.limits.maxEntries);
    }
    const path = normalizeEntryPath(entry.path);
    // The root itself, and aufs bookkeeping (`.wh..wh.plnk/…`, docker skips it too).
    if (path === '' || path.startsWith(AUFS_META_PREFIX)) return false;
    const [dir, name] = splitPath(path);
    if (name.startsWith(WHITEOUT_PREFIX)) {
      const whiteout = whiteoutEntry(dir, name);
      if (whiteout !== undefined) this.options.onEntry(whiteout);
      return false;
    }
    if (isFileType(entry.type)) return this.file(path, entry);
    this.options.onEntry(nonFileEntry(path, entry));
    return false;
  }

  private file(path: string, entry: ReadEntry): boolean {
    const file: LayerFile = {
      path,
      sizeBytes: entry.size,
      mode: entry.mode ?? 0,
    };
    if (!this.options.wants(file)) {
      this.options.onEntry({ type: 'file', file, content: undefined });
      return false;
    }
    const { maxFileBytes } = this.options.limits;
    if (file.sizeBytes > maxFileBytes) {
      throw limitExceeded('maxFileBytes', maxFileBytes, {
        path,
        sizeBytes: file.sizeBytes,
      });
    }
    this.matched.set(entry, file);
    return true;
  }

  private readMatched(entry: ReadEntry): void {
    const file = this.matched.get(entry);
    if (file === undefined) return;
    // One buffer of the declared size, filled as chunks arrive: a big
    // executable costs its size once, not twice (chunks plus a concat).
    const content = Buffer.allocUnsafe(file.sizeBytes);
    let filled = 0;
    entry.on('data', (chunk: Buffer) => {
      filled += chunk.copy(content, filled);
    });
    entry.on('end', () => {
      if (this.failure === undefined) {
        this.options.onEntry({
          type: 'file',
          file,
          content:
            filled === content.length ? content : content.subarray(0, filled),
        });
      }
    });
  }

  /** Entries the parser skips by itself: oversized metadata and exotic types. */
  private ignored(entry: ReadEntry): void {
    if (entry.meta) {
      throw limitExceeded('maxMetaEntryBytes', MAX_META_ENTRY_BYTES, {
        path: entry.path,
      });
    }
    if (isSupportedType(entry.type)) return; // ours: filtered out above
    // Sparse files, tape headers…: skipping them could hide a file a runtime would unpack.
    throw new ScanError(
      'LAYER_UNSUPPORTED',
      `unsupported tar entry type ${entry.type}`,
      {
        details: { path: entry.path, entryType: entry.type },
      },
    );
  }
}

function toScanError(err: unknown): Error {
  if (err instanceof AppError) return err;
  const tarCode = (err as { code?: unknown }).code;
  return new ScanError('LAYER_CORRUPT', 'corrupt layer: invalid tar stream', {
    details: { tarCode: typeof tarCode === 'string' ? tarCode : undefined },
    cause: err,
  });
}
