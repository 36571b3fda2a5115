/**
 * Layer analysis of one image: walk its layers, merge them, identify the
 * distribution, run the package detectors (the extract and detect stages of
 * STYLE.md §3's pipeline).
 */
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Digest } from '../../core/digest.js';
import { ScanError } from '../../core/errors.js';
import type { Distribution, ImagePackage } from '../../core/package.js';
import {
  identifyDistribution,
  isOsReleasePath,
} from '../detectors/os-release/identify.js';
import type {
  LayerFile,
  PackageDetector,
  ScanWarning,
} from '../detectors/types.js';
import { extractLayer, type ExtractStats } from './extract.js';
import { abortReason, layerReadError } from './layer-stream.js';
import type { ExtractLimits } from './limits.js';
import { MergedView } from './merged-view.js';
import { runDetectors } from './run-detectors.js';

/** One layer of an image, as the manifest lists it. */
export interface LayerSource {
  digest: Digest;
  mediaType: string;
  /**
   * Opens the layer's bytes exactly as stored (compressed). The stream must
   * fail with UpstreamError `UPSTREAM_DIGEST_MISMATCH` at its end when the
   * bytes do not match `digest`. Called once, layers in order; the analysis
   * consumes or destroys the stream.
   */
  open(signal: AbortSignal): Promise<Readable>;
}

/** Options of {@link analyzeLayers}. */
export interface AnalyzeOptions {
  detectors: readonly PackageDetector[];
  limits: ExtractLimits;
  signal: AbortSignal;
  logger: Logger;
}

/** What the layers of one image hold. */
export interface LayerAnalysis {
  packages: ImagePackage[];
  distribution?: Distribution | undefined;
  /** Expected problems (a malformed package db); each was also logged at `warn`. */
  warnings: ScanWarning[];
  stats: {
    layers: number;
    entries: number;
    compressedBytes: number;
    uncompressedBytes: number;
  };
}

/**
 * Analyzes an image's layers, bottom to top, one at a time: each is streamed
 * once (never buffered whole, never written to disk), whiteouts of a layer
 * delete from the layers below it, and only matched files and symlinks are
 * kept. Then os-release names the distribution and the detectors run on the
 * final view, so a package database deleted by a later layer is not reported.
 * Every package carries the digest of the layer its file came from.
 *
 * @throws ScanError from the walk (codes of `extractLayer`, with
 *   `details.layerDigest`) or detection (`DETECTOR_FAILED`); domain errors of
 *   `open()` unchanged; the signal's reason when aborted.
 */
export async function analyzeLayers(
  layers: readonly LayerSource[],
  options: AnalyzeOptions,
): Promise<LayerAnalysis> {
  const logger = options.logger.child({ component: 'scan.layers' });
  const warnings: ScanWarning[] = [];
  const warn = (warning: ScanWarning): void => {
    warnings.push(warning);
    const { message, source, layerDigest, ...fields } = warning;
    logger.warn({ ...fields, detector: source, digest: layerDigest }, message);
  };
  const view = new MergedView(options.limits.maxSymlinkDepth);
  const stats = {
    layers: layers.length,
    entries: 0,
    compressedBytes: 0,
    uncompressedBytes: 0,
  };
  for (const layer of layers) {
    if (options.signal.aborted) throw abortReason(options.signal);
    const walked = await walkLayer(layer, view, { ...options, logger, warn });
    stats.entries += walked.entries;
    stats.compressedBytes += walked.compressedBytes;
    stats.uncompressedBytes += walked.uncompressedBytes;
  }
  const identified = await identifyDistribution(view.fs);
  for (const w of identified.warnings)
    warn({ ...w, source: 'os-release', path: identified.path });
  const packages = await runDetectors(view.files(), {
    detectors: options.detectors,
    fs: view.fs,
    distribution: identified.distribution,
    signal: options.signal,
    logger,
    warn,
  });
  return { packages, distribution: identified.distribution, warnings, stats };
}

interface WalkContext extends AnalyzeOptions {
  warn(warning: ScanWarning): void;
}

async function walkLayer(
  layer: LayerSource,
  view: MergedView,
  ctx: WalkContext,
): Promise<ExtractStats> {
  const started = performance.now();
  const wants = (file: LayerFile): boolean =>
    isOsReleasePath(file.path) || ctx.detectors.some((d) => d.matches(file));
  const changes = view.beginLayer(layer.digest, wants);
  let stats: ExtractStats;
  try {
    const input = await layer.open(ctx.signal);
    stats = await extractLayer(input, {
      mediaType: layer.mediaType,
      limits: ctx.limits,
      signal: ctx.signal,
      wants,
      onEntry: (entry) => changes.apply(entry),
    });
  } catch (err: unknown) {
    throw withLayer(layerReadError(err, ctx.signal), layer.digest);
  }
  changes.commit();
  for (const warning of changes.warnings) ctx.warn(warning);
  const durationMs = Math.round(performance.now() - started);
  ctx.logger.debug(
    { digest: layer.digest, mediaType: layer.mediaType, ...stats, durationMs },
    'layer walked',
  );
  return stats;
}

/** Adds the layer digest to a ScanError's details (the original is the cause). */
function withLayer(err: Error, layerDigest: Digest): Error {
  if (!(err instanceof ScanError)) return err;
  return new ScanError(err.code, err.message, {
    details: { ...err.details, layerDigest },
    cause: err,
  });
}
