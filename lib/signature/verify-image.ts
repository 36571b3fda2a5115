import type { Logger } from 'pino';
import type { Digest } from '../core/digest.js';
import { parseManifest } from '../core/manifest.js';
import type {
  ManifestStore,
  SignatureRecord,
  SignatureStore,
} from '../storage/ports.js';
import { toManifestRecord } from '../storage/manifest-record.js';
import {
  discoverSignatures,
  type Discovery,
  type DiscoveryHint,
  type DiscoveryOptions,
} from './discover.js';
import type { TrustContext } from './trust.js';
import type { DiscoveredArtifact, SignatureSource } from './types.js';
import {
  verifyArtifact,
  type VerifyContext,
  type VerifyOptions,
} from './verify-artifact.js';

/** Options of {@link verifyImageSignatures} (config `signatures`). */
export interface VerifyImageOptions extends VerifyOptions, DiscoveryOptions {
  /** Time budget of discovery and verification of one image. */
  timeoutMs: number;
}

/** What {@link verifyImageSignatures} reads from and writes to. */
export interface VerifyImageDeps {
  source: SignatureSource;
  manifests: ManifestStore;
  signatures: SignatureStore;
  /** The trust in force (rebuilt when the rules change). */
  trust: () => TrustContext;
  options: VerifyImageOptions;
  logger: Logger;
}

/**
 * Discovers and verifies the signatures of one image, records each signature
 * manifest (so the door serves it with its subject) and stores one result
 * per signature. Results are cached by (subject, signature manifest digest,
 * trust version): an artifact is verified once per trust configuration.
 * Upstream failures and running out of time throw, leaving the previous
 * results in place (the job is retried).
 */
export async function verifyImageSignatures(
  deps: VerifyImageDeps,
  subject: { repository: string; digest: Digest },
  signal: AbortSignal,
  hint?: DiscoveryHint,
): Promise<SignatureRecord[]> {
  signal = AbortSignal.any([
    signal,
    AbortSignal.timeout(deps.options.timeoutMs),
  ]);
  const found = await discoverSignatures(deps.source, subject, {
    ...deps.options,
    signal,
    hint,
  });
  const subjectBody = (await deps.manifests.get(subject.digest))?.body;
  const ctx: VerifyContext = {
    ...deps,
    trust: deps.trust(),
    subjectBody,
    signal,
  };
  const results: SignatureRecord[] = [];
  let cached = 0;
  for (const artifact of found.artifacts) {
    await recordArtifact(deps.manifests, subject, artifact);
    const outcome = await verifyOnce(deps.signatures, ctx, subject, artifact);
    if (outcome.cached) cached++;
    results.push(...outcome.results);
  }
  results.push(...unreadResults(subject.digest, found, deps.options));
  await deps.signatures.replaceFor(subject.digest, results);
  deps.logger.info(
    {
      ...subject,
      artifacts: found.artifacts.length,
      cached,
      signatures: results.length,
      verified: results.filter((r) => r.status === 'verified').length,
    },
    'signatures verified',
  );
  return results;
}

/** Cached results of an artifact under this trust, else verified now and remembered. */
async function verifyOnce(
  store: SignatureStore,
  ctx: VerifyContext,
  subject: { repository: string; digest: Digest },
  artifact: DiscoveredArtifact,
): Promise<{ results: SignatureRecord[]; cached: boolean }> {
  const key = [subject.digest, artifact.digest, ctx.trust.version] as const;
  const known = await store.cached(...key);
  const now = Date.now();
  const stale = known?.some(
    (r) => r.validUntil !== undefined && Date.parse(r.validUntil) <= now,
  );
  if (known && !stale) return { results: known, cached: true };
  const results = await verifyArtifact(ctx, subject, artifact);
  // A stale entry keeps its key: the fresh results are used, not remembered.
  if (!known) await store.remember(...key, results);
  return { results, cached: false };
}

function unreadResults(
  subject: Digest,
  found: Discovery,
  options: DiscoveryOptions,
): SignatureRecord[] {
  const results = found.oversized.map((o) =>
    unread(
      subject,
      o,
      'TOO_LARGE',
      'signature manifest is larger than the upstream manifest limit',
    ),
  );
  const left = found.overflow;
  if (left[0])
    results.push(
      unread(
        subject,
        left[0],
        'TOO_MANY',
        `${left.length} signature artifact(s) beyond the limit of ${options.maxSignatures} were not read`,
      ),
    );
  return results;
}

/** The signature manifest is stored with its subject so the door serves both. */
async function recordArtifact(
  manifests: ManifestStore,
  subject: { repository: string; digest: Digest },
  artifact: DiscoveredArtifact,
): Promise<void> {
  const parsed = parseManifest(artifact.body, artifact.mediaType);
  await manifests.save(
    toManifestRecord(artifact.digest, artifact.body, parsed, subject.digest),
    subject.repository,
  );
  if (artifact.tag)
    await manifests.setTag(subject.repository, artifact.tag, artifact.digest);
}

function unread(
  subject: Digest,
  artifact: { digest: Digest; via: string },
  reasonCode: 'TOO_LARGE' | 'TOO_MANY',
  reason: string,
): SignatureRecord {
  return {
    subjectDigest: subject,
    signatureDigest: artifact.digest,
    layerDigest: artifact.digest,
    format: 'unknown',
    discoveredVia: artifact.via,
    status: 'invalid',
    reasonCode,
    reason,
    signers: [],
  };
}
