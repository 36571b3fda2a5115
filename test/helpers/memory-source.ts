/**
 * An in-memory registry for unit tests of signature verification: the exact
 * bytes of manifests (by digest and tag) and blobs, and optionally the
 * referrers API. Integration tests use a real docker-registry instead.
 */
import { Readable } from 'node:stream';
import type { Digest } from '../../lib/core/digest.js';
import { UpstreamError } from '../../lib/core/errors.js';
import type { SignatureSource } from '../../lib/signature/types.js';
import { sha256Digest } from './oci-push.js';

/** A SignatureSource over maps, recording what was read. */
export class MemorySource implements SignatureSource {
  readonly manifests = new Map<string, { body: Buffer; mediaType: string }>();
  readonly blobs = new Map<string, Buffer>();
  readonly reads: string[] = [];
  /** Set to answer the referrers API (undefined = registry without it). */
  referrersApi = false;

  /** Adds blobs and a manifest (optionally tagged); returns its digest. */
  add(
    content: { manifest: Buffer; blobs?: Buffer[] },
    tag?: string,
    mediaType = 'application/vnd.oci.image.manifest.v1+json',
  ): Digest {
    for (const b of content.blobs ?? []) this.blobs.set(sha256Digest(b), b);
    const digest = sha256Digest(content.manifest) as Digest;
    this.manifests.set(digest, { body: content.manifest, mediaType });
    if (tag) this.manifests.set(tag, { body: content.manifest, mediaType });
    return digest;
  }

  getManifest(_repository: string, reference: string) {
    this.reads.push(reference);
    const m = this.manifests.get(reference);
    if (!m)
      return Promise.reject(
        new UpstreamError('UPSTREAM_NOT_FOUND', `no ${reference}`),
      );
    return Promise.resolve({
      digest: sha256Digest(m.body) as Digest,
      mediaType: m.mediaType,
      body: m.body,
    });
  }

  getBlob(_repository: string, digest: Digest) {
    const blob = this.blobs.get(digest);
    if (!blob)
      return Promise.reject(
        new UpstreamError('UPSTREAM_NOT_FOUND', `no ${digest}`),
      );
    return Promise.resolve({
      size: blob.length,
      stream: Readable.from([blob]),
    });
  }

  listReferrers(
    _repository: string,
    digest: Digest,
    options: { artifactType?: string } = {},
  ) {
    this.reads.push(`referrers/${digest}?${options.artifactType ?? ''}`);
    if (!this.referrersApi) return Promise.resolve(undefined);
    const found = [...this.manifests.entries()]
      .filter(([key]) => key.startsWith('sha256:'))
      .flatMap(([key, m]) => {
        const doc = JSON.parse(m.body.toString()) as {
          subject?: { digest: string };
          artifactType?: string;
          config?: { mediaType: string };
        };
        const artifactType = doc.artifactType ?? doc.config?.mediaType;
        return doc.subject?.digest === digest &&
          (!options.artifactType || artifactType === options.artifactType)
          ? [{ digest: key as Digest, mediaType: m.mediaType, artifactType }]
          : [];
      });
    return Promise.resolve(found);
  }
}
