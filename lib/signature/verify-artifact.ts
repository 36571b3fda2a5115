import type { SignatureRecord } from '../storage/ports.js';
import { isBundleArtifact, verifyBundleArtifact } from './bundle.js';
import { isCosignArtifact, verifyCosignLayers } from './cosign-layers.js';
import {
  isNotationArtifact,
  verifyNotationArtifact,
} from './notation/verify-notation.js';
import type { TrustContext } from './trust.js';
import type {
  DiscoveredArtifact,
  SignatureSource,
  SignatureSubject,
} from './types.js';

/** Limits and claim options of verification (config `signatures`). */
export interface VerifyOptions {
  /** `repository`: a cosign payload's docker-reference must name the repository. */
  matchReference: 'repository' | 'off';
  /** Largest signature blob (payload, envelope, bundle) read. */
  maxPayloadBytes: number;
}

/** What every format verifier gets. */
export interface VerifyContext {
  source: SignatureSource;
  trust: TrustContext;
  options: VerifyOptions;
  /** The subject manifest's bytes (message signatures sign them). */
  subjectBody?: Buffer | undefined;
  signal?: AbortSignal | undefined;
  now?: Date | undefined;
}

/**
 * Verifies the signatures an artifact carries, by its kind: cosign legacy
 * layers, Sigstore bundles, Notation envelopes. An artifact of another kind
 * (an SBOM referrer, say) carries no signature: [] is returned.
 */
export async function verifyArtifact(
  ctx: VerifyContext,
  subject: SignatureSubject,
  artifact: DiscoveredArtifact,
): Promise<SignatureRecord[]> {
  if (isNotationArtifact(artifact))
    return verifyNotationArtifact(ctx, subject, artifact);
  if (isBundleArtifact(artifact))
    return verifyBundleArtifact(ctx, subject, artifact);
  if (isCosignArtifact(artifact))
    return verifyCosignLayers(ctx, subject, artifact);
  return [];
}
