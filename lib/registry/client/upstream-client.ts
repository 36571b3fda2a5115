/**
 * The upstream OCI distribution client: reads manifests and blobs from the
 * registry Customs guards, over pooled keep-alive undici connections,
 * authenticating as distribution asks (anonymous, Basic, or the Docker
 * token flow) and verifying every byte against its digest.
 *
 * Every failure is an UpstreamError whose `details.upstream` is the
 * upstream's HTTP status, or the network error code (`ECONNREFUSED`,
 * `UND_ERR_HEADERS_TIMEOUT`…) when there was no response. Invalid names and
 * digests from the caller throw ReferenceError before any I/O.
 */
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Digest } from '../../core/digest.js';
import { MANIFEST_MEDIA_TYPES } from '../../core/media-types.js';
import { Authenticator } from './auth.js';
import { fetchBlob, headBlob } from './blobs.js';
import {
  forwardWrite,
  type ForwardedResponse,
  type WriteRequest,
} from './forward.js';
import {
  listRepositories,
  listTags,
  type Page,
  type PageRequest,
} from './listings.js';
import {
  fetchManifest,
  headManifest,
  type ManifestRequest,
} from './manifests.js';
import { fetchReferrers, type ReferrerDescriptor } from './referrers.js';
import { statusError, discard } from './response.js';
import { Transport } from './transport.js';
import { UpstreamHttp } from './upstream-http.js';

/** Options of {@link createUpstreamClient}. Secrets in it are never logged. */
export interface UpstreamClientOptions {
  /** Registry base URL, e.g. `https://registry.example` (no credentials in it). */
  url: string;
  /** Basic credentials, also sent to the token realm (https or same host only). */
  username?: string;
  password?: string;
  /** A static bearer token, sent as is on every request. */
  token?: string;
  /**
   * Hosts besides the upstream's own that a redirect or a token realm may
   * send Customs to (e.g. the object store of presigned blob URLs). Default:
   * none — only the configured upstream is ever contacted.
   */
  allowedHosts?: readonly string[];
  /** Connect, headers and body-idle timeout (default 30 000). */
  timeoutMs?: number;
  /** Largest manifest accepted (default 4 MiB). */
  maxManifestBytes?: number;
  /** Retries after a network error, 408, 429 or 5xx (default 2). */
  retries?: number;
  logger: Logger;
}

export type { Page, PageRequest } from './listings.js';
export type { ForwardedResponse, WriteRequest } from './forward.js';

/** Per-call options. */
export interface CallOptions {
  /**
   * Cancels the call, retries and backoff included. The promise (or a blob
   * stream) then fails with the abort error itself, not an UpstreamError.
   */
  signal?: AbortSignal;
}

/** Manifest call options: `accept` defaults to every manifest type. */
export interface ManifestCallOptions extends CallOptions {
  accept?: readonly string[];
}

/** A client of one upstream registry. Share it; `close()` it at shutdown. */
export interface UpstreamClient {
  /**
   * GET a manifest by tag or digest. The body is verified: by digest it must
   * hash to that digest; by tag to the Docker-Content-Digest sent (if any).
   * Throws UPSTREAM_DIGEST_MISMATCH, UPSTREAM_TOO_LARGE (over
   * maxManifestBytes), UPSTREAM_NOT_FOUND, UPSTREAM_UNAUTHORIZED,
   * UPSTREAM_DENIED, UPSTREAM_UNAVAILABLE, UPSTREAM_BAD_RESPONSE.
   */
  getManifest(
    repository: string,
    reference: string,
    options?: ManifestCallOptions,
  ): Promise<{ digest: Digest; mediaType: string; body: Buffer }>;
  /** HEAD a manifest; undefined when it does not exist (404). */
  headManifest(
    repository: string,
    reference: string,
    options?: ManifestCallOptions,
  ): Promise<{ digest: Digest; mediaType: string; size: number } | undefined>;
  /**
   * GET a blob. `size` is the Content-Length when sent. The caller owns
   * `stream` (read it to the end or destroy it, or the connection is held).
   * It ends only when the bytes hash to `digest` and match the length;
   * otherwise it errors at the end with UPSTREAM_DIGEST_MISMATCH (or
   * UPSTREAM_UNAVAILABLE if the transfer breaks), so a piped consumer must
   * treat an error as "discard what you got".
   */
  getBlob(
    repository: string,
    digest: Digest,
    options?: CallOptions,
  ): Promise<{ size: number | undefined; stream: Readable }>;
  /** HEAD a blob; undefined when it does not exist (404). */
  headBlob(
    repository: string,
    digest: Digest,
    options?: CallOptions,
  ): Promise<{ size: number } | undefined>;
  /** Tags of a repository, one page; undefined when the repository is unknown. */
  listTags(repository: string, page?: PageRequest): Promise<Page | undefined>;
  /** Repositories of the registry (`_catalog`), one page; undefined when not offered. */
  listRepositories(page?: PageRequest): Promise<Page | undefined>;
  /**
   * GET the referrers of `digest` (OCI 1.1 referrers API), filtered by
   * `artifactType` when given; undefined when the registry has no such API
   * (404), so the caller can use the `sha256-<hex>` tag fallback.
   */
  listReferrers(
    repository: string,
    digest: Digest,
    options?: CallOptions & { artifactType?: string },
  ): Promise<ReferrerDescriptor[] | undefined>;
  /**
   * Forwards a write of the push API (pass-through writes) once, bodies
   * streamed both ways; see forward.ts for what it resolves and throws. The
   * caller owns the response body, and judges its Location.
   */
  forwardWrite(request: WriteRequest): Promise<ForwardedResponse>;
  /** GET /v2/ through auth: resolves when the upstream accepts us. */
  ping(options?: CallOptions): Promise<void>;
  /** Closes pooled connections; idempotent. Later calls fail UPSTREAM_UNAVAILABLE. */
  close(): Promise<void>;
}

