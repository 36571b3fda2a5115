import type { Digest } from '../core/digest.js';
import { hasCode } from '../core/errors.js';
import { parseManifest } from '../core/manifest.js';
import type {
  DiscoveredArtifact,
  DiscoveryPath,
  SignatureSource,
} from './types.js';

/** Bounds of discovery (config `signatures`). */
export interface DiscoveryOptions {
  /** Signature artifacts read per image, all paths together. */
  maxSignatures: number;
  /** artifactType filter of the referrers API and the fallback index. */
  artifactTypes: readonly string[];
}

/**
 * A manifest a push event announced (and the tag it was pushed under). The
 * registry (CNCF Distribution) notifies before it links the tag, so the tag
 * may still name the previous manifest: the announced digest is read.
 */
export interface DiscoveryHint {
  digest: Digest;
  tag?: string | undefined;
}

/** What discovery found, and how many artifacts it left unread. */
export interface Discovery {
  artifacts: DiscoveredArtifact[];
  /** Artifacts beyond `maxSignatures`: the first is reported TOO_MANY. */
  overflow: Array<{ digest: Digest; via: DiscoveryPath }>;
  /** Manifests larger than the upstream client accepts (TOO_LARGE). */
  oversized: Array<{ digest: Digest; via: DiscoveryPath }>;
}

/** Tags cosign writes beside an image: signatures and attestations. */
const LEGACY_SUFFIXES = ['sig', 'att'] as const;

/**
 * Finds the signature artifacts of one image by every path: the OCI 1.1
 * referrers API (filtered by artifact type); when the registry has none
 * (404), the referrers tag schema index `sha256-<hex>`; and cosign's legacy
 * `sha256-<hex>.sig` / `.att` tags. A referrer that does not name this
 * subject is dropped. At most `maxSignatures` manifests are read. Upstream
 * failures other than "not found" throw (the caller's job retries).
 */
export async function discoverSignatures(
  source: SignatureSource,
  subject: { repository: string; digest: Digest },
  options: DiscoveryOptions & {
    signal?: AbortSignal | undefined;
    hint?: DiscoveryHint | undefined;
  },
): Promise<Discovery> {
  const unique = await candidates(source, subject, options);
  const artifacts: DiscoveredArtifact[] = [];
  const oversized: Discovery['oversized'] = [];
  for (const entry of unique.slice(0, options.maxSignatures)) {
    try {
      const artifact = await readArtifact(source, subject, entry, options);
      if (artifact) artifacts.push(artifact);
    } catch (err: unknown) {
      if (!hasCode(err, 'UPSTREAM_TOO_LARGE')) throw err;
      oversized.push({ digest: entry.digest, via: entry.via });
    }
  }
  return {
    artifacts,
    oversized,
    overflow: unique
      .slice(options.maxSignatures)
      .map(({ digest: d, via }) => ({ digest: d, via })),
  };
}

/** Manifests the three paths (and the push event's hint) name, deduplicated. */
async function candidates(
  source: SignatureSource,
  subject: { repository: string; digest: Digest },
  options: HintedOptions,
): Promise<Array<{ digest: Digest; via: DiscoveryPath; tag?: string }>> {
  const listed: Array<{ digest: Digest; via: DiscoveryPath; tag?: string }> =
    [];
  const referrers = await referrerDigests(source, subject, options);
  listed.push(...referrers.found);
  for (const suffix of LEGACY_SUFFIXES) {
    const tag = `${subject.digest.replace(':', '-')}.${suffix}`;
    const found = latestCosign(
      await tagAndHint(source, subject.repository, tag, options),
    );
    if (found) listed.push({ digest: found.digest, via: 'cosign-tag', tag });
  }
  const hint = options.hint;
  // A referrer pushed by digest, announced before any index lists it.
  if (hint && hint.tag === undefined)
    listed.push({
      digest: hint.digest,
      via: referrers.api ? 'referrers-api' : 'referrers-tag',
    });
  return listed.filter(
    (l, i) => listed.findIndex((x) => x.digest === l.digest) === i,
  );
}

type HintedOptions = DiscoveryOptions & {
  signal?: AbortSignal | undefined;
  hint?: DiscoveryHint | undefined;
};

