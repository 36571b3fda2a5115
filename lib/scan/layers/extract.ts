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
import { pumpLayer, sniffCompression, type LayerByteCounts, type TarSink } from './layer-stream.js';
import { limitExceeded, type ExtractLimits } from './limits.js';
import { assertSymlinkInside, joinPath, normalizeEntryPath, splitPath } from './paths.js';

/**
 * One entry of a layer. Paths are normalized and root-relative (see
 * `normalizeEntryPath`). OCI whiteouts come as `whiteout` (the path deleted
 * from lower layers) and `opaque` (the directory whose lower content is
 * hidden); they are never reported as files.
 */
export type LayerEntry =
  | { type: 'file'; file: LayerFile; content: Buffer | undefined }
  | { type: 'directory'; path: string }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'hardlink'; path: string; target: string; mode: number }
  | { type: 'whiteout'; path: string }
  | { type: 'opaque'; path: string }
  | { type: 'other'; path: string };

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
export async function extractLayer(input: Readable, options: ExtractOptions): Promise<ExtractStats> {
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
const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_WHITEOUT = '.wh..wh..opq';
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const OTHER_TYPES = new Set(['CharacterDevice', 'BlockDevice', 'FIFO']);
const DIRECTORY_TYPES = new Set(['Directory', 'GNUDumpDir']);
const LINK_TYPES = new Set(['SymbolicLink', 'Link']);

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
    if (rest !== undefined && rest.length > 0) this.feed(() => this.parser.write(rest));
    // A stream cut inside a header block is not noticed by the parser itself.
    if (this.tarBytes % TAR_BLOCK_BYTES !== 0) throw corrupt('truncated tar stream', 'TAR_TRUNCATED');
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
    this.head = this.head === undefined ? chunk : Buffer.concat([this.head, chunk]);
    return this.head.length < SNIFF_BYTES ? undefined : this.releaseHead();
  }

  private releaseHead(): Buffer {
    const head = this.head ?? Buffer.alloc(0);
    this.head = undefined;
    this.isHeadChecked = true;
    if (sniffCompression(head) !== 'none') throw corrupt('tar stream starts with compression magic', 'TAR_COMPRESSED');
    return head;
  }

  /** Runs on every header: limits, path rules, and whether to read the body. */
  private filter(entry: ReadEntry): boolean {
    if (this.failure !== undefined) return false;
    if (++this.entries > this.options.limits.maxEntries) {
      throw limitExceeded('maxEntries', this.options.limits.maxEntries);
    }
    const path = normalizeEntryPath(entry.path);
    if (path === '') return false;
    const [dir, name] = splitPath(path);
    if (name.startsWith(WHITEOUT_PREFIX)) {
      this.whiteout(dir, name);
      return false;
    }
    if (FILE_TYPES.has(entry.type)) return this.file(path, entry);
    this.options.onEntry(this.nonFileEntry(path, entry));
    return false;
  }

  private file(path: string, entry: ReadEntry): boolean {
    const file: LayerFile = { path, sizeBytes: entry.size, mode: entry.mode ?? 0 };
    if (!this.options.wants(file)) {
      this.options.onEntry({ type: 'file', file, content: undefined });
      return false;
    }
    const { maxFileBytes } = this.options.limits;
    if (file.sizeBytes > maxFileBytes) {
      throw limitExceeded('maxFileBytes', maxFileBytes, { path, sizeBytes: file.sizeBytes });
    }
    this.matched.set(entry, file);
    return true;
  }

  private nonFileEntry(path: string, entry: ReadEntry): LayerEntry {
    if (DIRECTORY_TYPES.has(entry.type)) return { type: 'directory', path };
    if (OTHER_TYPES.has(entry.type)) return { type: 'other', path };
    // The parser refuses link entries without a linkpath, so it is set here.
    const target = entry.linkpath ?? '';
    if (entry.type === 'SymbolicLink') {
      assertSymlinkInside(path, target);
      return { type: 'symlink', path, target };
    }
    return { type: 'hardlink', path, target: normalizeEntryPath(target), mode: entry.mode ?? 0 };
  }

  /** OCI image-spec layer.md "Whiteouts". */
  private whiteout(dir: string, name: string): void {
    if (name === OPAQUE_WHITEOUT) {
      this.options.onEntry({ type: 'opaque', path: dir });
      return;
    }
    // Other `.wh..wh.` names are aufs bookkeeping (`.wh..wh.plnk`), not deletions.
    if (name.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return;
    const target = name.slice(WHITEOUT_PREFIX.length);
    if (target === '' || target === '.') throw corrupt(`invalid whiteout ${name}`, 'TAR_WHITEOUT');
    this.options.onEntry({ type: 'whiteout', path: normalizeEntryPath(joinPath(dir, target)) });
  }

  private readMatched(entry: ReadEntry): void {
    const file = this.matched.get(entry);
    if (file === undefined) return;
    const chunks: Buffer[] = [];
    entry.on('data', (chunk: Buffer) => chunks.push(chunk));
    entry.on('end', () => {
      if (this.failure === undefined) {
        this.options.onEntry({ type: 'file', file, content: Buffer.concat(chunks, file.sizeBytes) });
      }
    });
  }

  /** Entries the parser skips by itself: oversized metadata and exotic types. */
  private ignored(entry: ReadEntry): void {
    if (entry.meta) {
      throw limitExceeded('maxMetaEntryBytes', MAX_META_ENTRY_BYTES, { path: entry.path });
    }
    const isKnown = FILE_TYPES.has(entry.type) || DIRECTORY_TYPES.has(entry.type) ||
      OTHER_TYPES.has(entry.type) || LINK_TYPES.has(entry.type);
    if (isKnown) return; // ours: filtered out above
    // Sparse files, tape headers…: skipping them could hide a file a runtime would unpack.
    throw new ScanError('LAYER_UNSUPPORTED', `unsupported tar entry type ${entry.type}`, {
      details: { path: entry.path, entryType: entry.type },
    });
  }
}

function corrupt(message: string, tarCode: string): ScanError {
  return new ScanError('LAYER_CORRUPT', `corrupt layer: ${message}`, { details: { tarCode } });
}

function toScanError(err: unknown): Error {
  if (err instanceof AppError) return err;
  const tarCode = (err as { code?: unknown }).code;
  return new ScanError('LAYER_CORRUPT', 'corrupt layer: invalid tar stream', {
    details: { tarCode: typeof tarCode === 'string' ? tarCode : undefined },
    cause: err,
  });
}
