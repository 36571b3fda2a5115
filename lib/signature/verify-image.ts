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
  discoverCosignLegacy,
  type CosignOptions,
  type SignatureSource,
} from './cosign-legacy.js';

export interface VerifyImageDeps {
  source: SignatureSource;
  manifests: ManifestStore;
  signatures: SignatureStore;
  options: Omit<CosignOptions, 'signal'>;
  logger: Logger;
}

/**
 * Discovers and verifies the signatures of one image, records the signature
 * manifest (so the door can serve it along with its subject) and stores one
 * result per signature. Upstream failures other than "no signature" throw,
 * leaving the previous results in place.
 */
export async function verifyImageSignatures(
  deps: VerifyImageDeps,
  subject: { repository: string; digest: Digest },
  signal: AbortSignal,
): Promise<SignatureRecord[]> {
  const found = await discoverCosignLegacy(deps.source, subject, {
    ...deps.options,
    signal,
  });
  if (found.manifest) {
    const parsed = parseManifest(found.manifest.body, found.manifest.mediaType);
    await deps.manifests.save(
      toManifestRecord(
        found.manifest.digest,
        found.manifest.body,
        parsed,
        subject.digest,
      ),
      subject.repository,
    );
    await deps.manifests.setTag(
      subject.repository,
      found.manifest.tag,
      found.manifest.digest,
    );
  }
  await deps.signatures.replaceFor(subject.digest, found.results);
  deps.logger.info(
    {
      repository: subject.repository,
      digest: subject.digest,
      signatures: found.results.length,
      verified: found.results.filter((r) => r.status === 'verified').length,
    },
    'signatures verified',
  );
  return found.results;
}
