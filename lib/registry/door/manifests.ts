import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Digest } from '../../core/digest.js';
import { MANIFEST_MEDIA_TYPES } from '../../core/media-types.js';
import { hasCode } from '../../core/errors.js';
import { OciError } from '../../core/oci-errors.js';
import { parseManifestRef } from '../../core/reference.js';
import {
  decide,
  decideNow,
  describeDecision,
  type Decision,
} from '../../policy/decide.js';
import type { VerdictSource } from '../../policy/verdict-source.js';
import type { UpstreamClient } from '../client/upstream-client.js';
import { API_HEADERS } from './oci-response.js';
import type { TagResolver } from './tag-cache.js';

export interface ManifestDeps {
  upstream: Pick<UpstreamClient, 'getManifest' | 'headManifest'>;
  /** Tag → digest now: the upstream's answer, or the tag cache's (tag-cache.ts). */
  resolveTag: TagResolver;
  verdicts: VerdictSource & {
    /** Resolves when a verdict of the image is written, or after `timeoutMs`. */
    written(
      repository: string,
      digest: Digest,
      timeoutMs: number,
    ): Promise<void>;
  };
  /** Asks for a scan of an image pulled before Customs judged it. */
  requestScan: (repository: string, digest: Digest) => Promise<void>;
  /** How long a first pull waits for the scan it started (0 = refuse at once). */
  holdUnjudgedMs: number;
  /**
   * With a blob cache, manifests are served by digest from the verified
   * copies Customs stored (a digest's content never changes), and while the
   * upstream is down tags resolve to what Customs last heard. Undefined =
   * every read goes to the upstream, and nothing is served without it.
   */
  local?: {
    tagged(repository: string, tag: string): Promise<Digest | undefined>;
    manifest(
      digest: Digest,
    ): Promise<{ mediaType: string; body: Buffer } | undefined>;
    /** The manifest when it is in memory now, without a read. */
    remembered(digest: Digest): { mediaType: string; body: Buffer } | undefined;
  };
}

interface Target {
  environment: string;
  repository: string;
  reference: string;
}

/**
 * GET/HEAD of a manifest by tag or digest. A tag is resolved once, and
 * everything after is about that digest; what is served is read by digest
 * and verified against it, so what was judged is what is sent. An image
 * Customs has not judged is scanned now and the request held up to
 * `holdUnjudgedMs`; unjudged content is never served.
 */
export async function serveManifest(
  deps: ManifestDeps,
  req: IncomingMessage,
  res: ServerResponse,
  t: Target,
): Promise<void> {
  const ref = parseManifestRef(t.reference);
  const accept = acceptedTypes(req.headers.accept);
  const digest =
    ref.kind === 'digest'
      ? ref.digest
      : await unlessDown(
          deps,
          () => resolveTag(deps, t.repository, ref.tag, accept),
          () => deps.local?.tagged(t.repository, ref.tag),
        );
  let decision =
    decideNow(deps.verdicts, t.repository, digest, t.environment) ??
    (await decide(deps.verdicts, t.repository, digest, t.environment));
  if (decision.status === 'unknown' || decision.status === 'pending') {
    decision = await holdForVerdict(deps, t, digest, decision);
  }
  if (!decision.allowed) throw refusal(decision, t, digest);
  // Read by digest and verified against it: from the stored copy when
  // there is a cache, else from the upstream (a deleted image stops being
  // served, and an unreachable upstream serves nothing).
  const manifest =
    deps.local?.remembered(digest) ??
    (await deps.local?.manifest(digest)) ??
    (await deps.upstream.getManifest(t.repository, digest, {
      accept: MANIFEST_MEDIA_TYPES,
    }));
  res.writeHead(200, {
    ...API_HEADERS,
    'Content-Type': manifest.mediaType,
    'Content-Length': String(manifest.body.length),
    'Docker-Content-Digest': digest,
    ETag: `"${digest}"`,
  });
  res.end(req.method === 'HEAD' ? undefined : manifest.body);
}

/**
 * `online()`, or — when the upstream is unavailable and a local source is
 * configured — what that source knows; the upstream's error otherwise.
 */
async function unlessDown<T>(
  deps: ManifestDeps,
  online: () => Promise<T>,
  offline: () => Promise<T | undefined> | undefined,
): Promise<T> {
  try {
    return await online();
  } catch (err: unknown) {
    if (!deps.local || !hasCode(err, 'UPSTREAM_UNAVAILABLE')) throw err;
    const known = await offline();
    if (known === undefined) throw err;
    return known;
  }
}

/** Scans an unjudged image now and waits for its verdict, within the hold time. */
async function holdForVerdict(
  deps: ManifestDeps,
  t: Target,
  digest: Digest,
  first: Decision,
): Promise<Decision> {
  if (first.status === 'unknown') {
    const head = await deps.upstream.headManifest(t.repository, digest);
    if (!head) throw new OciError('MANIFEST_UNKNOWN', { detail: { digest } });
    await deps.requestScan(t.repository, digest);
  }
  const deadline = Date.now() + deps.holdUnjudgedMs;
  let decision = first;
  while (
    (decision.status === 'unknown' || decision.status === 'pending') &&
    Date.now() < deadline
  ) {
    await deps.verdicts.written(
      t.repository,
      decision.judgedDigest,
      deadline - Date.now(),
    );
    decision = await decide(deps.verdicts, t.repository, digest, t.environment);
  }
  return decision;
}

async function resolveTag(
  deps: ManifestDeps,
  repository: string,
  tag: string,
  accept: readonly string[],
): Promise<Digest> {
  const digest = await deps.resolveTag(repository, tag, accept);
  if (!digest) throw new OciError('MANIFEST_UNKNOWN', { detail: { tag } });
  return digest;
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

/** Accept headers read before: clients send a handful of distinct ones. */
const ACCEPTED = new Map<string, readonly string[]>();
const ACCEPTED_MAX = 256;

/** The client's Accept list restricted to manifest types; all of them when it names none. */
function acceptedTypes(header: string | undefined): readonly string[] {
  if (!header) return MANIFEST_MEDIA_TYPES;
  const known = ACCEPTED.get(header);
  if (known) return known;
  const types = parseAccept(header);
  if (ACCEPTED.size >= ACCEPTED_MAX) ACCEPTED.clear();
  ACCEPTED.set(header, types);
  return types;
}

function parseAccept(header: string): readonly string[] {
  const asked = header
    .split(',')
    .map((p) => p.split(';')[0]!.trim())
    .filter((t) => MANIFEST_MEDIA_TYPES.includes(t));
  return asked.length > 0 ? asked : MANIFEST_MEDIA_TYPES;
}
