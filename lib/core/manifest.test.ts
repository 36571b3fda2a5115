import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseManifest, platformName } from './manifest.js';

const fixture = (p: string) =>
  readFileSync(
    new URL(`../../../shared/fixtures/cosign/${p}`, import.meta.url),
  );

describe('parseManifest', () => {
  it('reads an OCI image manifest', () => {
    const m = parseManifest(fixture('busybox/image-manifest.json'));
    expect(m.kind).toBe('image');
    if (m.kind !== 'image') return;
    expect(m.layers).toHaveLength(1);
    expect(m.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');
  });

  it('reads an image index with platforms', () => {
    const m = parseManifest(fixture('multiarch-index/image-index.json'));
    expect(m.kind).toBe('index');
    if (m.kind !== 'index') return;
    expect(m.manifests.map(platformName)).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
  });

  it('takes the media type from the response when the body omits it', () => {
    const body = Buffer.from(
      JSON.stringify({ schemaVersion: 2, manifests: [] }),
    );
    expect(
      parseManifest(
        body,
        'application/vnd.docker.distribution.manifest.list.v2+json',
      ).mediaType,
    ).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
  });

  it.each([
    ['not JSON', '{', 'MANIFEST_INVALID'],
    ['an array', '[]', 'MANIFEST_INVALID'],
    ['schema 1', '{"schemaVersion":1}', 'MANIFEST_UNSUPPORTED'],
    [
      'a bad layer digest',
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"x","digest":"sha256:00","size":1},"layers":[]}',
      'MANIFEST_INVALID',
    ],
    [
      'a negative size',
      `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"x","digest":"sha256:${'0'.repeat(64)}","size":-1},"layers":[]}`,
      'MANIFEST_INVALID',
    ],
    [
      'an unknown type',
      '{"schemaVersion":2,"mediaType":"text/plain"}',
      'MANIFEST_UNSUPPORTED',
    ],
  ])('refuses %s', (_name, body, code) => {
    expect(() => parseManifest(Buffer.from(body))).toThrow(
      expect.objectContaining({ code }),
    );
  });
});
