import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Digest } from '../core/digest.js';
import { UpstreamError } from '../core/errors.js';
import {
  cosignSignatureTag,
  discoverCosignLegacy,
  type SignatureSource,
} from './cosign-legacy.js';
import { parseTrustedKey } from './trusted-keys.js';

const FIXTURES = new URL('../../../shared/fixtures/cosign/', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, FIXTURES));
const sha = (b: Buffer): Digest =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;
const index = JSON.parse(read('busybox/INDEX.json').toString()) as {
  imageDigest: Digest;
  imageRepository: string;
};
const keys = {
  cosign: parseTrustedKey('cosign', read('keys/cosign.pub').toString()),
  legacy: parseTrustedKey('legacy', read('keys/legacy.pub').toString()),
};

/** A registry holding exactly the captured signature artifacts (bytes as pushed). */
function capturedRegistry(
  manifest: Buffer,
  payloads: Buffer[],
): SignatureSource & { reads: string[] } {
  const blobs = new Map(payloads.map((p) => [sha(p), p]));
  const reads: string[] = [];
  return {
    reads,
    getManifest(_repo, ref) {
      reads.push(ref);
      if (ref !== cosignSignatureTag(index.imageDigest))
        return Promise.reject(
          new UpstreamError('UPSTREAM_NOT_FOUND', 'no such tag'),
        );
      return Promise.resolve({
        digest: sha(manifest),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        body: manifest,
      });
    },
    getBlob(_repo, digest) {
      const blob = blobs.get(digest);
      if (!blob)
        return Promise.reject(
          new UpstreamError('UPSTREAM_NOT_FOUND', 'no such blob'),
        );
      return Promise.resolve({
        size: blob.length,
        stream: Readable.from([blob]),
      });
    },
  };
}

const options = {
  matchReference: 'repository' as const,
  maxSignatures: 8,
  maxPayloadBytes: 65536,
};
const subject = {
  repository: index.imageRepository,
  digest: index.imageDigest,
};

describe('discoverCosignLegacy', () => {
  const final = read('busybox/sig-manifest-final.json');
  const payload = read('busybox/sig-1/payload.json');

  it('verifies each signature of a tag with the key that made it', async () => {
    const source = capturedRegistry(final, [payload]);
    const { manifest, results } = await discoverCosignLegacy(source, subject, {
      ...options,
      keys: [keys.cosign, keys.legacy],
    });
    expect(manifest?.tag).toBe(`sha256-${index.imageDigest.slice(7)}.sig`);
    expect(results.map((r) => [r.status, r.signer])).toEqual([
      ['verified', 'key:cosign'],
      ['verified', 'key:legacy'],
    ]);
  });

  it('reports an unknown key when no trusted key verifies', async () => {
    const { results } = await discoverCosignLegacy(
      capturedRegistry(final, [payload]),
      subject,
      { ...options, keys: [keys.legacy] },
    );
    expect(results.map((r) => r.status)).toEqual(['unknown_key', 'verified']);
  });

  it('finds no signatures when the tag is absent', async () => {
    const other = { ...subject, digest: `sha256:${'0'.repeat(64)}` as Digest };
    expect(
      await discoverCosignLegacy(capturedRegistry(final, [payload]), other, {
        ...options,
        keys: [keys.cosign],
      }),
    ).toEqual({ manifest: undefined, results: [] });
  });

  it('rejects a payload naming another repository or a tampered payload', async () => {
    const elsewhere = { ...subject, repository: 'other/busybox' };
    const { results } = await discoverCosignLegacy(
      capturedRegistry(final, [payload]),
      elsewhere,
      { ...options, keys: [keys.cosign] },
    );
    // The tag lookup is by digest, so the same manifest is found; the claim does not match.
    expect(results[0]).toMatchObject({
      status: 'invalid',
      reason: expect.stringMatching(/names repository/),
    });

    const tampered = Buffer.from(
      payload.toString().replace('cosign container', 'cosign  container'),
    );
    const manifest = Buffer.from(
      final.toString().replaceAll(sha(payload), sha(tampered)),
    );
    const t = await discoverCosignLegacy(
      capturedRegistry(manifest, [tampered]),
      subject,
      { ...options, keys: [keys.cosign, keys.legacy] },
    );
    expect(t.results[0]).toMatchObject({ status: 'invalid' });
  });

  it('does not verify a payload signed for another digest', async () => {
    const forged = Buffer.from(
      payload
        .toString()
        .replace(index.imageDigest.slice(7, 20), 'aaaaaaaaaaaaa'),
    );
    const manifest = Buffer.from(
      final.toString().replaceAll(sha(payload), sha(forged)),
    );
    const { results } = await discoverCosignLegacy(
      capturedRegistry(manifest, [forged]),
      subject,
      { ...options, keys: [keys.cosign] },
    );
    expect(results[0]).toMatchObject({
      status: 'invalid',
      reason: expect.stringMatching(/payload signs sha256:/),
    });
  });

  it('bounds the number of signatures read', async () => {
    const { results } = await discoverCosignLegacy(
      capturedRegistry(final, [payload]),
      subject,
      { ...options, maxSignatures: 1, keys: [keys.cosign] },
    );
    expect(results).toHaveLength(1);
  });
});

describe('parseTrustedKey', () => {
  it('accepts EC P-256 and rejects garbage', () => {
    expect(keys.cosign.hash).toBe('sha256');
    expect(() => parseTrustedKey('x', 'not a key')).toThrow();
  });
});
