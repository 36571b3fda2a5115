import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isDigest, type Digest } from '../../core/digest.js';
import { OciError } from '../../core/oci-errors.js';
import type { BlobStore, ManifestStore } from '../../storage/ports.js';
import type { UpstreamClient } from '../client/upstream-client.js';
import { holdLastChunk } from './hold-last-chunk.js';
import { API_HEADERS } from './oci-response.js';
import { parseRange, sliceBytes, type ByteRange } from './range.js';

export interface BlobDeps {
  /** The upstream, or the blob cache in front of it. */
  blobs: {
    getBlob: UpstreamClient['getBlob'];
    headBlob: UpstreamClient['headBlob'];
    /** Present when blobs are cached: ranges and redirects are served from it. */
    store?: BlobStore;
  };
  manifests: Pick<ManifestStore, 'blobAccess'>;
  /** Send full GETs of cached blobs to a short-lived presigned URL (S3). */
  presignedRedirectSeconds: number;
}

type Target = { environment: string; repository: string; reference: string };

/**
 * GET/HEAD of a blob. Served only when a manifest of this repository that
 * references it is eligible in the caller's environment (config, layers and
 * referrer blobs alike). Bytes are verified against the digest while they
 * stream, and the last chunk is held back until they verified; a `Range`
 * is served from verified cache bytes or cut from the verified stream.
 */
export async function serveBlob(
  deps: BlobDeps,
  req: IncomingMessage,
  res: ServerResponse,
  t: Target,
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
    const head = await deps.blobs.headBlob(t.repository, digest);
    if (!head) throw new OciError('BLOB_UNKNOWN', { detail: { digest } });
    return void res
      .writeHead(200, { ...headers, 'Content-Length': String(head.size) })
      .end();
  }
  const store = deps.blobs.store;
  const stored = store ? await store.stat(digest) : undefined;
  if (store && stored) {
    const range = parseRange(req.headers.range, stored.sizeBytes);
    if (range === undefined && deps.presignedRedirectSeconds > 0) {
      const url = await store.presign(digest, deps.presignedRedirectSeconds);
      if (url)
        return void res
          .writeHead(307, {
            ...API_HEADERS,
            Location: url,
            'Content-Length': '0',
          })
          .end();
    }
    if (range === 'unsatisfiable') return unsatisfiable(res, stored.sizeBytes);
    if (store.writeTo) {
      // Files: written from reused buffers (the store verifies as it goes).
      writeBlobHead(res, headers, stored.sizeBytes, range);
      await store.writeTo(digest, res, range ? { range } : {});
      return void res.end();
    }
    const stream = await store.get(digest, range ? { range } : {});
    return send(res, headers, stream, stored.sizeBytes, range, false);
  }
  const blob = await deps.blobs.getBlob(t.repository, digest);
  const range =
    blob.size === undefined
      ? undefined
      : parseRange(req.headers.range, blob.size);
  if (range === 'unsatisfiable') {
    blob.stream.destroy();
    return unsatisfiable(res, blob.size);
  }
  return send(res, headers, blob.stream, blob.size, range, true);
}

/** Writes the blob (or its range); `cut` = the stream is the whole blob and a range must be cut from it. */
async function send(
  res: ServerResponse,
  headers: Record<string, string>,
  stream: Readable,
  size: number | undefined,
  range: ByteRange | undefined,
  cut: boolean,
): Promise<void> {
  writeBlobHead(res, headers, size, range);
  if (range) {
    await (cut
      ? pipeline(stream, sliceBytes(range), holdLastChunk(), res)
      : pipeline(stream, res));
    return;
  }
  await pipeline(stream, holdLastChunk(), res);
}

/** 206 with Content-Range for a range, else 200 (with Content-Length when the size is known). */
function writeBlobHead(
  res: ServerResponse,
  headers: Record<string, string>,
  size: number | undefined,
  range: ByteRange | undefined,
): void {
  if (range) {
    res.writeHead(206, {
      ...headers,
      'Content-Range': `bytes ${range.start}-${range.end}/${size ?? '*'}`,
      'Content-Length': String(range.end - range.start + 1),
    });
    return;
  }
  res.writeHead(
    200,
    size === undefined
      ? headers
      : { ...headers, 'Content-Length': String(size) },
  );
}

function unsatisfiable(res: ServerResponse, size: number | undefined): void {
  res
    .writeHead(416, {
      ...API_HEADERS,
      'Content-Range': `bytes */${size ?? '*'}`,
      'Content-Length': '0',
    })
    .end();
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
