/**
 * Manifest reads with byte verification: by digest the body must hash to
 * it; by tag the body must hash to the Docker-Content-Digest the registry
 * announced (when it announced one).
 */
import { createHash } from 'node:crypto';
import { digestAlgorithm, isDigest, type Digest } from '../../core/digest.js';
import { UpstreamError } from '../../core/errors.js';
import { parseManifestRef, type ManifestRef } from '../../core/reference.js';
import {
  contentLength,
  discard,
  header,
  mediaTypeOf,
  readBounded,
  statusError,
  type CallContext,
  type Headers,
} from './response.js';
import type { UpstreamHttp } from './upstream-http.js';
import { pullScope, repositoryPath } from './paths.js';

/** A verified manifest. `body` is exactly the bytes `digest` names. */
export interface ManifestResult {
  digest: Digest;
  mediaType: string;
  body: Buffer;
}

/** What HEAD says about a manifest. */
export interface ManifestHead {
  digest: Digest;
  mediaType: string;
  size: number;
}

/** Arguments shared by manifest reads. */
export interface ManifestRequest {
  repository: string;
  reference: string;
  accept: readonly string[];
  signal?: AbortSignal | undefined;
  maxBytes: number;
}

/** GET a manifest and verify its bytes (see UpstreamClient.getManifest). */
export async function fetchManifest(
  http: UpstreamHttp,
  request: ManifestRequest,
): Promise<ManifestResult> {
  const ref = parseManifestRef(request.reference);
  const context: CallContext = {
    repository: request.repository,
    reference: request.reference,
  };
  const response = await http.request({
    method: 'GET',
    path: `${repositoryPath(request.repository)}/manifests/${request.reference}`,
    scope: pullScope(request.repository),
    accept: request.accept.join(', '),
    signal: request.signal,
    context,
  });
  if (response.statusCode !== 200) throw await statusError(response, context);
  const body = await readBounded(response.body, {
    limit: request.maxBytes,
    declared: contentLength(response.headers),
    context,
  });
  const digest = verifiedDigest(body, ref, {
    headers: response.headers,
    context,
  });
  const mediaType = mediaTypeOf(response.headers) ?? mediaTypeInBody(body);
  if (mediaType === undefined) {
    throw new UpstreamError(
      'UPSTREAM_BAD_RESPONSE',
      'upstream manifest has no media type',
      {
        details: { ...context, upstream: 200, digest },
      },
    );
  }
  return { digest, mediaType, body };
}

/**
 * HEAD a manifest; undefined on 404. Falls back to GET when the registry
 * leaves out Docker-Content-Digest, Content-Type or Content-Length.
 */
export async function headManifest(
  http: UpstreamHttp,
  request: ManifestRequest,
): Promise<ManifestHead | undefined> {
  const ref = parseManifestRef(request.reference);
  const context: CallContext = {
    repository: request.repository,
    reference: request.reference,
  };
  const response = await http.request({
    method: 'HEAD',
    path: `${repositoryPath(request.repository)}/manifests/${request.reference}`,
    scope: pullScope(request.repository),
    accept: request.accept.join(', '),
    signal: request.signal,
    context,
  });
  if (response.statusCode === 404) {
    await discard(response.body);
    return undefined;
  }
  if (response.statusCode !== 200) throw await statusError(response, context);
  await discard(response.body);
  const head = headFromHeaders(response.headers);
  if (head === undefined) return headByGet(http, request);
  if (ref.kind === 'digest' && head.digest !== ref.digest) {
    throw mismatch(context, ref.digest, head.digest);
  }
  return head;
}

async function headByGet(
  http: UpstreamHttp,
  request: ManifestRequest,
): Promise<ManifestHead | undefined> {
  try {
    const { digest, mediaType, body } = await fetchManifest(http, request);
    return { digest, mediaType, size: body.length };
  } catch (err: unknown) {
    if (err instanceof UpstreamError && err.code === 'UPSTREAM_NOT_FOUND')
      return undefined;
    throw err;
  }
}

function headFromHeaders(headers: Headers): ManifestHead | undefined {
  const digest = header(headers, 'docker-content-digest');
  const mediaType = mediaTypeOf(headers);
  const size = contentLength(headers);
  if (
    digest === undefined ||
    !isDigest(digest) ||
    mediaType === undefined ||
    size === undefined
  ) {
    return undefined;
  }
  return { digest, mediaType, size };
}

/** The digest of `body`, checked against what it must be. */
function verifiedDigest(
  body: Buffer,
  ref: ManifestRef,
  response: { headers: Headers; context: CallContext },
): Digest {
  const { headers, context } = response;
  if (ref.kind === 'digest') {
    const actual = digestOf(body, digestAlgorithm(ref.digest));
    if (actual !== ref.digest) throw mismatch(context, ref.digest, actual);
    return actual;
  }
  const announced = header(headers, 'docker-content-digest');
  if (announced === undefined) return digestOf(body, 'sha256');
  if (!isDigest(announced)) {
    throw new UpstreamError(
      'UPSTREAM_BAD_RESPONSE',
      'invalid Docker-Content-Digest from upstream',
      {
        details: { ...context, upstream: 200 },
      },
    );
  }
  const actual = digestOf(body, digestAlgorithm(announced));
  if (actual !== announced) throw mismatch(context, announced, actual);
  return actual;
}

function digestOf(body: Buffer, algorithm: 'sha256' | 'sha512'): Digest {
  return `${algorithm}:${createHash(algorithm).update(body).digest('hex')}`;
}

function mismatch(
  context: CallContext,
  expected: Digest,
  actual: Digest,
): UpstreamError {
  return new UpstreamError(
    'UPSTREAM_DIGEST_MISMATCH',
    'upstream manifest does not match its digest',
    {
      details: { ...context, upstream: 200, expected, actual },
    },
  );
}

/** The `mediaType` field of a JSON manifest, for registries that send no Content-Type. */
function mediaTypeInBody(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'mediaType' in parsed
    ) {
      const { mediaType } = parsed;
      return typeof mediaType === 'string' && mediaType !== ''
        ? mediaType
        : undefined;
    }
  } catch (err: unknown) {
    void err; // not JSON: no media type to find
  }
  return undefined;
}
