import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { isDigest, type Digest } from '../../core/digest.js';
import { MANIFEST_MEDIA_TYPES } from '../../core/media-types.js';
import { OciError } from '../../core/oci-errors.js';
import { parseManifestRef } from '../../core/reference.js';
import {
  decide,
  describeDecision,
  type Decision,
} from '../../policy/decide.js';
import type { ManifestStore, VerdictStore } from '../../storage/ports.js';
import type { UpstreamClient } from '../client/upstream-client.js';
import { toOciError, writeOciError, type DoorSubject } from './oci-response.js';
import { routeDoorRequest } from './route.js';

export interface DoorDeps {
  upstream: UpstreamClient;
  manifests: Pick<ManifestStore, 'get' | 'blobAccess'>;
  verdicts: Pick<VerdictStore, 'get'>;
  /** Environment names of the current rules. */
  environments: () => ReadonlySet<string>;
  defaultEnvironment: string;
  /** Asks for a scan of an image pulled before Customs judged it. */
  requestScan: (repository: string, digest: Digest) => Promise<void>;
  /** Where to push instead (named in the UNSUPPORTED message of writes). */
  upstreamUrl: string;
  logger: Logger;
}

const API_HEADERS = { 'Docker-Distribution-API-Version': 'registry/2.0' };

/**
 * The OCI read door on node's own request/response (no framework on the
 * byte path). Serves a manifest or blob only when it belongs to an image
 * eligible in the caller's environment; everything else gets an OCI error,
 * and a refusal says why in `detail`. Never throws: every failure is written
 * as an OCI error body.
 */
export function createDoor(
  deps: DoorDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const log = deps.logger.child({ component: 'registry.door' });
  return (req, res) => {
    const isHead = req.method === 'HEAD';
    let subject: DoorSubject = 'base';
    const work = async (): Promise<void> => {
      if (req.method !== 'GET' && !isHead) {
        throw new OciError('UNSUPPORTED', {
          message: `Customs serves reads only; push to the registry at ${deps.upstreamUrl}`,
        });
      }
      const route = routeDoorRequest(
        new URL(req.url ?? '/', 'http://door').pathname,
        deps.environments(),
        deps.defaultEnvironment,
      );
      if (route.kind === 'base')
        return void res
          .writeHead(200, {
            ...API_HEADERS,
            'Content-Type': 'application/json',
          })
          .end(isHead ? undefined : '{}');
      if (route.kind === 'unsupported')
        throw new OciError('UNSUPPORTED', {
          message: `not supported by Customs yet: ${route.what}`,
        });
      subject = route.kind;
      if (route.kind === 'manifest') await serveManifest(deps, req, res, route);
      else await serveBlob(deps, req, res, route);
    };
    work().catch((err: unknown) => {
      const oci = toOciError(err, subject);
      if (oci.code === 'UNKNOWN')
        log.error({ err, url: req.url }, 'unexpected failure serving a read');
      else if (oci.code === 'UNAVAILABLE')
        log.warn({ err, url: req.url }, 'upstream unavailable');
      writeOciError(res, oci, isHead);
    });
  };
}

interface Target {
  environment: string;
  repository: string;
  reference: string;
}

async function serveManifest(
  deps: DoorDeps,
  req: IncomingMessage,
  res: ServerResponse,
  t: Target,
): Promise<void> {
  const ref = parseManifestRef(t.reference);
  const accept = acceptedTypes(req.headers.accept);
  // Resolve the tag once: everything below is about this digest only.
  const digest =
    ref.kind === 'digest'
      ? ref.digest
      : await resolveTag(deps, t.repository, ref.tag, accept);
  const decision = await decide(deps, t.repository, digest, t.environment);
  if (!decision.allowed) {
    if (decision.status === 'unknown')
      await ensureKnown(deps, t.repository, digest);
    throw refusal(decision, t, digest);
  }
  // Read by digest from the upstream (verified against the digest): a
  // deleted image stops being served, and an unreachable upstream serves nothing.
  const manifest = await deps.upstream.getManifest(t.repository, digest, {
    accept: MANIFEST_MEDIA_TYPES,
  });
  res.writeHead(200, {
    ...API_HEADERS,
    'Content-Type': manifest.mediaType,
    'Content-Length': String(manifest.body.length),
    'Docker-Content-Digest': digest,
    ETag: `"${digest}"`,
  });
  res.end(req.method === 'HEAD' ? undefined : manifest.body);
}

async function serveBlob(
  deps: DoorDeps,
  req: IncomingMessage,
  res: ServerResponse,
  t: Target,
): Promise<void> {
  if (!isDigest(t.reference))
    throw new OciError('DIGEST_INVALID', { detail: { digest: t.reference } });
  const digest = t.reference;
  const access = await deps.manifests.blobAccess(
    t.repository,
    digest,
    t.environment,
  );
  if (!access.servable) {
    if (!access.known)
      throw new OciError('BLOB_UNKNOWN', { detail: { digest } });
    throw new OciError('DENIED', {
      message: `blob ${digest} belongs to no image eligible for ${t.environment} in ${t.repository}`,
      detail: {
        environment: t.environment,
        repository: t.repository,
        digest,
        reasons: [{ code: 'BLOB_NOT_ELIGIBLE' }],
      },
    });
  }
  const headers = {
    ...API_HEADERS,
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest,
    ETag: `"${digest}"`,
  };
  if (req.method === 'HEAD') {
    const head = await deps.upstream.headBlob(t.repository, digest);
    if (!head) throw new OciError('BLOB_UNKNOWN', { detail: { digest } });
    return void res
      .writeHead(200, { ...headers, 'Content-Length': String(head.size) })
      .end();
  }
  const blob = await deps.upstream.getBlob(t.repository, digest);
  res.writeHead(
    200,
    blob.size === undefined
      ? headers
      : { ...headers, 'Content-Length': String(blob.size) },
  );
  // A digest mismatch errors the stream at its end: the client sees a cut
  // transfer (never a clean end of unverified bytes).
  await pipeline(blob.stream, res);
}

async function resolveTag(
  deps: DoorDeps,
  repository: string,
  tag: string,
  accept: readonly string[],
): Promise<Digest> {
  const head = await deps.upstream.headManifest(repository, tag, { accept });
  if (!head) throw new OciError('MANIFEST_UNKNOWN', { detail: { tag } });
  return head.digest;
}

/** An unknown digest is 404 if the upstream lacks it, else it is queued for a scan. */
async function ensureKnown(
  deps: DoorDeps,
  repository: string,
  digest: Digest,
): Promise<void> {
  const head = await deps.upstream.headManifest(repository, digest);
  if (!head) throw new OciError('MANIFEST_UNKNOWN', { detail: { digest } });
  await deps.requestScan(repository, digest);
}

function refusal(decision: Decision, t: Target, digest: Digest): OciError {
  return new OciError('DENIED', {
    message: describeDecision(decision, t.environment),
    detail: {
      verdictId: decision.verdict?.id,
      environment: t.environment,
      repository: t.repository,
      digest,
      status: decision.status,
      reasons: decision.reasons,
    },
  });
}

/** The client's Accept list restricted to manifest types; all of them when it names none. */
function acceptedTypes(header: string | undefined): readonly string[] {
  if (!header) return MANIFEST_MEDIA_TYPES;
  const asked = header
    .split(',')
    .map((p) => p.split(';')[0]!.trim())
    .filter((t) => MANIFEST_MEDIA_TYPES.includes(t));
  return asked.length > 0 ? asked : MANIFEST_MEDIA_TYPES;
}
