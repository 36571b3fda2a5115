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
 * Runs every detector whose `matches` accepts a file, file by file in path
 * order, and stamps each package with its detector, path and layer digest.
 *
 * @throws ScanError `DETECTOR_FAILED` when a detector throws anything but a
 *   ScanError (which passes unchanged), and the signal's reason when aborted.
 */
export async function runDetectors(
  files: readonly ViewFile[],
  ctx: DetectContext,
): Promise<ImagePackage[]> {
  const packages: ImagePackage[] = [];
  for (const viewFile of files) {
    for (const detector of ctx.detectors) {
      if (!detector.matches(viewFile.file)) continue;
      if (ctx.signal.aborted) throw abortReason(ctx.signal);
      const detected = await detectOne(detector, viewFile, ctx);
      for (const pkg of detected) packages.push(stamp(pkg, detector, viewFile));
    }
  }
  return packages;
}

async function detectOne(
  detector: PackageDetector,
  viewFile: ViewFile,
  ctx: DetectContext,
): Promise<DetectedPackage[]> {
  const { file, content, layerDigest } = viewFile;
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
  detector: PackageDetector,
  viewFile: ViewFile,
): ImagePackage {
  return {
    ...pkg,
    path: pkg.path ?? viewFile.file.path,
    layerDigest: viewFile.layerDigest,
    detector: detector.name,
  };
}
