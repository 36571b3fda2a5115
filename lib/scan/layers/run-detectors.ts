/**
 * The detect stage: package detectors over the files of the final merged view.
 */
import type { Logger } from 'pino';
import { ScanError } from '../../core/errors.js';
import type { Distribution, ImagePackage } from '../../core/package.js';
import type {
  DetectedPackage,
  LayerFS,
  PackageDetector,
  ScanWarning,
} from '../detectors/types.js';
import { abortReason } from './layer-stream.js';
import type { ViewFile } from './merged-view.js';

/** Everything the detect stage needs. */
export interface DetectContext {
  detectors: readonly PackageDetector[];
  fs: LayerFS;
  distribution: Distribution | undefined;
  signal: AbortSignal;
  logger: Logger;
  /** Records (and logs) one warning. */
  warn(warning: ScanWarning): void;
}

/**
 * Collects the packages of the final view, file by file in path order: the
 * results `file`-scope detectors left in the view during the walk, and
 * those of every `image`-scope detector whose `matches` accepts a file with
 * content. Each package is stamped with its detector, path and layer
 * digest; identical packages at the same path are reported once, and each
 * detector's `reconcile` then sees all of its own. The result is grouped by
 * detector, in the order of `ctx.detectors`.
 *
 * @throws ScanError `DETECTOR_FAILED` when a detector throws anything but a
 *   ScanError (which passes unchanged), and the signal's reason when aborted.
 */
export async function runDetectors(
  files: readonly ViewFile[],
  ctx: DetectContext,
): Promise<ImagePackage[]> {
  const found = new Map<string, ImagePackage[]>(
    ctx.detectors.map((d) => [d.name, []]),
  );
  const seen = new Set<string>();
  const add = (pkg: DetectedPackage, detector: string, file: ViewFile) => {
    const stamped = stamp(pkg, detector, file);
    const key = identityOf(stamped);
    if (seen.has(key)) return;
    seen.add(key);
    found.get(detector)?.push(stamped);
  };
  for (const viewFile of files) {
    for (const result of viewFile.detected ?? [])
      for (const pkg of result.packages) add(pkg, result.detector, viewFile);
    if (viewFile.content === undefined) continue;
    for (const detector of ctx.detectors) {
      if (detector.scope === 'file' || !detector.matches(viewFile.file))
        continue;
      if (ctx.signal.aborted) throw abortReason(ctx.signal);
      const detected = await detectOne(detector, viewFile, ctx);
      for (const pkg of detected) add(pkg, detector.name, viewFile);
    }
  }
  return ctx.detectors.flatMap((d) => {
    const mine = found.get(d.name) ?? [];
    return d.reconcile === undefined ? mine : d.reconcile(mine);
  });
}

/** Input of {@link detectOne}: one file and its bytes. */
export interface DetectFile {
  file: ViewFile['file'];
  content: Buffer;
  layerDigest: ViewFile['layerDigest'];
}

/**
 * Runs one detector on one file, routing its warnings (with detector, path
 * and layer digest) to `ctx.warn`.
 * @throws ScanError as {@link runDetectors} says.
 */
export async function detectOne(
  detector: PackageDetector,
  viewFile: DetectFile | ViewFile,
  ctx: Omit<DetectContext, 'detectors'>,
): Promise<DetectedPackage[]> {
  const { file, layerDigest } = viewFile;
  const content = viewFile.content ?? Buffer.alloc(0);
  try {
    return await detector.detect({
      file,
      read: () => Promise.resolve(content),
      fs: ctx.fs,
      distribution: ctx.distribution,
      signal: ctx.signal,
      logger: ctx.logger.child({ detector: detector.name, path: file.path }),
      warn: (warning) =>
        ctx.warn({
          ...warning,
          source: detector.name,
          path: file.path,
          layerDigest,
        }),
    });
  } catch (err: unknown) {
    if (ctx.signal.aborted) throw abortReason(ctx.signal);
    if (err instanceof ScanError) throw err;
    throw new ScanError('DETECTOR_FAILED', `detector ${detector.name} failed`, {
      details: { detector: detector.name, path: file.path, layerDigest },
      cause: err,
    });
  }
}

function stamp(
  pkg: DetectedPackage,
  detector: string,
  viewFile: ViewFile,
): ImagePackage {
  return {
    ...pkg,
    path: pkg.path ?? viewFile.file.path,
    layerDigest: viewFile.layerDigest,
    detector,
  };
}

function identityOf(p: ImagePackage): string {
  return [
    p.detector,
    p.ecosystem,
    p.name,
    p.version,
    p.arch ?? '',
    p.path,
  ].join('\u0000');
}
