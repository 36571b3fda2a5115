import { describe, expect, it } from 'vitest';
import type { Digest } from '../core/digest.js';
import { MemorySource } from '../../test/helpers/memory-source.js';
import { cosignManifest } from '../../test/helpers/oci-push.js';
import { discoverSignatures } from './discover.js';

const IMAGE = `sha256:${'4'.repeat(64)}` as Digest;
const subject = { repository: 'team/app', digest: IMAGE };
const NOTATION = 'application/vnd.cncf.notary.signature';
const options = { maxSignatures: 8, artifactTypes: [NOTATION] };

const layer = (n: number) => ({
  mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
  data: Buffer.from(`payload ${n}`),
  annotations: {},
});
const referrer = (n: number) => ({
  manifest: Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: NOTATION,
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        digest: `sha256:${'4'.repeat(63)}${n}`,
        size: 2,
      },
      layers: [],
      subject: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: IMAGE,
        size: 1,
      },
    }),
  ),
});

describe('discoverSignatures with the push event as a hint', () => {
  it('reads the announced .sig manifest, not the tag the registry has not moved yet', async () => {
    const source = new MemorySource();
    const tag = `${IMAGE.replace(':', '-')}.sig`;
    source.add(cosignManifest([layer(1)]), tag);
    const pushed = source.add(cosignManifest([layer(1), layer(2)]));
    const without = await discoverSignatures(source, subject, options);
    const withHint = await discoverSignatures(source, subject, {
      ...options,
      hint: { digest: pushed, tag },
    });
    expect(without.artifacts.map((a) => a.manifest.layers.length)).toEqual([1]);
    expect(withHint.artifacts.map((a) => [a.digest, a.via, a.tag])).toEqual([
      [pushed, 'cosign-tag', tag],
    ]);
  });

  it('keeps the later .sig manifest when the tag already moved past the announced push', async () => {
    const source = new MemorySource();
    const tag = `${IMAGE.replace(':', '-')}.sig`;
    const older = source.add(cosignManifest([layer(1)]));
    const newer = source.add(cosignManifest([layer(1), layer(2)]), tag);
    const found = await discoverSignatures(source, subject, {
      ...options,
      hint: { digest: older, tag },
    });
    expect(found.artifacts.map((a) => a.digest)).toEqual([newer]);
  });

  it('reads both the referrers tag index and the announced one', async () => {
    const source = new MemorySource();
    const tag = IMAGE.replace(':', '-');
    const [a, b] = [source.add(referrer(5)), source.add(referrer(6))];
    const index = (digests: string[]) => ({
      manifest: Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: digests.map((digest) => ({
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest,
            size: 1,
            artifactType: NOTATION,
          })),
        }),
      ),
    });
    source.add(index([a]), tag, 'application/vnd.oci.image.index.v1+json');
    const announced = source.add(
      index([a, b]),
      undefined,
      'application/vnd.oci.image.index.v1+json',
    );
    const found = await discoverSignatures(source, subject, {
      ...options,
      hint: { digest: announced, tag },
    });
    expect(found.artifacts.map((x) => x.digest)).toEqual([a, b]);
  });

  it('includes a referrer pushed by digest before any index lists it, and only if it names the subject', async () => {
    const source = new MemorySource();
    const pushed = source.add(referrer(1));
    expect(
      (await discoverSignatures(source, subject, options)).artifacts,
    ).toEqual([]);
    const found = await discoverSignatures(source, subject, {
      ...options,
      hint: { digest: pushed },
    });
    expect(found.artifacts.map((a) => [a.digest, a.via])).toEqual([
      [pushed, 'referrers-tag'],
    ]);
    const elsewhere = {
      ...subject,
      digest: `sha256:${'3'.repeat(64)}` as Digest,
    };
    expect(
      (
        await discoverSignatures(source, elsewhere, {
          ...options,
          hint: { digest: pushed },
        })
      ).artifacts,
    ).toEqual([]);
  });

  it('asks the referrers API with the artifactType filter, and falls back to the tag on 404', async () => {
    const source = new MemorySource();
    source.add(referrer(2));
    await discoverSignatures(source, subject, options);
    expect(source.reads).toEqual([
      `referrers/${IMAGE}?${NOTATION}`,
      IMAGE.replace(':', '-'),
      `${IMAGE.replace(':', '-')}.sig`,
      `${IMAGE.replace(':', '-')}.att`,
    ]);
    source.referrersApi = true;
    const found = await discoverSignatures(source, subject, options);
    expect(found.artifacts.map((a) => a.via)).toEqual(['referrers-api']);
  });
});