/** Default of {@link UpstreamClientOptions.timeoutMs}. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default of {@link UpstreamClientOptions.maxManifestBytes}: 4 MiB as distribution. */
export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Default of {@link UpstreamClientOptions.retries}. */
export const DEFAULT_RETRIES = 2;

/**
 * Creates a client of the registry at `options.url`. Throws a plain Error
 * for an invalid URL (configuration is validated before this is called).
 */
export function createUpstreamClient(
  options: UpstreamClientOptions,
): UpstreamClient {
  const { http, transport } = wire(options);
  const maxBytes = options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
  const manifest = (
    repository: string,
    reference: string,
    o: ManifestCallOptions,
  ): ManifestRequest => ({
    repository,
    reference,
    accept: o.accept ?? MANIFEST_MEDIA_TYPES,
    signal: o.signal,
    maxBytes,
  });
  return {
    getManifest: (repository, reference, o = {}) =>
      fetchManifest(http, manifest(repository, reference, o)),
    headManifest: (repository, reference, o = {}) =>
      headManifest(http, manifest(repository, reference, o)),
    getBlob: (repository, digest, o = {}) =>
      fetchBlob(http, { repository, digest, signal: o.signal }),
    listTags: (repository, page = {}) => listTags(http, repository, page),
    listRepositories: (page = {}) => listRepositories(http, page),
    headBlob: (repository, digest, o = {}) =>
      headBlob(http, { repository, digest, signal: o.signal }),
    listReferrers: (repository, digest, o = {}) =>
      fetchReferrers(http, {
        repository,
        digest,
        artifactType: o.artifactType,
        signal: o.signal,
        maxBytes,
      }),
    forwardWrite: (request) => forwardWrite(http, request),
    ping: (o = {}) => ping(http, o.signal),
    close: () => transport.close(),
  };
}

/** Builds the layers: transport (pools, retries) < auth < requests. */
function wire(options: UpstreamClientOptions): {
  http: UpstreamHttp;
  transport: Transport;
} {
  const base = parseBaseUrl(options.url);
  const logger = options.logger.child({
    component: 'registry.client',
    upstreamHost: base.host,
  });
  const transport = new Transport({
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retries: options.retries ?? DEFAULT_RETRIES,
    logger,
  });
  const auth = new Authenticator({
    credentials: {
      username: options.username,
      password: options.password,
      token: options.token,
    },
    upstream: base,
    allowedHosts: options.allowedHosts ?? [],
    transport,
    logger,
  });
  const http = new UpstreamHttp({
    base,
    transport,
    auth,
    allowedHosts: options.allowedHosts ?? [],
  });
  return { http, transport };
}

/** GET /v2/: 200 means the upstream accepts our (possibly empty) credentials. */
async function ping(http: UpstreamHttp, signal?: AbortSignal): Promise<void> {
  const context = { reference: '/v2/' };
  const response = await http.request({
    method: 'GET',
    path: '',
    scope: '',
    signal,
    context,
  });
  if (response.statusCode !== 200) throw await statusError(response, context);
  await discard(response.body);
}

function parseBaseUrl(url: string): URL {
  const base = new URL(url);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new Error(`upstream url must be http(s): ${base.protocol}`);
  }
  if (base.username !== '' || base.password !== '') {
    // Credentials in a URL end up in logs; they belong in username/password.
    throw new Error(
      'upstream url must not contain credentials; use username/password',
    );
  }
  if (base.search !== '' || base.hash !== '') {
    throw new Error('upstream url must not have a query or fragment');
  }
  return base;
}
