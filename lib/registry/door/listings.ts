import type { IncomingMessage, ServerResponse } from 'node:http';
import { isDigest, type Digest } from '../../core/digest.js';
import { MediaTypes } from '../../core/media-types.js';
import { OciError } from '../../core/oci-errors.js';
import { decide } from '../../policy/decide.js';
import type { VerdictSource } from '../../policy/verdict-source.js';
import type { ServingIndex } from '../../storage/ports.js';
import type { Page, UpstreamClient } from '../client/upstream-client.js';
import { API_HEADERS } from './oci-response.js';

export interface ListingDeps {
  upstream: Pick<UpstreamClient, 'listTags' | 'listRepositories'>;
  serving: Pick<ServingIndex, 'referrersOf'>;
  verdicts: VerdictSource;
}

const MAX_PAGE = 10_000;
/** Names asked of the upstream per page, and most names of one listing. */
const UPSTREAM_PAGE = 1000;
const MAX_NAMES = 100_000;

/**
 * `GET /v2/<name>/tags/list?n=&last=`: the upstream's tags, page by page.
 * Tags are names, not content: every pull of one is still judged.
 */
export async function serveTags(
  deps: ListingDeps,
  req: IncomingMessage,
  res: ServerResponse,
  t: { environment: string; repository: string; prefix: string },
): Promise<void> {
  const names = await collect((page) =>
    deps.upstream.listTags(t.repository, page),
  );
  if (!names) {
    throw new OciError('NAME_UNKNOWN', {
      detail: { repository: t.repository },
    });
  }
  const path = `/v2/${t.prefix}${t.repository}/tags/list`;
  const { items, link } = paginate(names, pageOf(req), path);
  sendPage(req, res, { name: `${t.prefix}${t.repository}`, tags: items }, link);
}

/** `GET /v2/_catalog?n=&last=`: the upstream's repositories. */
export async function serveCatalog(
  deps: ListingDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const names = await collect((page) => deps.upstream.listRepositories(page));
  if (!names) {
    throw new OciError('UNSUPPORTED', {
      message: 'the upstream registry offers no catalog',
    });
  }
  const { items, link } = paginate(names, pageOf(req), '/v2/_catalog');
  sendPage(req, res, { repositories: items }, link);
}

/**
 * `GET /v2/<name>/referrers/<digest>[?artifactType=]` (distribution-spec
 * v1.1): the signatures, attestations and SBOMs Customs knows for the
 * subject, whatever way they were found upstream (API, tag fallback or
 * legacy tags). Listed only when the subject is eligible in the caller's
 * environment; an empty index otherwise is not an answer a gate may give,
 * so an ineligible subject is refused.
 */
export async function serveReferrers(
  deps: ListingDeps,
  req: IncomingMessage,
  res: ServerResponse,
  t: { environment: string; repository: string; reference: string },
): Promise<void> {
  if (!isDigest(t.reference))
    throw new OciError('DIGEST_INVALID', { detail: { digest: t.reference } });
  const subject: Digest = t.reference;
  const decision = await decide(
    deps.verdicts,
    t.repository,
    subject,
    t.environment,
  );
  if (!decision.allowed) {
    throw new OciError('DENIED', {
      message: `the subject is not eligible for ${t.environment}`,
      detail: {
        environment: t.environment,
        repository: t.repository,
        digest: subject,
        status: decision.status,
        reasons: decision.reasons,
      },
    });
  }
  const wanted = new URL(req.url ?? '/', 'http://door').searchParams.get(
    'artifactType',
  );
  const all = await deps.serving.referrersOf(t.repository, subject);
  const manifests = all
    .filter((r) => wanted === null || r.artifactType === wanted)
    .map((r) => ({
      mediaType: r.mediaType,
      digest: r.digest,
      size: r.sizeBytes,
      ...(r.artifactType ? { artifactType: r.artifactType } : {}),
    }));
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociIndex,
      manifests,
    }),
  );
  res.writeHead(200, {
    ...API_HEADERS,
    'Content-Type': MediaTypes.ociIndex,
    'Content-Length': String(body.length),
    ...(wanted === null ? {} : { 'OCI-Filters-Applied': 'artifactType' }),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function pageOf(req: IncomingMessage): {
  n: number | undefined;
  last: string | undefined;
} {
  const params = new URL(req.url ?? '/', 'http://door').searchParams;
  const n = params.get('n');
  if (n !== null && !/^\d+$/.test(n))
    throw new OciError('UNSUPPORTED', {
      message: 'n must be a non-negative integer',
    });
  return {
    n: n === null ? undefined : Math.min(Number(n), MAX_PAGE),
    last: params.get('last') ?? undefined,
  };
}

/**
 * Every name of an upstream listing, following its pages. Paging is then
 * done here, the same way whatever the upstream supports (distribution 2.8
 * ignores `n` on tags/list).
 */
async function collect(
  fetchPage: (page: { n?: number; last?: string }) => Promise<Page | undefined>,
): Promise<string[] | undefined> {
  const names: string[] = [];
  let page = await fetchPage({ n: UPSTREAM_PAGE });
  if (!page) return undefined;
  for (;;) {
    names.push(...page.names);
    if (!page.next || names.length >= MAX_NAMES) break;
    page = await fetchPage({ n: UPSTREAM_PAGE, last: page.next.last });
    if (!page) break;
  }
  return [...new Set(names)].sort();
}

/** distribution-spec "Listing Tags": lexical order, `n` after `last`, Link to the rest. */
function paginate(
  all: string[],
  page: { n: number | undefined; last: string | undefined },
  path: string,
): { items: string[]; link: string | undefined } {
  const after =
    page.last === undefined ? all : all.filter((name) => name > page.last!);
  if (page.n === undefined || after.length <= page.n)
    return { items: after, link: undefined };
  const items = after.slice(0, page.n);
  const params = new URLSearchParams({
    n: String(page.n),
    last: items[items.length - 1] ?? '',
  });
  return { items, link: `<${path}?${params.toString()}>; rel="next"` };
}

function sendPage(
  req: IncomingMessage,
  res: ServerResponse,
  doc: object,
  link: string | undefined,
): void {
  const body = Buffer.from(JSON.stringify(doc));
  res.writeHead(200, {
    ...API_HEADERS,
    'Content-Type': 'application/json',
    'Content-Length': String(body.length),
    ...(link ? { Link: link } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
