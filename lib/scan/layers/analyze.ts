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
import type { MalwareScanner } from '../malware/malware-scanner.js';
import type { SecretScanner } from '../secrets/secret-scanner.js';
import { gatherEvidence, type LayersEvidence } from './layer-evidence.js';
import { identifyDistribution } from '../detectors/os-release/identify.js';
import type { PackageDetector, ScanWarning } from '../detectors/types.js';
import type { LayerRecord } from './layer-record.js';
import { abortReason, layerReadError } from './layer-stream.js';
import type { ExtractLimits } from './limits.js';
import { MergedView } from './merged-view.js';
import { runDetectors } from './run-detectors.js';
import { fileNeeds, walkLayer } from './walk-layer.js';

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

/**
 * A cache of layer records by layer digest. Its key must also cover the
 * detectors (names and versions) and the limits, which the implementation
 * knows (see `createLayerCache`). Failures of the cache never fail a scan.
 */
export interface LayerRecordCache {
  get(layerDigest: Digest): Promise<LayerRecord | undefined>;
  put(layerDigest: Digest, record: LayerRecord): Promise<void>;
}

/** Options of {@link analyzeLayers}. */
export interface AnalyzeOptions {
  detectors: readonly PackageDetector[];
  limits: ExtractLimits;
  signal: AbortSignal;
  logger: Logger;
  /** Layer records already walked; a hit skips reading the layer at all. */
  cache?: LayerRecordCache | undefined;
  /** Scans every layer's files for secrets (the cache key must cover it). */
  secrets?: SecretScanner | undefined;
  /** Known-bad hashes and ClamAV over every layer's files (the cache key must cover it). */
  malware?: MalwareScanner | undefined;
}

/** What the layers of one image hold. */
export interface LayerAnalysis extends LayersEvidence {
  packages: ImagePackage[];
  distribution?: Distribution | undefined;
  /** Expected problems (a malformed package db); each was also logged at `warn`. */
  warnings: ScanWarning[];
  stats: {
    layers: number;
    /** Layers taken from the cache, not read. */
    cachedLayers: number;
    entries: number;
    compressedBytes: number;
    uncompressedBytes: number;
  };
}

/**
 * Analyzes an image's layers, bottom to top, one at a time: each is streamed
 * once (never buffered whole, never written to disk) into a layer record,
 * or its record is read from the cache. Records are merged in order (a
 * layer's whiteouts delete from the layers below it), so a cached layer
 * merges exactly as a walked one. Then the distribution is identified and
 * the image-scope detectors run on the final view, so a package database
 * deleted by a later layer is not reported. Every package carries the
 * digest of the layer its file came from.
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
  const records: Array<{ digest: Digest; record: LayerRecord }> = [];
  const stats = await mergeLayers(
    layers,
    view,
    { ...options, logger },
    { warn, records },
  );
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
  return {
    packages,
    distribution: identified.distribution,
    warnings,
    ...gatherEvidence(records),
    stats,
  };
}

/**
 * Walks (or takes from the cache) each layer and merges it into `view`,
 * bottom to top; each record also goes to `out.records`.
 */
async function mergeLayers(
  layers: readonly LayerSource[],
  view: MergedView,
  options: AnalyzeOptions,
  out: {
    warn: (warning: ScanWarning) => void;
    records: Array<{ digest: Digest; record: LayerRecord }>;
  },
): Promise<LayerAnalysis['stats']> {
  const { warn } = out;
  const needs = fileNeeds(options.detectors);
  const stats = {
    layers: layers.length,
    cachedLayers: 0,
    entries: 0,
    compressedBytes: 0,
    uncompressedBytes: 0,
  };
  for (const layer of layers) {
    if (options.signal.aborted) throw abortReason(options.signal);
    const { record, isCached } = await layerRecord(layer, options);
    if (isCached) stats.cachedLayers++;
    out.records.push({ digest: layer.digest, record });
    stats.entries += record.stats.entries;
    stats.compressedBytes += record.stats.compressedBytes;
    stats.uncompressedBytes += record.stats.uncompressedBytes;
    const changes = view.beginLayer(
      layer.digest,
      (f) => needs.keepsContent(f) || needs.fileDetectors(f).length > 0,
    );
    for (const entry of record.entries) changes.apply(entry);
    changes.commit();
    for (const warning of [...record.warnings, ...changes.warnings])
      warn(warning);
  }
  return stats;
}

/** The layer's record: from the cache, else walked (and then cached). */
async function layerRecord(
  layer: LayerSource,
  options: AnalyzeOptions,
): Promise<{ record: LayerRecord; isCached: boolean }> {
  const cached = await cacheGet(layer.digest, options);
  if (cached !== undefined) return { record: cached, isCached: true };
  const started = performance.now();
  let record: LayerRecord;
  try {
    const stream = await layer.open(options.signal);
    record = await walkLayer(
      { digest: layer.digest, mediaType: layer.mediaType, stream },
      options,
    );
  } catch (err: unknown) {
    throw withLayer(layerReadError(err, options.signal), layer.digest);
  }
  const durationMs = Math.round(performance.now() - started);
  options.logger.debug(
    {
      digest: layer.digest,
      mediaType: layer.mediaType,
      ...record.stats,
      durationMs,
    },
    'layer walked',
  );
  // A layer clamd could not read is read again next time, not cached as such.
  if (record.malware?.clamav !== 'unavailable')
    await cachePut(layer.digest, record, options);
  return { record, isCached: false };
}

async function cacheGet(
  digest: Digest,
  options: AnalyzeOptions,
): Promise<LayerRecord | undefined> {
  try {
    return await options.cache?.get(digest);
  } catch (err: unknown) {
    options.logger.warn(
      { err, digest },
      'layer cache read failed, walking the layer',
    );
    return undefined;
  }
}

async function cachePut(
  digest: Digest,
  record: LayerRecord,
  options: AnalyzeOptions,
): Promise<void> {
  try {
    await options.cache?.put(digest, record);
  } catch (err: unknown) {
    options.logger.warn({ err, digest }, 'layer cache write failed');
  }
}

/** Adds the layer digest to a ScanError's details (the original is the cause). */
function withLayer(err: Error, layerDigest: Digest): Error {
  if (!(err instanceof ScanError)) return err;
  return new ScanError(err.code, err.message, {
    details: { ...err.details, layerDigest },
    cause: err,
  });
}
