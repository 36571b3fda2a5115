/**
 * Blob reads: GET streams through a digest-verifying stream, HEAD reports
 * the size.
 */
import type { Readable } from 'node:stream';
import { isDigest } from '../../core/digest.js';
import { UpstreamError } from '../../core/errors.js';
import { createDigestVerifyingStream } from './digest-verifying-stream.js';
import { digestPath, pullScope, repositoryPath } from './paths.js';
import {
  contentLength,
  discard,
  header,
  statusError,
  type CallContext,
} from './response.js';
import type { UpstreamHttp } from './upstream-http.js';

/** A blob being received; `stream` ends only if the bytes are verified. */
export interface BlobResult {
  size: number | undefined;
  stream: Readable;
}

/** GET a blob (see UpstreamClient.getBlob). */
export async function fetchBlob(
  http: UpstreamHttp,
  request: {
    repository: string;
    digest: string;
    signal?: AbortSignal | undefined;
  },
): Promise<BlobResult> {
  const digest = digestPath(request.digest);
  const context: CallContext = { repository: request.repository, digest };
  const response = await http.request({
    method: 'GET',
    path: `${repositoryPath(request.repository)}/blobs/${digest}`,
    scope: pullScope(request.repository),
    signal: request.signal,
    context,
  });
  if (response.statusCode !== 200) throw await statusError(response, context);
  const size = contentLength(response.headers);
  const stream = createDigestVerifyingStream(response.body, {
    digest,
    sizeBytes: size,
    context,
  });
  return { size, stream };
}

/** HEAD a blob; undefined on 404 (see UpstreamClient.headBlob). */
export async function headBlob(
  http: UpstreamHttp,
  request: {
    repository: string;
    digest: string;
    signal?: AbortSignal | undefined;
  },
): Promise<{ size: number } | undefined> {
  const digest = digestPath(request.digest);
  const context: CallContext = { repository: request.repository, digest };
  const response = await http.request({
    method: 'HEAD',
    path: `${repositoryPath(request.repository)}/blobs/${digest}`,
    scope: pullScope(request.repository),
    signal: request.signal,
    context,
  });
  if (response.statusCode === 404) {
    await discard(response.body);
    return undefined;
  }
  if (response.statusCode !== 200) throw await statusError(response, context);
  await discard(response.body);
  const size = contentLength(response.headers);
  const announced = header(response.headers, 'docker-content-digest');
  if (
    size === undefined ||
    (announced !== undefined && isDigest(announced) && announced !== digest)
  ) {
    throw new UpstreamError(
      'UPSTREAM_BAD_RESPONSE',
      'upstream blob HEAD is inconsistent',
      {
        details: { ...context, upstream: 200, announced, size },
      },
    );
  }
  return { size };
}
