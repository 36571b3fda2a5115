import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import type { Digest } from '../../core/digest.js';
import { discardSink } from '../../storage/digest-check.js';
import type { ManifestStore } from '../../storage/ports.js';
import type { CachedBlobs } from './blob-cache.js';

/**
 * Puts every blob an image references (config, layers; each platform of an
 * index) into the blob cache, so that once the image is eligible the door
 * serves it — also with the upstream down — from verified local bytes.
 * The scan already cached the layers it read; this fetches what it did not.
 */
export async function warmBlobCache(
  deps: {
    blobs: CachedBlobs;
    manifests: Pick<ManifestStore, 'get'>;
    logger: Logger;
  },
  image: { repository: string; digest: Digest },
  signal: AbortSignal,
): Promise<void> {
  const manifest = await deps.manifests.get(image.digest);
  if (!manifest) return;
  for (const ref of manifest.references) {
    if (ref.role === 'manifest') {
      await warmBlobCache(
        deps,
        { repository: image.repository, digest: ref.digest },
        signal,
      );
    } else if (!(await deps.blobs.store.stat(ref.digest))) {
      const { stream } = await deps.blobs.getBlob(
        image.repository,
        ref.digest,
        { signal },
      );
      await pipeline(stream, discardSink());
    }
  }
  deps.logger.debug(
    { repository: image.repository, digest: image.digest },
    'blob cache warmed',
  );
}
