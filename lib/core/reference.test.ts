import { describe, expect, it } from 'vitest';
import {
  isRepositoryName,
  parseImageReference,
  parseManifestRef,
} from './reference.js';

const D = `sha256:${'c'.repeat(64)}`;

describe('parseImageReference', () => {
  it.each([
    [
      'team/app',
      {
        registry: undefined,
        repository: 'team/app',
        tag: 'latest',
        digest: undefined,
      },
    ],
    [
      'team/app:1.0',
      {
        registry: undefined,
        repository: 'team/app',
        tag: '1.0',
        digest: undefined,
      },
    ],
    [
      `team/app@${D}`,
      {
        registry: undefined,
        repository: 'team/app',
        tag: undefined,
        digest: D,
      },
    ],
    [
      `127.0.0.1:5000/prod/team/app:1@${D}`,
      {
        registry: '127.0.0.1:5000',
        repository: 'prod/team/app',
        tag: '1',
        digest: D,
      },
    ],
    [
      'localhost/app',
      {
        registry: 'localhost',
        repository: 'app',
        tag: 'latest',
        digest: undefined,
      },
    ],
    [
      'registry.example/a/b',
      {
        registry: 'registry.example',
        repository: 'a/b',
        tag: 'latest',
        digest: undefined,
      },
    ],
  ])('%s', (input, expected) => {
    expect(parseImageReference(input)).toEqual(expected);
  });

  it.each([
    ['Team/app', 'NAME_INVALID'],
    ['app@sha256:12', 'DIGEST_INVALID'],
    ['app:-bad', 'REFERENCE_INVALID'],
    ['', 'NAME_INVALID'],
  ])('refuses %s with %s', (input, code) => {
    expect(() => parseImageReference(input)).toThrow(
      expect.objectContaining({ code }),
    );
  });
});

describe('parseManifestRef', () => {
  it('tells tags from digests', () => {
    expect(parseManifestRef('1.0')).toEqual({ kind: 'tag', tag: '1.0' });
    expect(parseManifestRef(D)).toEqual({ kind: 'digest', digest: D });
    expect(() => parseManifestRef('sha256:xyz')).toThrow(
      expect.objectContaining({ code: 'DIGEST_INVALID' }),
    );
    expect(() => parseManifestRef('.bad')).toThrow(
      expect.objectContaining({ code: 'REFERENCE_INVALID' }),
    );
  });

  it('checks repository names against the distribution grammar', () => {
    expect(isRepositoryName('a/b-c/d__e.f')).toBe(true);
    expect(isRepositoryName('a//b')).toBe(false);
    expect(isRepositoryName(`${'a'.repeat(256)}`)).toBe(false);
  });
});
