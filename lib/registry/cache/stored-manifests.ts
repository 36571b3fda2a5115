import { createHash } from 'node:crypto';
import { digestAlgorithm, digestHex, type Digest } from '../../core/digest.js';
import type { ManifestStore, ServingIndex } from '../../storage/ports.js';

/**
 * What the door may serve while the upstream is down: the tag → digest
 * Customs last heard of, and the manifest bytes it stored when it scanned
 * the image — checked against their digest again before they are served.
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
