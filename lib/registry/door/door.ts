import {
  countDoorRequest,
  countRefusal,
  doorVerdictOf,
} from '../../metrics/metrics.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AppError } from '../../core/errors.js';
import { OciError } from '../../core/oci-errors.js';
import { serveBlob, type BlobDeps } from './blobs.js';
import {
  serveCatalog,
  serveReferrers,
  serveTags,
  type ListingDeps,
} from './listings.js';
import { serveManifest, type ManifestDeps } from './manifests.js';
import {
  API_HEADERS,
  toOciError,
  writeOciError,
  type DoorSubject,
} from './oci-response.js';
import { routeDoorRequest, type DoorRoute } from './route.js';
import { mayPush } from './push-grants.js';
import { headBlobForPush, passWrite, type WriteDeps } from './writes.js';

/** Who is pulling: the environment their credentials or Host bind them to. */
export interface Caller {
  bound: string | undefined;
  /** For logs: account or token name, `anonymous` otherwise. */
  name: string;
  /** Repositories the caller may push to (push-grants.ts patterns); [] = none. */
  push: readonly string[];
}

export type DoorDeps = ManifestDeps &
  BlobDeps &
  ListingDeps & {
    /** Environment names of the current rules. */
    environments: () => ReadonlySet<string>;
    defaultEnvironment: string;
    /**
     * Identifies the caller; throws OciError UNAUTHORIZED (with its
     * WWW-Authenticate challenge) when credentials are required or wrong.
     */
    identify: (req: IncomingMessage) => Promise<Caller>;
    /** Where to push instead (named in the UNSUPPORTED message of writes). */
    upstreamUrl: string;
    /** Pass-through writes (`door.passThroughWrites`); absent = reads only. */
    writes?: WriteDeps | undefined;
    logger: Logger;
  };

/**
 * The OCI read door on node's own request/response (no framework on the
 * byte path): distribution-spec v1.1 pull and discovery. Serves a manifest,
 * blob or referrer only when it belongs to an image eligible in the
 * caller's environment; everything else gets an OCI error, and a refusal
 * says why in `detail`. Writes are refused UNSUPPORTED, or with
 * `deps.writes` forwarded to the registry for callers that may push
 * (writes.ts). Never throws: every failure is written as an OCI error body.
 */
export function createDoor(
  deps: DoorDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const log = deps.logger.child({ component: 'registry.door' });
  return (req, res) => {
    const isHead = req.method === 'HEAD';
    const state: DoorState = { subject: 'base', kind: 'unrouted' };
    res.once('finish', () =>
      countDoorRequest(
        state.kind,
        state.environment ?? '',
        doorVerdictOf(res.statusCode),
      ),
    );
    handle(deps, req, res, state).catch((err: unknown) => {
      // The request may have no socket any more when a failure is caught
      // (seen after a pass-through write's body was forwarded).
      if (clientWentAway(err, req.socket?.destroyed ?? true)) {
        log.debug(
          { err, url: req.url },
          'client went away before the answer was complete',
        );
        return void res.destroy();
      }
      const oci = toOciError(err, state.subject);
      if (oci.code === 'DENIED') countRefusal('registry', reasonsOf(oci));
      if (oci.code === 'UNKNOWN')
        log.error({ err, url: req.url }, 'unexpected failure serving a read');
      else if (oci.code === 'UNAVAILABLE')
        log.warn({ err, url: req.url }, 'upstream unavailable');
      writeOciError(res, oci, isHead);
    });
  };
}

