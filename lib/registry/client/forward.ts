/**
 * Pass-through writes: the distribution-spec push API forwarded to the
 * registry as is, bodies streamed both ways
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#push).
 */
import type { Readable } from 'node:stream';
import { UpstreamError } from '../../core/errors.js';
import { repositoryPath } from './paths.js';
import { headerValues, readBounded, type Headers } from './response.js';
import type { UpstreamHttp } from './upstream-http.js';
import type { SendOnceRequest } from './transport.js';

/** One request of the push API, for one repository of the registry. */
export interface WriteRequest {
  method: SendOnceRequest['method'];
  repository: string;
  /** The path after `<repository>/`: `blobs/uploads/<id>`, `manifests/<ref>`… */
  rest: string;
  /** The query without `?` (`digest=…`, `mount=…&from=…`, `_state=…`), or ''. */
  query: string;
  /** A cross-repository mount's source, read with the registry's credentials. */
  mountFrom?: string | undefined;
  /** Request headers to pass on (Content-Type, Content-Length, Content-Range). */
  headers: Record<string, string>;
  /** The request body, streamed once; undefined when there is none. */
  body?: Readable | undefined;
  signal?: AbortSignal | undefined;
}

/** The registry's answer: success, a redirect or 416; the caller owns `body`. */
export interface ForwardedResponse {
  status: number;
  headers: Headers;
  body: Readable;
}

/** Path segments a push API path may hold (ids, tags, digests): no `..`, `%`, `?`. */
const REST_RE =
  /^(?:blobs\/uploads\/[A-Za-z0-9_=.-]*|blobs\/[a-z0-9]+:[a-f0-9]+|manifests\/[A-Za-z0-9_.:-]+)$/;
/** Error bodies read to find their OCI code; the rest is never passed on. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Forwards a write with the registry's credentials for
 * `repository:<name>:pull,push`. Resolves with the response when the
 * registry accepted it (< 400) or answered 416 (a chunk out of order, with
 * its Range). Throws ReferenceError NAME_INVALID for a bad name,
 * UPSTREAM_BAD_RESPONSE for a path outside the push API,
 * UPSTREAM_UNAUTHORIZED / UPSTREAM_DENIED when the registry refused the
 * credentials of Customs, UPSTREAM_UNAVAILABLE on 5xx or a broken
 * connection, and UPSTREAM_REFUSED (details.ociCode) for any other error.
 */
export async function forwardWrite(
  http: UpstreamHttp,
  write: WriteRequest,
): Promise<ForwardedResponse> {
  const repository = repositoryPath(write.repository);
  const context = { repository, reference: write.rest, method: write.method };
  if (!REST_RE.test(write.rest) || write.rest.includes('..')) {
    throw new UpstreamError('UPSTREAM_BAD_RESPONSE', 'not a push API path', {
      details: context,
    });
  }
  const scopes = [`repository:${repository}:pull,push`];
  if (write.mountFrom !== undefined)
    scopes.push(`repository:${repositoryPath(write.mountFrom)}:pull`);
  const response = await http.forward({
    method: write.method,
    path: `${repository}/${write.rest}${write.query ? `?${write.query}` : ''}`,
    scope: scopes.join(' '),
    headers: write.headers,
    body: write.body,
    signal: write.signal,
    context,
  });
  const status = response.statusCode;
  if (status < 400 || status === 416)
    return { status, headers: response.headers, body: response.body };
  throw await refusal(status, response, context);
}

async function refusal(
  status: number,
  response: { headers: Headers; body: Readable },
  context: Record<string, string>,
): Promise<UpstreamError> {
  const details: Record<string, unknown> = { ...context, upstream: status };
  if (status === 401) {
    details['wwwAuthenticate'] = headerValues(
      response.headers,
      'www-authenticate',
    ).join(', ');
  }
  const ociCode = await firstOciCode(response.body, context);
  if (status === 401 || status === 403)
    return new UpstreamError(
      status === 401 ? 'UPSTREAM_UNAUTHORIZED' : 'UPSTREAM_DENIED',
      'upstream refused the write with our credentials',
      { details },
    );
  if (status >= 500)
    return new UpstreamError('UPSTREAM_UNAVAILABLE', 'upstream failed', {
      details,
    });
  return new UpstreamError('UPSTREAM_REFUSED', 'upstream refused the write', {
    details: { ...details, ociCode },
  });
}

/** The code of the first error of an OCI error body, if it has one. */
async function firstOciCode(
  body: Readable,
  context: Record<string, string>,
): Promise<string | undefined> {
  try {
    const text = await readBounded(body, {
      limit: MAX_ERROR_BODY_BYTES,
      declared: undefined,
      context,
    });
    const parsed = JSON.parse(text.toString('utf8')) as {
      errors?: Array<{ code?: unknown }>;
    };
    const code = parsed.errors?.[0]?.code;
    return typeof code === 'string' ? code : undefined;
  } catch (err: unknown) {
    void err; // no (readable) OCI body: the status alone decides
    return undefined;
  }
}
