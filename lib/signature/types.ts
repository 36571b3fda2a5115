import type { Readable } from 'node:stream';
import type { Digest } from '../core/digest.js';
import { AppError } from '../core/errors.js';
import type { ParsedManifest } from '../core/manifest.js';
import type { SignatureRecord } from '../storage/ports.js';

/** How a signature artifact was found (the three discovery paths). */
export type DiscoveryPath = 'referrers-api' | 'referrers-tag' | 'cosign-tag';

/** Stable codes of why a signature did not verify (stored as `reason_code`). */
export type SignatureReasonCode =
  | 'KEY_UNKNOWN'
  | 'SIGNATURE_MISMATCH'
  | 'DIGEST_MISMATCH'
  | 'REFERENCE_MISMATCH'
  | 'IDENTITY_MISMATCH'
  | 'ISSUER_MISMATCH'
  | 'CERTIFICATE_EXPIRED'
  | 'CERTIFICATE_INVALID'
  | 'TIMESTAMP_MISSING'
  | 'TIMESTAMP_INVALID'
  | 'TLOG_MISSING'
  | 'TLOG_INVALID'
  | 'UNTRUSTED_ROOT'
  | 'SIGNATURE_EXPIRED'
  | 'SCOPE_MISMATCH'
  | 'TOO_LARGE'
  | 'TOO_MANY'
  | 'MALFORMED'
  | 'UNSUPPORTED';

/** Codes of {@link SignatureError}. */
export type SignatureErrorCode = 'TRUST_INVALID' | 'SIGNATURE_UNREADABLE';
/** Trust material that cannot be used, or an artifact that cannot be read. */
export class SignatureError extends AppError<SignatureErrorCode> {}

/** What discovery reads from the upstream registry (a subset of its client). */
export interface SignatureSource {
  getManifest(
    repository: string,
    reference: string,
    options?: { signal?: AbortSignal },
  ): Promise<{ digest: Digest; mediaType: string; body: Buffer }>;
  getBlob(
    repository: string,
    digest: Digest,
    options?: { signal?: AbortSignal },
  ): Promise<{ size: number | undefined; stream: Readable }>;
  listReferrers(
    repository: string,
    digest: Digest,
    options?: { signal?: AbortSignal; artifactType?: string },
  ): Promise<
    | Array<{
        digest: Digest;
        mediaType: string;
        artifactType?: string | undefined;
      }>
    | undefined
  >;
}

/** A manifest that may carry signatures of the subject, as found. */
export interface DiscoveredArtifact {
  digest: Digest;
  mediaType: string;
  body: Buffer;
  manifest: Extract<ParsedManifest, { kind: 'image' }>;
  via: DiscoveryPath;
  /** The legacy tag it was found under (`sha256-<hex>.sig`). */
  tag?: string | undefined;
}

/** The image whose signatures are verified. */
export interface SignatureSubject {
  repository: string;
  digest: Digest;
}

/** The fields every result of one signature layer shares. */
export type ResultBase = Pick<
  SignatureRecord,
  | 'subjectDigest'
  | 'signatureDigest'
  | 'layerDigest'
  | 'format'
  | 'discoveredVia'
>;

/** What verifying one signature found, before the shared fields are added. */
export type Outcome = Pick<
  SignatureRecord,
  | 'status'
  | 'reasonCode'
  | 'reason'
  | 'signers'
  | 'identity'
  | 'signer'
  | 'validUntil'
>;

/** Codes that mean "authentic, but by nobody the rules trust". */
const UNTRUSTED_SIGNER: ReadonlySet<SignatureReasonCode> = new Set([
  'KEY_UNKNOWN',
  'IDENTITY_MISMATCH',
  'ISSUER_MISMATCH',
  'SCOPE_MISMATCH',
]);

/**
 * An outcome that did not verify: `unknown_key` when the signature may be
 * authentic but no trust entry accepts its signer, else `invalid`.
 */
export function failed(
  reasonCode: SignatureReasonCode,
  reason: string,
  extra: Partial<Outcome> = {},
): Outcome {
  return {
    status: UNTRUSTED_SIGNER.has(reasonCode) ? 'unknown_key' : 'invalid',
    reasonCode,
    reason,
    signers: [],
    ...extra,
  };
}
