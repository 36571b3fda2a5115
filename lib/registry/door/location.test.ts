import { describe, expect, it } from 'vitest';
import { localLocation } from './location.js';

describe('localLocation', () => {
  const at = (location: string, upstreamUrl = 'http://registry:5000') =>
    localLocation(location, {
      upstreamUrl,
      repository: 'team/app',
      written: 'dev/team/app',
    });

  it.each([
    [
      '/v2/team/app/blobs/uploads/u1?_state=abc',
      '/v2/dev/team/app/blobs/uploads/u1?_state=abc',
    ],
    [
      'http://registry:5000/v2/team/app/blobs/uploads/u1',
      '/v2/dev/team/app/blobs/uploads/u1',
    ],
    [
      'http://registry:5000/v2/team/app/manifests/sha256:ab',
      '/v2/dev/team/app/manifests/sha256:ab',
    ],
  ])('rewrites %s to %s', (location, local) => {
    expect(at(location)).toBe(local);
  });

  it('keeps the path prefix of a registry below a path', () => {
    expect(
      at('/reg/v2/team/app/blobs/uploads/u1', 'https://host.example/reg/'),
    ).toBe('/v2/dev/team/app/blobs/uploads/u1');
  });

  it.each([
    ['another host', 'http://evil.example/v2/team/app/blobs/uploads/u1'],
    ['another port', 'http://registry:5001/v2/team/app/blobs/uploads/u1'],
    ['another scheme', 'https://registry:5000/v2/team/app/blobs/uploads/u1'],
    ['a protocol-relative URL', '//evil.example/v2/team/app/blobs/uploads/u1'],
    ['another repository', '/v2/other/app/blobs/uploads/u1'],
    ['a look-alike repository', '/v2/team/apps/blobs/uploads/u1'],
    ['outside /v2/', '/upload/u1'],
    ['an unparsable URL', 'http://[::1'],
  ])('refuses %s', (_what, location) => {
    expect(at(location)).toBeUndefined();
  });
});
