import { OciError } from '../../core/oci-errors.js';
import { isRepositoryName } from '../../core/reference.js';

/** A request of the OCI read API, with the environment it is judged for. */
export type DoorRoute =
  | { kind: 'base' }
  | {
      kind: 'manifest' | 'blob';
      environment: string;
      repository: string;
      reference: string;
    }
  | { kind: 'unsupported'; what: string };

const RESOURCE_RE = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/;

/**
 * Parses `/v2/<name>/(manifests|blobs)/<ref>`. A name whose first component
 * is a configured environment (`prod/team/app`) is judged for it and read
 * upstream as `team/app`; any other name is judged for `defaultEnvironment`.
 * Throws OciError NAME_INVALID for a malformed name.
 */
export function routeDoorRequest(
  pathname: string,
  environments: ReadonlySet<string>,
  defaultEnvironment: string,
): DoorRoute {
  if (pathname === '/v2/' || pathname === '/v2') return { kind: 'base' };
  const m = RESOURCE_RE.exec(pathname);
  if (!m) return { kind: 'unsupported', what: pathname };
  const [, name = '', resource, reference = ''] = m;
  let environment = defaultEnvironment;
  let repository = name;
  const slash = name.indexOf('/');
  if (slash > 0 && environments.has(name.slice(0, slash))) {
    environment = name.slice(0, slash);
    repository = name.slice(slash + 1);
  }
  if (!isRepositoryName(repository)) {
    throw new OciError('NAME_INVALID', { detail: { name } });
  }
  return {
    kind: resource === 'manifests' ? 'manifest' : 'blob',
    environment,
    repository,
    reference: decodeURIComponent(reference),
  };
}
