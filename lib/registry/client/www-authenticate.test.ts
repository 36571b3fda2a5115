import { describe, expect, it } from 'vitest';
import { findChallenge, parseWwwAuthenticate } from './www-authenticate.js';

describe('parseWwwAuthenticate', () => {
  it.each([
    [
      'distribution bearer challenge',
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.example/token',
            service: 'registry.example',
            scope: 'repository:a/b:pull',
          },
        },
      ],
    ],
    [
      'htpasswd basic challenge',
      'Basic realm="test-registry"',
      [{ scheme: 'basic', params: { realm: 'test-registry' } }],
    ],
    [
      'error params after a failed token',
      'Bearer realm="r",service="s",scope="repository:x:pull",error="insufficient_scope"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'r',
            service: 's',
            scope: 'repository:x:pull',
            error: 'insufficient_scope',
          },
        },
      ],
    ],
    [
      'two challenges in one value, odd spacing and case',
      'Basic  Realm = "a" ,  BEARER realm=b, service="c d"',
      [
        { scheme: 'basic', params: { realm: 'a' } },
        { scheme: 'bearer', params: { realm: 'b', service: 'c d' } },
      ],
    ],
    [
      'escaped quotes',
      String.raw`Bearer realm="say \"hi\"\\"`,
      [{ scheme: 'bearer', params: { realm: 'say "hi"\\' } }],
    ],
    [
      'token68',
      'Negotiate dXNlcjpwYXNz==, Basic realm="x"',
      [
        { scheme: 'negotiate', params: {} },
        { scheme: 'basic', params: { realm: 'x' } },
      ],
    ],
    ['scheme only', 'Bearer', [{ scheme: 'bearer', params: {} }]],
    ['empty', '', []],
    [
      'unterminated quote stops parsing',
      'Bearer realm="oops',
      [{ scheme: 'bearer', params: {} }],
    ],
    ['garbage', '=== ,,,', []],
  ])('parses %s', (_name, header, expected) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected);
  });

  it('joins repeated header values', () => {
    expect(
      parseWwwAuthenticate(['Basic realm="a"', 'Bearer realm="b"']).map(
        (c) => c.scheme,
      ),
    ).toEqual(['basic', 'bearer']);
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
  });
});

describe('findChallenge', () => {
  it('finds a scheme case-insensitively', () => {
    const challenges = parseWwwAuthenticate(
      'Basic realm="a", Bearer realm="b"',
    );
    expect(findChallenge(challenges, 'Bearer')?.params).toEqual({ realm: 'b' });
    expect(findChallenge(challenges, 'digest')).toBeUndefined();
  });
});
