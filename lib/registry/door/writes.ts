import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { isDigest } from '../../core/digest.js';
import { OciError } from '../../core/oci-errors.js';
import type { UpstreamClient } from '../client/upstream-client.js';
import type { Caller } from './door.js';
import { localLocation } from './location.js';
import { API_HEADERS } from './oci-response.js';
import { mayPush } from './push-grants.js';
import type { EnvironmentHint } from './route.js';
import { routeWrite, type WriteRoute } from './write-route.js';

/** What pass-through writes need; absent from the door when they are off. */
export interface WriteDeps {
  upstream: Pick<UpstreamClient, 'forwardWrite' | 'headBlob'>;
  /** The registry's URL: a Location there is turned into one at Customs. */
  upstreamUrl: string;
  /** The `WWW-Authenticate` challenge, for a token of `scope` if given. */
  challenge: (req: IncomingMessage, scope: string | undefined) => string;
  /** A manifest write through the door moved or removed these tags. */
  tagsWritten?: (repository: string, tags: string[]) => void;
}

/** Request headers of the push API passed on to the registry. */
const REQUEST_HEADERS = ['content-type', 'content-length', 'content-range'];
/** Response headers of the push API passed back (Location rewritten). */
const RESPONSE_HEADERS = [
  'content-type',
  'content-length',
  'content-range',
  'range',
  'docker-upload-uuid',
  'docker-content-digest',
  'oci-subject',
];

/**
 * Forwards a request of the push API to the registry when the caller may
 * push to its repository, streaming the body both ways. Without a grant:
 * UNAUTHORIZED with a push-scope challenge for a caller without
 * credentials (so docker, podman and skopeo log in), DENIED otherwise. A
 * Location on the registry is rewritten to the same path at Customs; one
 * leading anywhere else is refused (UNAVAILABLE). Nothing is judged here: a
 * pushed image is announced by the registry's notification and scanned
 * like any other, and not served before it is judged.
 */
export async function passWrite(
  deps: WriteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  who: { caller: Caller; hint: EnvironmentHint },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://door');
  const route = routeWrite(req.method ?? '', url, who.hint);
  authorize(deps, req, who.caller, route);
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  const forwarded = await deps.upstream.forwardWrite({
    method: route.method,
    repository: route.repository,
    rest: route.rest,
    query: route.query,
    mountFrom: route.mountFrom,
    headers: pick(req.headers, REQUEST_HEADERS),
    body: hasBody(req) ? req : undefined,
    signal: abort.signal,
  });
  if (forwarded.status < 400)
    deps.tagsWritten?.(route.repository, tagsOf(route));
  const headers: Record<string, string> = {
    ...pick(forwarded.headers, RESPONSE_HEADERS),
    ...API_HEADERS,
  };
  const location = first(forwarded.headers['location']);
  if (location !== undefined) {
    const local = localLocation(location, {
      upstreamUrl: deps.upstreamUrl,
      repository: route.repository,
      written: route.written,
    });
    if (local === undefined) {
      forwarded.body.destroy();
      throw new OciError('UNAVAILABLE', {
        message:
          'the upstream registry sent a Location outside itself; refused',
      });
    }
    headers['Location'] = local;
  }
  // A 416 (chunk out of order) says all in its Range; its body is the
  // registry's own text, which is never passed on.
  const isBodyPassedOn = req.method !== 'HEAD' && forwarded.status < 400;
  if (!isBodyPassedOn) {
    forwarded.body.destroy();
    if (forwarded.status >= 400) headers['content-length'] = '0';
    return void res.writeHead(forwarded.status, headers).end();
  }
  res.writeHead(forwarded.status, headers);
  await pipeline(forwarded.body, res);
}

/**
 * The tags a manifest PUT or DELETE names: its reference when that is a
 * tag, and the `tag` parameters of a PUT by digest (distribution-spec 1.1).
 */
function tagsOf(route: WriteRoute): string[] {
  if (!route.rest.startsWith('manifests/')) return [];
  const reference = route.rest.slice('manifests/'.length);
  const tags = new URLSearchParams(route.query).getAll('tag');
  return isDigest(reference) ? tags : [reference, ...tags];
}

/**
 * `HEAD` of a blob for a caller who may push to the repository: whether the
 * registry has it (no bytes), as clients ask before uploading each blob. A
 * judged HEAD would refuse a layer shared with an ineligible image and so
 * break the push of its fix. Throws OciError BLOB_UNKNOWN when absent.
 */
export async function headBlobForPush(
  deps: WriteDeps,
  res: ServerResponse,
  t: { repository: string; reference: string },
): Promise<void> {
  if (!isDigest(t.reference))
    throw new OciError('DIGEST_INVALID', { detail: { digest: t.reference } });
  const head = await deps.upstream.headBlob(t.repository, t.reference);
  if (!head)
    throw new OciError('BLOB_UNKNOWN', { detail: { digest: t.reference } });
  res
    .writeHead(200, {
      ...API_HEADERS,
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(head.size),
      'Docker-Content-Digest': t.reference,
    })
    .end();
}

function authorize(
  deps: WriteDeps,
  req: IncomingMessage,
  caller: Caller,
  route: WriteRoute,
): void {
  if (mayPush(caller.push, route.repository)) return;
  if (caller.name === 'anonymous') {
    const scope = `repository:${route.written}:pull,push`;
    throw new OciError('UNAUTHORIZED', {
      message: 'pushing needs credentials that may push',
      headers: { 'WWW-Authenticate': deps.challenge(req, scope) },
    });
  }
  throw new OciError('DENIED', {
    message: `${caller.name} may not push to ${route.repository}`,
    detail: { repository: route.repository },
  });
}

/** A request carries a body when it says so (length > 0, or chunked). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

function pick(
  headers: Record<string, string | string[] | undefined>,
  names: readonly string[],
): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = first(headers[name]);
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
