import { OciError } from '../../core/oci-errors.js';
import { isRepositoryName } from '../../core/reference.js';

/** A request of the OCI read API, with the environment it is judged for. */
export type DoorRoute =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | {
      kind: 'manifest' | 'blob' | 'referrers';
      environment: string;
      repository: string;
      reference: string;
    }
  | { kind: 'tags'; environment: string; repository: string; prefix: string }
  | { kind: 'upload'; repository: string }
  | { kind: 'unsupported'; what: string };

/** Where the caller's environment comes from, strongest first. */
export interface EnvironmentHint {
  /** Bound by the caller's credentials or the Host name it used. */
  bound: string | undefined;
  defaultEnvironment: string;
  environments: ReadonlySet<string>;
}

const RESOURCE_RE = /^\/v2\/(.+)\/(manifests|blobs|referrers)\/([^/]+)$/;
const TAGS_RE = /^\/v2\/(.+)\/tags\/list$/;
const UPLOAD_RE = /^\/v2\/(.+)\/blobs\/uploads(\/.*)?$/;

/**
 * Parses a `/v2/…` path. A name whose first component is a configured
 * environment (`prod/team/app`) is judged for it and read upstream as
 * `team/app`; a name without one is judged for the environment the caller
 * is bound to, else the default. A prefix that contradicts the binding is
 * refused (DENIED): a prod-bound robot cannot read `dev/…`. Throws OciError
 * NAME_INVALID for a malformed name.
 */
export function routeDoorRequest(
  pathname: string,
  hint: EnvironmentHint,
): DoorRoute {
  if (pathname === '/v2/' || pathname === '/v2') return { kind: 'base' };
  if (pathname === '/v2/_catalog') return { kind: 'catalog' };
  // The cheap tests first: this runs on every pull.
  const upload = pathname.includes('/blobs/uploads')
    ? UPLOAD_RE.exec(pathname)
    : null;
  if (upload) return { kind: 'upload', repository: upload[1] ?? '' };
  const tags = pathname.endsWith('/tags/list') ? TAGS_RE.exec(pathname) : null;
  if (tags) return { kind: 'tags', ...nameOf(tags[1] ?? '', hint) };
  const m = RESOURCE_RE.exec(pathname);
  if (!m) return { kind: 'unsupported', what: pathname };
  const [, name = '', resource = '', reference = ''] = m;
  const kind =
    resource === 'manifests'
      ? 'manifest'
      : resource === 'blobs'
        ? 'blob'
        : 'referrers';
  const { environment, repository } = nameOf(name, hint);
  return {
    kind,
    environment,
    repository,
    reference: reference.includes('%')
      ? decodeURIComponent(reference)
      : reference,
  };
}

/**
 * The environment and upstream repository a name of a path stands for;
 * `prefix` is the environment prefix as written (`prod/`), or ''. Throws
 * OciError DENIED for a prefix that contradicts the binding, NAME_INVALID
 * for a malformed name.
 */
export function nameOf(
  name: string,
  hint: EnvironmentHint,
): { environment: string; repository: string; prefix: string } {
  let environment = hint.bound ?? hint.defaultEnvironment;
  let repository = name;
  let written = '';
  const slash = name.indexOf('/');
  const prefix = slash > 0 ? name.slice(0, slash) : undefined;
  if (prefix !== undefined && hint.environments.has(prefix)) {
    if (hint.bound !== undefined && hint.bound !== prefix) {
      throw new OciError('DENIED', {
        message: `these credentials are bound to ${hint.bound}; they cannot read ${prefix}`,
        detail: { environment: hint.bound, requested: prefix },
      });
    }
    environment = prefix;
    repository = name.slice(slash + 1);
    written = `${prefix}/`;
  }
  if (!isRepositoryName(repository)) {
    throw new OciError('NAME_INVALID', { detail: { name } });
  }
  return { environment, repository, prefix: written };
}
