import { OciError } from '../../core/oci-errors.js';
import { nameOf, type EnvironmentHint } from './route.js';

/** A request of the distribution-spec push API, as the door forwards it. */
export interface WriteRoute {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The upstream repository (without an environment prefix). */
  repository: string;
  /** The name as the client wrote it (`dev/team/app`), for Locations. */
  written: string;
  /** The path after the name: `blobs/uploads/<id>`, `manifests/<ref>`… */
  rest: string;
  /** The query for the upstream, a mount's `from` mapped like the name. */
  query: string;
  /** A cross-repository mount's source repository. */
  mountFrom: string | undefined;
}

const PUSH_RE =
  /^\/v2\/(.+)\/(blobs\/uploads\/[^/]*|blobs\/[^/]+|manifests\/[^/]+)$/;
/** The methods of each kind of push API path (distribution-spec "Push"). */
const ALLOWED: Record<string, readonly string[]> = {
  uploadStart: ['POST'],
  upload: ['GET', 'HEAD', 'PATCH', 'PUT', 'DELETE'],
  blob: ['DELETE'],
  manifest: ['PUT', 'DELETE'],
};

/**
 * Parses a push API request: the name is resolved as for reads (an
 * environment prefix is stripped, and must agree with the binding), and so
 * is the `from` of a cross-repository mount. Throws OciError UNSUPPORTED
 * for anything else than the push API, NAME_INVALID, DENIED as nameOf.
 */
export function routeWrite(
  method: string,
  url: URL,
  hint: EnvironmentHint,
): WriteRoute {
  const m = PUSH_RE.exec(url.pathname);
  const kind = m ? kindOf(m[2] ?? '') : undefined;
  if (!m || kind === undefined || !ALLOWED[kind]?.includes(method)) {
    throw new OciError('UNSUPPORTED', {
      message: `not an endpoint of the OCI push API: ${method} ${url.pathname}`,
    });
  }
  const written = m[1] ?? '';
  const { repository } = nameOf(written, hint);
  const params = new URLSearchParams(url.search);
  const from = params.get('from');
  const mountFrom = from === null ? undefined : nameOf(from, hint).repository;
  if (mountFrom !== undefined) params.set('from', mountFrom);
  return {
    method: method as WriteRoute['method'],
    repository,
    written,
    rest: m[2] ?? '',
    query: params.toString(),
    mountFrom,
  };
}

function kindOf(rest: string): string | undefined {
  if (rest === 'blobs/uploads/') return 'uploadStart';
  if (rest.startsWith('blobs/uploads/')) return 'upload';
  if (rest.startsWith('blobs/')) return 'blob';
  if (rest.startsWith('manifests/')) return 'manifest';
  return undefined;
}