async function referrerDigests(
  source: SignatureSource,
  subject: { repository: string; digest: Digest },
  options: HintedOptions,
): Promise<{
  api: boolean;
  found: Array<{ digest: Digest; via: DiscoveryPath }>;
}> {
  const found: Array<{ digest: Digest; via: DiscoveryPath }> = [];
  for (const artifactType of options.artifactTypes) {
    const listed = await source.listReferrers(
      subject.repository,
      subject.digest,
      { artifactType, signal: options.signal },
    );
    if (listed === undefined)
      return { api: false, found: await fallbackTag(source, subject, options) };
    found.push(
      ...listed.map((d) => ({
        digest: d.digest,
        via: 'referrers-api' as const,
      })),
    );
  }
  return { api: true, found };
}

/** The referrers tag schema (distribution-spec "Referrers Tag Schema"). */
async function fallbackTag(
  source: SignatureSource,
  subject: { repository: string; digest: Digest },
  options: HintedOptions,
): Promise<Array<{ digest: Digest; via: DiscoveryPath }>> {
  const tag = subject.digest.replace(':', '-');
  const indexes = await tagAndHint(source, subject.repository, tag, options);
  return indexes.flatMap((index) => {
    const parsed = parseManifest(index.body, index.mediaType);
    if (parsed.kind !== 'index') return [];
    return parsed.manifests
      .filter((m) => options.artifactTypes.includes(m.artifactType ?? ''))
      .map((m) => ({ digest: m.digest, via: 'referrers-tag' as const }));
  });
}

/**
 * A tag's manifest and, when a push of that tag was announced with another
 * digest, that one too: the tag may not be linked yet (the push is newer),
 * or a later push moved it already (the tag is newer). Both are read.
 */
async function tagAndHint(
  source: SignatureSource,
  repository: string,
  tag: string,
  options: HintedOptions,
): Promise<Array<{ digest: Digest; mediaType: string; body: Buffer }>> {
  const current = await manifestOrNothing(source, repository, tag, options);
  const hint = options.hint?.tag === tag ? options.hint.digest : undefined;
  const announced =
    hint && hint !== current?.digest
      ? await manifestOrNothing(source, repository, hint, options)
      : undefined;
  return [current, announced].filter((m) => m !== undefined);
}

/**
 * cosign appends a layer per signature to its tag's manifest: of two
 * versions (tag and announced push), the one with more layers is the later.
 */
function latestCosign(
  versions: Array<{ digest: Digest; mediaType: string; body: Buffer }>,
): { digest: Digest } | undefined {
  const layers = (v: { body: Buffer; mediaType: string }) => {
    try {
      const m = parseManifest(v.body, v.mediaType);
      return m.kind === 'image' ? m.layers.length : 0;
    } catch {
      return 0; // not a manifest: the other version wins
    }
  };
  return [...versions].sort((a, b) => layers(b) - layers(a))[0];
}

async function readArtifact(
  source: SignatureSource,
  subject: { repository: string; digest: Digest },
  entry: { digest: Digest; via: DiscoveryPath; tag?: string },
  options: { signal?: AbortSignal | undefined },
): Promise<DiscoveredArtifact | undefined> {
  const fetched = await manifestOrNothing(
    source,
    subject.repository,
    entry.digest,
    options,
  );
  if (!fetched) return undefined;
  let manifest;
  try {
    manifest = parseManifest(fetched.body, fetched.mediaType);
  } catch {
    return undefined; // not a manifest Customs reads: carries no signature
  }
  if (manifest.kind !== 'image') return undefined;
  // A referrer is about the digest in its subject field, nothing else.
  if (entry.via !== 'cosign-tag' && manifest.subject?.digest !== subject.digest)
    return undefined;
  return { ...fetched, manifest, via: entry.via, tag: entry.tag };
}

async function manifestOrNothing(
  source: SignatureSource,
  repository: string,
  reference: string,
  options: { signal?: AbortSignal | undefined },
): Promise<{ digest: Digest; mediaType: string; body: Buffer } | undefined> {
  try {
    return await source.getManifest(repository, reference, {
      signal: options.signal,
    });
  } catch (err: unknown) {
    if (hasCode(err, 'UPSTREAM_NOT_FOUND')) return undefined;
    throw err;
  }
}
