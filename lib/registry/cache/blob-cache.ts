import { countCacheLookup } from '../../metrics/metrics.js';
import { PassThrough, type Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Digest } from '../../core/digest.js';
import type { BlobStore } from '../../storage/ports.js';
import type { UpstreamClient } from '../client/upstream-client.js';

/** Blob reads that prefer the cache and fill it from the upstream. */
export interface CachedBlobs {
  readonly store: BlobStore;
  /**
   * The blob from the cache when stored there, else from the upstream while
   * a copy is written to the cache (the store keeps it only if it verifies).
   * `cached` tells which; an unreachable upstream does not matter to a
   * cached blob.
   */
  getBlob(
    repository: string,
    digest: Digest,
    options?: { signal?: AbortSignal },
  ): Promise<{ size: number | undefined; stream: Readable; cached: boolean }>;
  headBlob(
    repository: string,
    digest: Digest,
    options?: { signal?: AbortSignal },
  ): Promise<{ size: number } | undefined>;
}

/**
 * Puts a blob store in front of the upstream for blobs. Used by the scan
 * (so every layer of a judged image is cached by the time it is eligible)
 * and by the door (so pulls are served from local verified bytes).
 */
export function cacheBlobs(
  upstream: Pick<UpstreamClient, 'getBlob' | 'headBlob'>,
  store: BlobStore,
  logger: Logger,
): CachedBlobs {
  const log = logger.child({ component: 'registry.cache', store: store.name });
  const filling = new Set<Digest>();
  return {
    store,

    async getBlob(repository, digest, options = {}) {
      const stored = await store.stat(digest);
      countCacheLookup('blob', stored ? 'hit' : 'miss');
      if (stored)
        return {
          size: stored.sizeBytes,
          stream: await store.get(digest, options),
          cached: true,
        };
      const fetched = await upstream.getBlob(repository, digest, options);
      if (filling.has(digest)) return { ...fetched, cached: false };
      return {
        size: fetched.size,
        stream: teeIntoStore(fetched.stream, digest),
        cached: false,
      };
    },

    async headBlob(repository, digest, options = {}) {
      const stored = await store.stat(digest);
      return stored
        ? { size: stored.sizeBytes }
        : upstream.headBlob(repository, digest, options);
    },
  };

  function teeIntoStore(source: Readable, digest: Digest): Readable {
    const toCaller = new PassThrough({ highWaterMark: 1024 * 1024 });
    const toStore = new PassThrough({ highWaterMark: 1024 * 1024 });
    source.on('error', (err) => {
      toCaller.destroy(err);
      toStore.destroy(err);
    });
    source.pipe(toCaller);
    source.pipe(toStore);
    filling.add(digest);
    store
      .put(digest, toStore)
      .then((info) =>
        log.debug({ digest, sizeBytes: info.sizeBytes }, 'blob cached'),
      )
      .catch((err: unknown) => log.warn({ err, digest }, 'blob not cached'))
      .finally(() => filling.delete(digest));
    return toCaller;
  }
}
