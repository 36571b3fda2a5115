import { createHash } from 'node:crypto';
import { digestAlgorithm, digestHex, type Digest } from '../../core/digest.js';
import type { ManifestStore, ServingIndex } from '../../storage/ports.js';

/** Bytes of verified manifests kept in memory (manifests are a few KiB). */
const DEFAULT_MEMORY_BYTES = 32 * 1024 * 1024;

type Manifest = { mediaType: string; body: Buffer };

/**
 * Manifests as Customs stored them when it scanned each image (checked
 * against their digest again before they are served, then kept in memory:
 * a digest's content never changes, so the copy never goes stale — whether
 * it may be served is the verdict's business, asked on every request), and
 * the tag → digest it last heard of (for when the upstream is down).
 */
export function storedManifests(
  stores: {
    manifests: Pick<ManifestStore, 'get'>;
    serving: Pick<ServingIndex, 'tagged'>;
  },
  memoryBytes = DEFAULT_MEMORY_BYTES,
) {
  const memory = new ByteBoundedLru(memoryBytes);
  return {
    tagged: (repository: string, tag: string) =>
      stores.serving.tagged(repository, tag),
    async manifest(digest: Digest): Promise<Manifest | undefined> {
      const remembered = memory.get(digest);
      if (remembered) return remembered;
      const stored = await stores.manifests.get(digest);
      if (!stored) return undefined;
      const actual = createHash(digestAlgorithm(digest))
        .update(stored.body)
        .digest('hex');
      if (actual !== digestHex(digest)) return undefined;
      const manifest = { mediaType: stored.mediaType, body: stored.body };
      memory.set(digest, manifest);
      return manifest;
    },
  };
}

/** Least recently used entries dropped once their bodies exceed `maxBytes`. */
class ByteBoundedLru {
  readonly #entries = new Map<Digest, Manifest>();
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  get(digest: Digest): Manifest | undefined {
    const entry = this.#entries.get(digest);
    if (entry) {
      // Map keeps insertion order: re-inserting marks it most recent.
      this.#entries.delete(digest);
      this.#entries.set(digest, entry);
    }
    return entry;
  }

  set(digest: Digest, entry: Manifest): void {
    if (entry.body.length > this.maxBytes || this.#entries.has(digest)) return;
    this.#entries.set(digest, entry);
    this.#bytes += entry.body.length;
    for (const [oldest, old] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= old.body.length;
    }
  }
}
