import { describe, expect, it } from 'vitest';
import { encodePurlComponent, formatPurl } from './purl.js';

describe('formatPurl', () => {
  it.each([
    [
      'deb with epoch and plus (purl-spec deb example)',
      {
        type: 'deb',
        namespace: 'debian',
        name: 'attr',
        version: '1:2.4.47-2+b1',
        qualifiers: { arch: 'amd64' },
      },
      'pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64',
    ],
    [
      'sorted qualifiers, empty ones dropped',
      {
        type: 'DEB',
        namespace: 'debian',
        name: 'curl',
        version: '7.50.3-1',
        qualifiers: {
          distro: 'debian-12',
          arch: 'i386',
          repository_url: undefined,
          x: '',
        },
      },
      'pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=debian-12',
    ],
    [
      'scoped npm namespace and no version',
      { type: 'npm', namespace: '@angular', name: 'core' },
      'pkg:npm/%40angular/core',
    ],
    [
      'no namespace, no qualifiers',
      { type: 'pypi', name: 'requests', version: '2.19.0', qualifiers: {} },
      'pkg:pypi/requests@2.19.0',
    ],
  ])('%s', (_name, parts, expected) => {
    expect(formatPurl(parts)).toBe(expected);
  });
});

describe('encodePurlComponent', () => {
  it.each([
    ['a-b_c.d~e', 'a-b_c.d~e'],
    ['1:2+b1', '1:2%2Bb1'],
    ['a b', 'a%20b'],
    ["!*'()", '%21%2A%27%28%29'],
    ['ü', '%C3%BC'],
    ['a/b?c#d&e=f@g%h', 'a%2Fb%3Fc%23d%26e%3Df%40g%25h'],
  ])('encodes %j as %j', (input, expected) => {
    expect(encodePurlComponent(input)).toBe(expected);
  });
});
