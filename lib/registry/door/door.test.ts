import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../core/errors.js';
import { OciError } from '../../core/oci-errors.js';
import { clientWentAway, pathnameOf } from './door.js';

const viaUrl = (target: string) => new URL(target, 'http://door').pathname;
/** The path, or that reading it throws (as a URL parser does on `//[`). */
const outcome = (read: (t: string) => string, target: string) => {
  try {
    return read(target);
  } catch (err: unknown) {
    return `throws ${(err as Error).name}`;
  }
};

describe('pathnameOf', () => {
  it.each([
    '/v2/',
    '/v2/dev/team/app/manifests/1.0',
    `/v2/team/app/manifests/sha256:${'a'.repeat(64)}`,
    '/v2/team/app/tags/list?n=10&last=b',
    '/v2/_catalog?n=5#frag',
    '/v2/dev/../prod/app/manifests/1.0',
    '/v2/dev/%2e%2E/prod/app/manifests/1.0',
    '/v2/./app/blobs/x',
    '/v2\\app\\manifests\\x',
    '//evil.example/v2/app/manifests/x',
    '/v2/app name/manifests/x',
    '/v2/app/manifests/ü',
    '/v2/a"b<c>d`e{f}g^h|i/manifests/x',
    'http://other.example/v2/app/manifests/x',
    '/v2/app/manifests/x%2Fy',
  ])('%s reads as a URL parser reads it', (target) => {
    expect(pathnameOf(target)).toBe(viaUrl(target));
  });

  it('agrees with the URL parser on random targets', () => {
    const alphabet = [
      ...'abcz09/.-_:?#%2eE\\ "<>`{}^|~!$&\'()*+,;=@[]',
      '\t',
      'é',
      '..',
      '/v2/',
    ];
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 20_000; i++) {
      let target = '/';
      const length = next() % 24;
      for (let j = 0; j < length; j++)
        target += alphabet[next() % alphabet.length];
      expect(outcome(pathnameOf, target), target).toBe(outcome(viaUrl, target));
    }
  });
});

describe('clientWentAway', () => {
  const closed = (code: string) => Object.assign(new Error('closed'), { code });

  it('is a reset or an early close of a connection that is gone', () => {
    for (const code of ['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE'])
      expect(clientWentAway(closed(code), true)).toBe(true);
  });

  it('is never a failure of Customs or of the registry', () => {
    expect(clientWentAway(closed('ECONNRESET'), false)).toBe(false);
    expect(clientWentAway(new Error('boom'), true)).toBe(false);
    expect(clientWentAway(closed('ENOENT'), true)).toBe(false);
    expect(
      clientWentAway(
        new UpstreamError('UPSTREAM_DIGEST_MISMATCH', 'does not verify'),
        true,
      ),
    ).toBe(false);
    expect(clientWentAway(new OciError('DENIED'), true)).toBe(false);
  });
});
