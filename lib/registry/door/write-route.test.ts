import { describe, expect, it } from 'vitest';
import { OciError } from '../../core/oci-errors.js';
import { routeWrite } from './write-route.js';

const hint = {
  bound: undefined as string | undefined,
  defaultEnvironment: 'dev',
  environments: new Set(['dev', 'prod']),
};
const route = (method: string, path: string, bound?: string) =>
  routeWrite(method, new URL(path, 'http://door'), { ...hint, bound });

describe('routeWrite', () => {
  it.each([
    [
      'POST',
      '/v2/team/app/blobs/uploads/',
      { repository: 'team/app', rest: 'blobs/uploads/', query: '' },
    ],
    [
      'PATCH',
      '/v2/prod/team/app/blobs/uploads/u-1?_state=a%3D',
      {
        repository: 'team/app',
        written: 'prod/team/app',
        rest: 'blobs/uploads/u-1',
        query: '_state=a%3D',
      },
    ],
    [
      'PUT',
      '/v2/team/app/manifests/1.0',
      { repository: 'team/app', rest: 'manifests/1.0' },
    ],
    [
      'DELETE',
      `/v2/team/app/blobs/sha256:${'a'.repeat(64)}`,
      { rest: `blobs/sha256:${'a'.repeat(64)}` },
    ],
    [
      'POST',
      '/v2/team/app/blobs/uploads/?mount=sha256:ab&from=prod/base/os',
      { mountFrom: 'base/os', query: 'mount=sha256%3Aab&from=base%2Fos' },
    ],
  ])('%s %s', (method, path, expected) => {
    expect(route(method, path)).toMatchObject({ method, ...expected });
  });

  it.each([
    ['PUT', '/v2/team/app/blobs/uploads/'],
    ['POST', '/v2/team/app/manifests/1.0'],
    ['PATCH', '/v2/team/app/manifests/1.0'],
    ['PUT', `/v2/team/app/blobs/sha256:${'a'.repeat(64)}`],
    ['POST', '/v2/team/app/tags/list'],
    ['DELETE', '/v2/_catalog'],
  ])('refuses %s %s as UNSUPPORTED', (method, path) => {
    expect(() => route(method, path)).toThrowError(
      expect.objectContaining({ code: 'UNSUPPORTED' }) as Error,
    );
  });

  it('reads names as pulls do: a prefix must agree with the binding, a name must be valid', () => {
    expect(() =>
      route('POST', '/v2/prod/team/app/blobs/uploads/', 'dev'),
    ).toThrowError(expect.objectContaining({ code: 'DENIED' }) as Error);
    expect(() =>
      route('POST', '/v2/team/app/blobs/uploads/?mount=x&from=prod/a', 'dev'),
    ).toThrowError(expect.objectContaining({ code: 'DENIED' }) as Error);
    expect(() => route('POST', '/v2/Team/App/blobs/uploads/')).toThrow(
      OciError,
    );
  });
});
