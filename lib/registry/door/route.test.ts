import { describe, expect, it } from 'vitest';
import { routeDoorRequest } from './route.js';

const envs = new Set(['dev', 'test', 'prod']);
const route = (p: string, bound?: string) =>
  routeDoorRequest(p, {
    bound,
    defaultEnvironment: 'prod',
    environments: envs,
  });

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
      '/v2/dev/team/app/tags/list',
      {
        kind: 'tags',
        environment: 'dev',
        repository: 'team/app',
        prefix: 'dev/',
      },
    ],
    [
      '/v2/team/app/tags/list',
      { kind: 'tags', environment: 'prod', repository: 'team/app', prefix: '' },
    ],
    ['/v2/_catalog', { kind: 'catalog' }],
    [
      `/v2/prod/app/referrers/sha256:${'a'.repeat(64)}`,
      {
        kind: 'referrers',
        environment: 'prod',
        repository: 'app',
        reference: `sha256:${'a'.repeat(64)}`,
      },
    ],
    ['/v2/app/blobs/uploads/', { kind: 'upload', repository: 'app' }],
    ['/v2/app/blobs/uploads/1234', { kind: 'upload', repository: 'app' }],
    ['/v2/app/other', { kind: 'unsupported', what: '/v2/app/other' }],
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

  it('judges a name without prefix for the environment the caller is bound to', () => {
    expect(route('/v2/team/app/manifests/1', 'dev')).toMatchObject({
      environment: 'dev',
      repository: 'team/app',
    });
    expect(route('/v2/dev/team/app/manifests/1', 'dev')).toMatchObject({
      environment: 'dev',
      repository: 'team/app',
    });
  });

  it('refuses a prefix that contradicts the caller binding', () => {
    expect(() => route('/v2/prod/team/app/manifests/1', 'dev')).toThrow(
      expect.objectContaining({ code: 'DENIED', status: 403 }),
    );
  });
});
