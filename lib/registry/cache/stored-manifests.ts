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
    remembered: (digest: Digest): Manifest | undefined => memory.get(digest),
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

/**
 * Entries dropped once their bodies exceed `maxBytes`, oldest first but
 * sparing those read since they were last passed over (second chance).
 * A read only sets a flag: re-inserting on every hit would make the Map
 * grow and shrink its table on every pull.
 */
class ByteBoundedLru {
  readonly #entries = new Map<Digest, { manifest: Manifest; read: boolean }>();
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  get(digest: Digest): Manifest | undefined {
    const entry = this.#entries.get(digest);
    if (!entry) return undefined;
    entry.read = true;
    return entry.manifest;
  }

  set(digest: Digest, manifest: Manifest): void {
    if (manifest.body.length > this.maxBytes || this.#entries.has(digest))
      return;
    this.#entries.set(digest, { manifest, read: false });
    this.#bytes += manifest.body.length;
    while (this.#bytes > this.maxBytes) {
      const [oldest, entry] = this.#entries.entries().next().value!;
      this.#entries.delete(oldest);
      if (entry.read) {
        // Read since it was last passed over: to the back of the line.
        entry.read = false;
        this.#entries.set(oldest, entry);
      } else {
        this.#bytes -= entry.manifest.body.length;
      }
    }
  }
}
