import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { isDigest, type Digest } from '../../core/digest.js';
import { OciError } from '../../core/oci-errors.js';
import type { ManifestStore } from '../../storage/ports.js';
import type { UpstreamClient } from '../client/upstream-client.js';
import { holdLastChunk } from './hold-last-chunk.js';
import { API_HEADERS } from './oci-response.js';
import { parseRange, sliceBytes } from './range.js';

export interface BlobDeps {
  upstream: Pick<UpstreamClient, 'getBlob' | 'headBlob'>;
  manifests: Pick<ManifestStore, 'blobAccess'>;
}

/**
 * GET/HEAD of a blob. Served only when a manifest of this repository that
 * references it is eligible in the caller's environment (config, layers and
 * referrer blobs alike). Bytes are verified against the digest while they
 * stream; a `Range` is cut from the verified stream.
 */
export async function serveBlob(
  deps: BlobDeps,
  req: IncomingMessage,
  res: ServerResponse,
  t: { environment: string; repository: string; reference: string },
): Promise<void> {
  if (!isDigest(t.reference))
    throw new OciError('DIGEST_INVALID', { detail: { digest: t.reference } });
  const digest = t.reference;
  await checkBlobAccess(deps, t.repository, digest, t.environment);
  const headers = {
    ...API_HEADERS,
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest,
    ETag: `"${digest}"`,
    'Accept-Ranges': 'bytes',
  };
  if (req.method === 'HEAD') {
    const head = await deps.upstream.headBlob(t.repository, digest);
    if (!head) throw new OciError('BLOB_UNKNOWN', { detail: { digest } });
    return void res
      .writeHead(200, { ...headers, 'Content-Length': String(head.size) })
      .end();
  }
  const blob = await deps.upstream.getBlob(t.repository, digest);
  const range =
    blob.size === undefined
      ? undefined
      : parseRange(req.headers.range, blob.size);
  if (range === 'unsatisfiable') {
    blob.stream.destroy();
    return void res
      .writeHead(416, {
        ...API_HEADERS,
        'Content-Range': `bytes */${blob.size ?? '*'}`,
        'Content-Length': '0',
      })
      .end();
  }
  if (range) {
    res.writeHead(206, {
      ...headers,
      'Content-Range': `bytes ${range.start}-${range.end}/${blob.size ?? '*'}`,
      'Content-Length': String(range.end - range.start + 1),
    });
    await pipeline(blob.stream, sliceBytes(range), holdLastChunk(), res);
    return;
  }
  res.writeHead(
    200,
    blob.size === undefined
      ? headers
      : { ...headers, 'Content-Length': String(blob.size) },
  );
  await pipeline(blob.stream, holdLastChunk(), res);
}

async function checkBlobAccess(
  deps: BlobDeps,
  repository: string,
  digest: Digest,
  environment: string,
): Promise<void> {
  const access = await deps.manifests.blobAccess(
    repository,
    digest,
    environment,
  );
  if (access.servable) return;
  if (!access.known) throw new OciError('BLOB_UNKNOWN', { detail: { digest } });
  throw new OciError('DENIED', {
    message: `blob ${digest} belongs to no image eligible for ${environment} in ${repository}`,
    detail: {
      environment,
      repository,
      digest,
      reasons: [{ code: 'BLOB_NOT_ELIGIBLE' }],
    },
  });
}
