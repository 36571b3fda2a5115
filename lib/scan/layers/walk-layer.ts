/**
 * Walks one layer into a {@link LayerRecord}: streams it once, keeps the
 * content of files `image`-scope detectors (and distribution
 * identification) need, and runs `file`-scope detectors on their files as
 * they stream by, keeping only what those found.
 */
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Digest } from '../../core/digest.js';
import type { MalwareScanner } from '../malware/malware-scanner.js';
import type { SecretScanner } from '../secrets/secret-scanner.js';
import { LayerInspection } from './layer-inspection.js';
import type {
  LayerFile,
  PackageDetector,
  ScanWarning,
} from '../detectors/types.js';
import { isIdentificationPath } from '../detectors/os-release/identify.js';
import { extractLayer } from './extract.js';
import type { FileDetection, LayerEntry } from './layer-entry.js';
import type { LayerRecord } from './layer-record.js';
import type { ExtractLimits } from './limits.js';
import { detectOne } from './run-detectors.js';

/** A layer to walk: its digest, media type and bytes as stored. */
export interface WalkInput {
  digest: Digest;
  mediaType: string;
  stream: Readable;
}

/** Everything a walk needs besides the layer. */
export interface WalkOptions {
  detectors: readonly PackageDetector[];
  limits: ExtractLimits;
  signal: AbortSignal;
  logger: Logger;
  /** Reads every small text file for secrets while it streams by. */
  secrets?: SecretScanner | undefined;
  /** Hashes files against known-bad lists and streams them to ClamAV. */
  malware?: MalwareScanner | undefined;
}

/** Which files a walk keeps, and for what. */
export interface FileNeeds {
  /** The content must stay in the view (image-scope detectors, os-release). */
  keepsContent(file: LayerFile): boolean;
  /** `file`-scope detectors that read this file. */
  fileDetectors(file: LayerFile): PackageDetector[];
}

/** The {@link FileNeeds} of a set of detectors. */
export function fileNeeds(detectors: readonly PackageDetector[]): FileNeeds {
  const image = detectors.filter((d) => d.scope !== 'file');
  const perFile = detectors.filter((d) => d.scope === 'file');
  return {
    keepsContent: (file) =>
      isIdentificationPath(file.path) || image.some((d) => d.matches(file)),
    fileDetectors: (file) => perFile.filter((d) => d.matches(file)),
  };
}

/**
 * Walks `layer` into a record. Throws what `extractLayer` throws, and
 * ScanError `DETECTOR_FAILED` when a file-scope detector fails unexpectedly.
 */
export async function walkLayer(
  layer: WalkInput,
  options: WalkOptions,
): Promise<LayerRecord> {
  const needs = fileNeeds(options.detectors);
  const entries: LayerEntry[] = [];
  const warnings: ScanWarning[] = [];
  const inspection = new LayerInspection(
    options,
    layer.digest,
    options.limits.maxFileBytes,
  );
  const ctx = { ...options, layerDigest: layer.digest, warnings };
  const queue = new DetectionQueue(options.limits.maxFileBytes);
  const stats = await extractLayer(layer.stream, {
    mediaType: layer.mediaType,
    limits: options.limits,
    signal: options.signal,
    ready: () => queue.ready(),
    wants: (file) => wants(file, needs, ctx) || inspection.wants(file),
    onEntry: (entry) => {
      if (entry.type === 'file') inspect(entry, { needs, inspection, queue });
      if (entry.type !== 'file' || entry.content === undefined) {
        // A file nobody reads matters only by its path (it hides lower ones).
        entries.push(
          entry.type === 'file'
            ? { type: 'other', path: entry.file.path }
            : entry,
        );
        return;
      }
      entries.push(entry);
      const detectors = needs.fileDetectors(entry.file);
      if (detectors.length > 0)
        queue.add(entry.content.length, () =>
          detectFile(entry, detectors, needs, ctx),
        );
    },
  });
  await queue.settled();
  return { entries, warnings, stats, ...inspection.record() };
}

