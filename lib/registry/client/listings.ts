/**
 * Paged listings of the distribution API: `tags/list` and `_catalog`
 * (distribution-spec "Listing Tags", registry API "Catalog"), with the
 * `n` / `last` page parameters and the next page read from the `Link` header.
 */
import { UpstreamError } from '../../core/errors.js';
import {
  contentLength,
  discard,
  header,
  readBounded,
  statusError,
  type CallContext,
} from './response.js';
import type { UpstreamHttp } from './upstream-http.js';
import { pullScope, repositoryPath } from './paths.js';

/** A page request: at most `n` entries after `last` (both optional). */
export interface PageRequest {
  n?: number | undefined;
  last?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** A page of names and where the next page starts, if the registry says. */
export interface Page {
  names: string[];
  next: { n: number | undefined; last: string } | undefined;
}

/** Listings are small JSON documents; a larger answer is refused. */
const MAX_LISTING_BYTES = 16 * 1024 * 1024;
const LINK_RE = /<([^>]+)>\s*;\s*rel="?next"?/;

/** GET `/v2/<name>/tags/list`; undefined when the repository is unknown (404). */
export async function listTags(
  http: UpstreamHttp,
  repository: string,
  page: PageRequest,
): Promise<Page | undefined> {
  const context: CallContext = { repository, listing: 'tags' };
  return list(http, {
    path: `${repositoryPath(repository)}/tags/list${query(page)}`,
    scope: pullScope(repository),
    field: 'tags',
    context,
    signal: page.signal,
  });
}

/** GET `/v2/_catalog` (needs a registry that offers it; 404 → undefined). */
export async function listRepositories(
  http: UpstreamHttp,
  page: PageRequest,
): Promise<Page | undefined> {
  return list(http, {
    path: `_catalog${query(page)}`,
    scope: 'registry:catalog:*',
    field: 'repositories',
    context: { listing: 'catalog' },
    signal: page.signal,
  });
}

async function list(
  http: UpstreamHttp,
  call: {
    path: string;
    scope: string;
    field: 'tags' | 'repositories';
    context: CallContext;
    signal: AbortSignal | undefined;
  },
): Promise<Page | undefined> {
  const response = await http.request({
    method: 'GET',
    path: call.path,
    scope: call.scope,
    signal: call.signal,
    context: call.context,
    accept: 'application/json',
  });
  if (response.statusCode === 404) {
    await discard(response.body);
    return undefined;
  }
  if (response.statusCode !== 200)
    throw await statusError(response, call.context);
  const body = await readBounded(response.body, {
    limit: MAX_LISTING_BYTES,
    declared: contentLength(response.headers),
    context: call.context,
  });
  let names: unknown;
  try {
    names = (JSON.parse(body.toString('utf8')) as Record<string, unknown>)[
      call.field
    ];
  } catch {
    throw new UpstreamError(
      'UPSTREAM_BAD_RESPONSE',
      `upstream ${call.field} listing is not JSON`,
      { details: { ...call.context, upstream: 200 } },
    );
  }
  if (names === null || names === undefined) names = [];
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
    throw new UpstreamError(
      'UPSTREAM_BAD_RESPONSE',
      `upstream ${call.field} listing is malformed`,
      { details: { ...call.context, upstream: 200 } },
    );
  }
  return { names, next: nextPage(header(response.headers, 'link')) };
}

function query(page: PageRequest): string {
  const params = new URLSearchParams();
  if (page.n !== undefined) params.set('n', String(page.n));
  if (page.last !== undefined) params.set('last', page.last);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The `n` and `last` of a `Link: <…?n=2&last=b>; rel="next"` header. */
function nextPage(link: string | undefined): Page['next'] {
  const target = link ? LINK_RE.exec(link)?.[1] : undefined;
  if (!target) return undefined;
  const params = new URL(target, 'http://upstream').searchParams;
  const last = params.get('last');
  if (last === null) return undefined;
  const n = params.get('n');
  return { n: n === null ? undefined : Number(n), last };
}
