/**
 * Contracts between the layer walker and package detectors (STYLE.md §3),
 * after osv-scalibr's FileRequired/Extract pair: `matches` is asked about
 * every regular file of every layer while the layer streams by, `detect`
 * runs once per matched file of the final merged image view.
 *
 * Detectors are leaves: they import only `lib/core` and this file. No
 * network, storage, globals or timers.
 */
import type { Logger } from 'pino';
import type { Digest } from '../../core/digest.js';
import type { Distribution, ImagePackage } from '../../core/package.js';

/** A regular file of an image. */
export interface LayerFile {
  /** Posix path relative to the image root, no leading `/` (`var/lib/dpkg/status`). */
  path: string;
  sizeBytes: number;
  /** Permission bits (`0o644`). */
  mode: number;
}

/**
 * Read-only merged view of the image (all layers applied, whiteouts
 * honoured). Only files some detector matched, plus os-release, hold
 * content; symlinks are followed (at most `maxSymlinkDepth` of them,
 * else ScanError `EXTRACT_LIMIT_EXCEEDED`), never outside the root.
 */
export interface LayerFS {
  /** The visible file at `path` (symlinks followed), or undefined. */
  stat(path: string): LayerFile | undefined;
  /** Content of the visible file at `path`, or undefined. Do not mutate. */
  readFile(path: string): Promise<Buffer | undefined>;
}

/** An expected problem in one file; the scan goes on (STYLE.md §4). */
export interface DetectWarning {
  /** Stable SCREAMING_SNAKE code, e.g. `PACKAGE_DB_INVALID`. */
  code: string;
  /** Lower-case human text; facts go in `details`. */
  message: string;
  details?: Record<string, unknown> | undefined;
}

/** A DetectWarning as the scan reports it: with where it came from. */
export interface ScanWarning extends DetectWarning {
  /** Detector name, or `layers` for problems of the layer walk itself. */
  source: string;
  path?: string | undefined;
  layerDigest?: Digest | undefined;
}

/** What `detect` gets for one matched file. */
export interface DetectInput {
  file: LayerFile;
  /**
   * The file's content, at most `limits.maxFileBytes` (larger matched files
   * fail extraction with `EXTRACT_LIMIT_EXCEEDED` before detection). Do not
   * mutate the buffer.
   */
  read(): Promise<Buffer>;
  fs: LayerFS;
  /** The distribution from os-release, identified before detectors run. */
  distribution?: Distribution | undefined;
  signal: AbortSignal;
  logger: Logger;
  /**
   * Reports an expected problem (a malformed record): the pipeline adds it
   * to the scan's warnings and logs it once at `warn`, with the detector,
   * path and layer digest. Detectors do not log warnings themselves.
   */
  warn(warning: DetectWarning): void;
}

/**
 * A package as a detector reports it. The pipeline adds `layerDigest`,
 * `detector`, and `path` (the matched file's path unless the detector
 * names a more precise one).
 */
export type DetectedPackage = Omit<
  ImagePackage,
  'layerDigest' | 'detector' | 'path'
> & {
  path?: string | undefined;
};

/**
 * Where a detector runs. `image` (the default): on the final merged view,
 * with the distribution and `fs` (package databases). `file`: it reads only
 * the matched file itself (no `fs`, no distribution), so it runs while the
 * layer streams, the file's bytes are dropped at once (binaries and
 * archives are never kept) and its results are cached with the layer. A
 * matched file over `maxFileBytes` is then skipped with a `FILE_TOO_LARGE`
 * warning instead of failing the scan.
 */
export type DetectorScope = 'file' | 'image';

/** A package detector (STYLE.md §3). */
export interface PackageDetector {
  /** `<kind>/<format>`, e.g. `os/dpkg`; stable: stored in the DB, used in logs. */
  readonly name: string;
  /** Bump when the output changes; part of the scan cache key. */
  readonly version: number;
  /** Where it runs; `image` when absent. */
  readonly scope?: DetectorScope | undefined;
  /** Runs on every regular file of every layer: cheap string checks only. */
  matches(file: LayerFile): boolean;
  /**
   * Parses one matched file. Throws only for unexpected failures (the
   * pipeline wraps them as ScanError `DETECTOR_FAILED`); malformed input is
   * reported through `input.warn` and the rest still parsed.
   */
  detect(input: DetectInput): Promise<DetectedPackage[]>;
  /**
   * Optional, once per image: every package this detector found in the
   * final view (path order), to drop what two sources of the same packages
   * both report (a lock file and the installed packages it lists).
   */
  reconcile?(packages: readonly ImagePackage[]): ImagePackage[];
}
