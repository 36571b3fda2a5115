/**
 * The OCI 1.1 referrers API (distribution-spec "Listing Referrers"):
 * `GET /v2/<name>/referrers/<digest>[?artifactType=…]` answers an image
 * index of the manifests whose `subject` is that digest. A registry without
 * the API answers 404; the caller then falls back to the referrers tag
 * schema (`sha256-<hex>` index).
 */
import type { Digest } from '../../core/digest.js';
import { UpstreamError } from '../../core/errors.js';
import { MediaTypes } from '../../core/media-types.js';
import { digestPath, pullScope, repositoryPath } from './paths.js';
import {
  contentLength,
  discard,
  header,
  readBounded,
  statusError,
  type CallContext,
} from './response.js';
import type { UpstreamHttp } from './upstream-http.js';

/** One referrer as the index lists it. */
export interface ReferrerDescriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  artifactType?: string | undefined;
  annotations?: Record<string, string> | undefined;
}

/** Arguments of {@link fetchReferrers}. */
export interface ReferrersRequest {
  repository: string;
  digest: Digest;
  artifactType?: string | undefined;
  signal?: AbortSignal | undefined;
  maxBytes: number;
}

/**
 * Lists the referrers of `digest`; undefined when the registry has no
 * referrers API (404). When the registry did not apply the `artifactType`
 * filter (no `OCI-Filters-Applied` header) it is applied here. Throws
 * UpstreamError like manifest reads (UPSTREAM_BAD_RESPONSE for a body that
 * is not an index).
 */
export async function fetchReferrers(
  http: UpstreamHttp,
  request: ReferrersRequest,
): Promise<ReferrerDescriptor[] | undefined> {
  const repository = repositoryPath(request.repository);
  const digest = digestPath(request.digest);
  const query = request.artifactType
    ? `?artifactType=${encodeURIComponent(request.artifactType)}`
    : '';
  const context: CallContext = { repository, reference: `referrers/${digest}` };
  const response = await http.request({
    method: 'GET',
    path: `${repository}/referrers/${digest}${query}`,
    scope: pullScope(repository),
    accept: MediaTypes.ociIndex,
    signal: request.signal,
    context,
  });
  if (response.statusCode === 404) {
    await discard(response.body);
    return undefined;
  }
  if (response.statusCode !== 200) throw await statusError(response, context);
  const body = await readBounded(response.body, {
    limit: request.maxBytes,
    declared: contentLength(response.headers),
    context,
  });
  const listed = parseReferrersIndex(body, context);
  const filtered = (header(response.headers, 'oci-filters-applied') ?? '')
    .split(',')
    .map((f) => f.trim())
    .includes('artifactType');
  return request.artifactType && !filtered
    ? listed.filter((d) => d.artifactType === request.artifactType)
    : listed;
}

/** The descriptors of a referrers index (API answer or fallback tag). */
export function parseReferrersIndex(
  body: Buffer,
  context: CallContext = {},
): ReferrerDescriptor[] {
  let doc: { manifests?: unknown };
  try {
    doc = JSON.parse(body.toString('utf8')) as { manifests?: unknown };
  } catch {
    throw badIndex(context, 'referrers answer is not JSON');
  }
  if (!Array.isArray(doc.manifests))
    throw badIndex(context, 'referrers answer is not an image index');
  return doc.manifests.flatMap((m: unknown) => {
    const d = m as Partial<ReferrerDescriptor> | null;
    if (
      typeof d !== 'object' ||
      d === null ||
      typeof d.mediaType !== 'string' ||
      typeof d.digest !== 'string' ||
      typeof d.size !== 'number'
    )
      return [];
    try {
      digestPath(d.digest);
    } catch {
      return [];
    }
    return [
      {
        mediaType: d.mediaType,
        digest: d.digest,
        size: d.size,
        artifactType:
          typeof d.artifactType === 'string' ? d.artifactType : undefined,
        annotations: d.annotations,
      },
    ];
  });
}

function badIndex(context: CallContext, message: string): UpstreamError {
  return new UpstreamError('UPSTREAM_BAD_RESPONSE', message, {
    details: { ...context, upstream: 200 },
  });
}
