import { describe, expect, it } from 'vitest';
import { routeDoorRequest } from './route.js';

const envs = new Set(['dev', 'test', 'prod']);
const route = (p: string) => routeDoorRequest(p, envs, 'prod');

describe('routeDoorRequest', () => {
  it.each([
    ['/v2/', { kind: 'base' }],
    ['/v2', { kind: 'base' }],
    [
      '/v2/dev/team/app/manifests/1.0',
      {
        kind: 'manifest',
        environment: 'dev',
        repository: 'team/app',
        reference: '1.0',
      },
    ],
    [
      '/v2/team/app/manifests/1.0',
      {
        kind: 'manifest',
        environment: 'prod',
        repository: 'team/app',
        reference: '1.0',
      },
    ],
    [
      '/v2/app/blobs/sha256:abc',
      {
        kind: 'blob',
        environment: 'prod',
        repository: 'app',
        reference: 'sha256:abc',
      },
    ],
    [
      '/v2/prod/app/blobs/sha256:abc',
      {
        kind: 'blob',
        environment: 'prod',
        repository: 'app',
        reference: 'sha256:abc',
      },
    ],
    // A lone environment name is a repository, not a prefix.
    [
      '/v2/dev/manifests/latest',
      {
        kind: 'manifest',
        environment: 'prod',
        repository: 'dev',
        reference: 'latest',
      },
    ],
    // Near misses: not an environment.
    [
      '/v2/devel/app/manifests/1',
      {
        kind: 'manifest',
        environment: 'prod',
        repository: 'devel/app',
        reference: '1',
      },
    ],
    [
      '/v2/team/app/tags/list',
      { kind: 'unsupported', what: '/v2/team/app/tags/list' },
    ],
    ['/v2/_catalog', { kind: 'unsupported', what: '/v2/_catalog' }],
  ])('%s', (path, expected) => {
    expect(route(path)).toEqual(expected);
  });

  it.each([
    '/v2/Team/app/manifests/1',
    '/v2/dev/a//b/manifests/1',
    '/v2/../x/manifests/1',
    '/v2/dev/-a/blobs/sha256:1',
  ])('refuses the malformed name in %s with NAME_INVALID', (path) => {
    expect(() => route(path)).toThrow(
      expect.objectContaining({ code: 'NAME_INVALID', status: 400 }),
    );
  });
});
