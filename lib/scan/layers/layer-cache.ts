/**
 * The layer cache of analyzeLayers over a LayerResultStore: records are
 * keyed by layer digest and by everything that shapes a record (detector
 * names and versions, the limits a walk checks, the record format), so a
 * record is reused only where a walk would produce the same one.
 */
import { createHash } from 'node:crypto';
import type { Digest } from '../../core/digest.js';
import type { LayerResultStore } from '../../storage/ports.js';
import type { PackageDetector } from '../detectors/types.js';
import type { LayerRecordCache } from './analyze.js';
import {
  decodeLayerRecord,
  encodeLayerRecord,
  LAYER_RECORD_FORMAT,
} from './layer-record.js';
import type { ExtractLimits } from './limits.js';

/** The cache key of records made by `detectors` under `limits`. */
export function layerCacheKey(
  detectors: readonly PackageDetector[],
  limits: ExtractLimits,
): string {
  const shape = {
    format: LAYER_RECORD_FORMAT,
    detectors: detectors.map((d) => `${d.name}@${d.version}`),
    // maxSymlinkDepth is applied when reading the merged view, not in a record.
    limits: [limits.maxLayerBytes, limits.maxFileBytes, limits.maxEntries],
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex');
}

/** A LayerRecordCache storing encoded records in `store`. */
export function createLayerCache(
  store: LayerResultStore,
  options: { detectors: readonly PackageDetector[]; limits: ExtractLimits },
): LayerRecordCache {
  const key = layerCacheKey(options.detectors, options.limits);
  return {
    async get(layerDigest: Digest) {
      const bytes = await store.get(layerDigest, key);
      return bytes === undefined ? undefined : decodeLayerRecord(bytes);
    },
    put: (layerDigest, record) =>
      store.put(layerDigest, key, encodeLayerRecord(record)),
  };
}