async function handle(
  deps: DoorDeps,
  req: IncomingMessage,
  res: ServerResponse,
  state: DoorState,
): Promise<void> {
  const caller = await deps.identify(req);
  const pathname = pathnameOf(req.url ?? '/');
  const hint = {
    bound: caller.bound,
    defaultEnvironment: deps.defaultEnvironment,
    environments: deps.environments(),
  };
  const route = routeDoorRequest(pathname, hint);
  if (
    (req.method !== 'GET' && req.method !== 'HEAD') ||
    route.kind === 'upload'
  ) {
    state.kind = 'write';
    if (deps.writes) return passWrite(deps.writes, req, res, { caller, hint });
    throw new OciError('UNSUPPORTED', {
      message: `Customs serves reads only; push to the registry at ${deps.upstreamUrl}`,
    });
  }
  if (route.kind === 'base' && deps.writes && !req.headers.authorization) {
    // Clients learn at /v2/ whether to authenticate at all: without this
    // challenge skopeo and docker would never send the credentials a push
    // needs. Anonymous reads still work through an anonymous token.
    throw new OciError('UNAUTHORIZED', {
      headers: { 'WWW-Authenticate': deps.writes.challenge(req, undefined) },
    });
  }
  state.subject = subjectOf(route);
  state.kind = route.kind;
  if ('environment' in route) state.environment = route.environment;
  if (
    route.kind === 'blob' &&
    req.method === 'HEAD' &&
    deps.writes &&
    mayPush(caller.push, route.repository)
  )
    return headBlobForPush(deps.writes, res, route);
  switch (route.kind) {
    case 'base':
      return void res
        .writeHead(200, {
          ...API_HEADERS,
          'Content-Type': 'application/json',
          'Content-Length': '2',
        })
        .end(req.method === 'HEAD' ? undefined : '{}');
    case 'manifest':
      return serveManifest(deps, req, res, route);
    case 'blob':
      return serveBlob(deps, req, res, route);
    case 'tags':
      return serveTags(deps, req, res, route);
    case 'catalog':
      return serveCatalog(deps, req, res);
    case 'referrers':
      return serveReferrers(deps, req, res, route);
    case 'unsupported':
      throw new OciError('UNSUPPORTED', {
        message: `not an endpoint of the OCI read API: ${route.what}`,
      });
  }
}

/** Node's codes for a connection the other side closed or reset. */
const CLIENT_GONE_CODES = new Set([
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_STREAM_DESTROYED',
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
]);

/**
 * Whether a failure is only the client going away (a cancelled pull or
 * push: the connection closed or reset before the answer was complete):
 * nothing to answer, and nothing wrong with Customs or the registry. An
 * error of Customs or of the upstream is never that, even when the
 * connection is gone by the time it is caught.
 */
export function clientWentAway(
  err: unknown,
  socketDestroyed: boolean,
): boolean {
  if (!socketDestroyed || err instanceof AppError || err instanceof OciError)
    return false;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CLIENT_GONE_CODES.has(code);
}

/**
 * The path of a request target. A plain path (the only kind clients of the
 * API send) is cut at its query without the cost of a URL parse on every
 * pull; anything a URL parser would rewrite (dot segments, backslashes, an
 * absolute form) goes through one, so both give the same answer.
 */
export function pathnameOf(target: string): string {
  if (target.startsWith('/') && !PATH_REWRITTEN_RE.test(target)) {
    const query = target.indexOf('?');
    const end = target.indexOf('#');
    const cut = Math.min(
      query < 0 ? target.length : query,
      end < 0 ? target.length : end,
    );
    return target.slice(0, cut);
  }
  return new URL(target, 'http://door').pathname;
}

/**
 * What the WHATWG URL parser changes in a path: `.`/`..` segments (also
 * `%2e`), `\`, a leading `//`, and what it percent-encodes (controls,
 * spaces, non-ASCII, `"<>` and the like).
 */
const PATH_REWRITTEN_RE = /\/\.|\/%2e|\\|^\/\/|[^\x21-\x7e]|["<>`{}^|]/i;

/** What a request was, for its error body and its metrics. */
interface DoorState {
  subject: DoorSubject;
  kind: string;
  environment?: string;
}

/** The reason codes a DENIED error carries in its detail (none for other refusals). */
function reasonsOf(err: OciError): { code: string }[] {
  const detail = err.detail as { reasons?: unknown } | undefined;
  return Array.isArray(detail?.reasons)
    ? (detail.reasons as { code: string }[])
    : [{ code: 'DENIED' }];
}

function subjectOf(route: DoorRoute): DoorSubject {
  if (route.kind === 'manifest' || route.kind === 'referrers')
    return 'manifest';
  if (route.kind === 'blob') return 'blob';
  if (route.kind === 'tags') return 'repository';
  return 'base';
}
