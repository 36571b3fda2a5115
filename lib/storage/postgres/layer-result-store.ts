import type { Digest } from '../../core/digest.js';
import type { Database } from '../database.js';
import type { LayerResultStore } from '../ports.js';

/** Encoded layer records of the scanner's layer cache (table layer_results). */
export function createLayerResultStore(db: Database): LayerResultStore {
  return {
    async get(layerDigest: Digest, cacheKey: string) {
      const { rows } = await db.query<{ record: Buffer }>(
        'SELECT record FROM layer_results WHERE layer_digest = $1 AND cache_key = $2',
        [layerDigest, cacheKey],
      );
      return rows[0]?.record;
    },

    async put(layerDigest: Digest, cacheKey: string, record: Buffer) {
      // Two replicas may walk the same layer at once: the later write is as good.
      await db.query(
        `INSERT INTO layer_results (layer_digest, cache_key, record, size_bytes)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (layer_digest, cache_key) DO UPDATE SET record = EXCLUDED.record,
           size_bytes = EXCLUDED.size_bytes, created_at = now()`,
        [layerDigest, cacheKey, record, record.length],
      );
    },
  };
}
