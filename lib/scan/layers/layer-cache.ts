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
import type { Inspectors } from './layer-inspection.js';
import type { LayerRecordCache } from './analyze.js';
import {
  decodeLayerRecord,
  encodeLayerRecord,
  LAYER_RECORD_FORMAT,
  type LayerRecord,
} from './layer-record.js';
import type { ExtractLimits } from './limits.js';

/** The cache key of records made by `detectors` under `limits`. */
export function layerCacheKey(
  detectors: readonly PackageDetector[],
  limits: ExtractLimits,
  inspectors: Inspectors = {},
): string {
  const { secrets, malware } = inspectors;
  const shape = {
    ...(secrets && { secrets: secrets.cacheKey }),
    ...(malware && { malware: malware.cacheKey }),
    format: LAYER_RECORD_FORMAT,
    detectors: detectors.map((d) => `${d.name}@${d.version}`),
    // maxSymlinkDepth is applied when reading the merged view, not in a record.
    limits: [limits.maxLayerBytes, limits.maxFileBytes, limits.maxEntries],
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex');
}

/** Decoded records kept in this process, by encoded size (base images are few and shared). */
const MEMORY_BYTES = 64 * 1024 * 1024;
const caches = new WeakMap<LayerResultStore, Map<string, LayerRecordCache>>();

/**
 * The LayerRecordCache storing encoded records in `store`, one per store
 * and key (repeated calls return the same cache). The most recently used
 * records also stay decoded in memory, up to 64 MiB of encoded records, so
 * base layers shared by many images are not read from the database each
 * time. Records handed out are shared: callers must not modify them.
 */
export function createLayerCache(
  store: LayerResultStore,
  options: {
    detectors: readonly PackageDetector[];
    limits: ExtractLimits;
  } & Inspectors,
): LayerRecordCache {
  const key = layerCacheKey(options.detectors, options.limits, options);
  let byKey = caches.get(store);
  if (byKey === undefined)
    caches.set(store, (byKey = new Map<string, LayerRecordCache>()));
  let cache = byKey.get(key);
  if (cache === undefined) byKey.set(key, (cache = newCache(store, key)));
  return cache;
}

function newCache(store: LayerResultStore, key: string): LayerRecordCache {
  const memory = new RecentRecords(MEMORY_BYTES);
  return {
    async get(layerDigest: Digest) {
      const kept = memory.get(layerDigest);
      if (kept !== undefined) return kept;
      const bytes = await store.get(layerDigest, key);
      if (bytes === undefined) return undefined;
      const record = decodeLayerRecord(bytes);
      memory.set(layerDigest, record, bytes.length);
      return record;
    },
    async put(layerDigest, record) {
      const bytes = encodeLayerRecord(record);
      await store.put(layerDigest, key, bytes);
      memory.set(layerDigest, record, bytes.length);
    },
  };
}

/** A least-recently-used map of records bounded by their encoded size. */
class RecentRecords {
  private readonly entries = new Map<
    Digest,
    { record: LayerRecord; sizeBytes: number }
  >();
  private totalBytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(digest: Digest): LayerRecord | undefined {
    const hit = this.entries.get(digest);
    if (hit === undefined) return undefined;
    this.entries.delete(digest);
    this.entries.set(digest, hit);
    return hit.record;
  }

  set(digest: Digest, record: LayerRecord, sizeBytes: number): void {
    if (sizeBytes > this.maxBytes) return;
    const old = this.entries.get(digest);
    if (old !== undefined) this.totalBytes -= old.sizeBytes;
    this.entries.delete(digest);
    this.entries.set(digest, { record, sizeBytes });
    this.totalBytes += sizeBytes;
    for (const [oldest, value] of this.entries) {
      if (this.totalBytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.totalBytes -= value.sizeBytes;
    }
  }
}
