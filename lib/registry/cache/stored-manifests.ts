import { createHash } from 'node:crypto';
import { digestAlgorithm, digestHex, type Digest } from '../../core/digest.js';
import type { ManifestStore, ServingIndex } from '../../storage/ports.js';

/**
 * Manifests as Customs stored them when it scanned each image (checked
 * against their digest again before they are served, then kept in memory:
 * a digest's content never changes), and the tag → digest it last heard of
 * (for when the upstream is down).
 */
export function storedManifests(stores: {
  manifests: Pick<ManifestStore, 'get'>;
  serving: Pick<ServingIndex, 'tagged'>;
}) {
  return {
    tagged: (repository: string, tag: string) =>
      stores.serving.tagged(repository, tag),
    async manifest(
      digest: Digest,
    ): Promise<{ mediaType: string; body: Buffer } | undefined> {
      const stored = await stores.manifests.get(digest);
      if (!stored) return undefined;
      const actual = createHash(digestAlgorithm(digest))
        .update(stored.body)
        .digest('hex');
      return actual === digestHex(digest)
        ? { mediaType: stored.mediaType, body: stored.body }
        : undefined;
    },
  };
}