/**
 * File-scope detection, one file at a time in archive order. The walk
 * waits (`ready`) while more than `maxPendingBytes` of files await it, so a
 * layer of big jars or binaries never has them all in memory at once.
 */
class DetectionQueue {
  private tail: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private pendingBytes = 0;

  constructor(private readonly maxPendingBytes: number) {}

  add(sizeBytes: number, run: () => Promise<void>): void {
    this.pendingBytes += sizeBytes;
    this.tail = this.tail.then(async () => {
      try {
        if (this.failure === undefined) await run();
      } catch (err: unknown) {
        this.failure ??=
          err instanceof Error
            ? err
            : new Error('file detection failed', { cause: err });
      } finally {
        this.pendingBytes -= sizeBytes;
      }
    });
  }

  ready(): Promise<void> | undefined {
    return this.pendingBytes > this.maxPendingBytes ? this.tail : undefined;
  }

  /** Resolves when every file was detected; rejects with the first failure. */
  async settled(): Promise<void> {
    await this.tail;
    if (this.failure !== undefined) throw this.failure;
  }
}

interface WalkContext extends WalkOptions {
  layerDigest: Digest;
  warnings: ScanWarning[];
}

function wants(file: LayerFile, needs: FileNeeds, ctx: WalkContext): boolean {
  // Oversized files of image-scope detectors fail the walk (extractLayer).
  if (needs.keepsContent(file)) return true;
  const detectors = needs.fileDetectors(file);
  if (detectors.length === 0) return false;
  if (file.sizeBytes <= ctx.limits.maxFileBytes) return true;
  ctx.warnings.push({
    source: detectors.map((d) => d.name).join(','),
    code: 'FILE_TOO_LARGE',
    message: 'file over maxFileBytes not read',
    path: file.path,
    layerDigest: ctx.layerDigest,
    details: {
      sizeBytes: file.sizeBytes,
      maxFileBytes: ctx.limits.maxFileBytes,
    },
  });
  return false;
}

/**
 * Inspects a file (flags; secrets and malware when read), then drops its
 * bytes when no detector needs them (the file is then only a path in the
 * record, as if never read). A malware check keeps its own reference.
 */
function inspect(
  entry: Extract<LayerEntry, { type: 'file' }>,
  ctx: { needs: FileNeeds; inspection: LayerInspection; queue: DetectionQueue },
): void {
  const { needs, inspection, queue } = ctx;
  inspection.onFile(entry.file);
  if (entry.content === undefined) return;
  const task = inspection.onContent(entry.file, entry.content);
  if (task) queue.add(entry.content.length, task);
  const isNeeded =
    needs.keepsContent(entry.file) ||
    needs.fileDetectors(entry.file).length > 0;
  if (!isNeeded) entry.content = undefined;
}

/** Runs file-scope detectors on one file; drops its bytes when nothing else needs them. */
async function detectFile(
  entry: Extract<LayerEntry, { type: 'file' }>,
  detectors: PackageDetector[],
  needs: FileNeeds,
  ctx: WalkContext,
): Promise<void> {
  const content = entry.content as Buffer;
  if (!needs.keepsContent(entry.file)) entry.content = undefined;
  const detected: FileDetection[] = [];
  for (const detector of detectors) {
    const packages = await detectOne(
      detector,
      { file: entry.file, content, layerDigest: ctx.layerDigest },
      {
        fs: NO_FILES,
        distribution: undefined,
        signal: ctx.signal,
        logger: ctx.logger,
        warn: (w) => ctx.warnings.push(w),
      },
    );
    if (packages.length > 0)
      detected.push({ detector: detector.name, packages });
  }
  // A file that yielded nothing is then only a path, like any unread file.
  if (detected.length > 0) entry.detected = detected;
}

const NO_FILES = {
  stat: () => undefined,
  readFile: () => Promise.resolve(undefined),
};
