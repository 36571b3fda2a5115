import type { Digest } from './digest.js';

export type VerdictStatus = 'eligible' | 'ineligible' | 'pending';

/** Why a verdict is what it is; `code` is stable, `message` is for people. */
export interface VerdictReason {
  code: VerdictReasonCode;
  message: string;
  details?: Record<string, unknown> | undefined;
}

export type VerdictReasonCode =
  | 'SCAN_PENDING'
  | 'SCAN_FAILED'
  | 'SEVERITY_EXCEEDED'
  | 'UNDETERMINED_FINDINGS'
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  | 'SIGNATURE_UNVERIFIABLE'
  | 'ATTESTATION_MISSING'
  | 'PLATFORM_INELIGIBLE'
  | 'SUBJECT_INELIGIBLE'
  | 'ENVIRONMENT_UNKNOWN'
  | 'WARN_MODE'
  | 'POLICY_PASSED'
  | 'EXCEPTION_APPLIED'
  | 'BREAK_GLASS'
  | 'REPOSITORY_DENIED'
  | 'REPOSITORY_NOT_ALLOWED'
  | 'PACKAGE_DENIED'
  | 'LICENSE_DENIED'
  | 'LICENSE_UNKNOWN'
  | 'DATA_STALE'
  | 'SCAN_STALE'
  | 'FIX_AVAILABLE_TOO_LONG'
  | BeyondReasonCode;

/** Reasons from evidence besides advisories and signatures (lib/policy/evaluate-beyond.ts). */
export type BeyondReasonCode =
  | 'EVIDENCE_MISSING'
  | 'SECRETS_FOUND'
  | 'MALWARE_FOUND'
  | 'MALWARE_UNSCANNED'
  | 'BASELINE_FAILED'
  | 'BASE_IMAGE_UNAPPROVED'
  | 'KNOWN_EXPLOITED_WITH_FIX';

/** One verdict per (repository, digest, environment). */
export interface Verdict {
  id: string;
  repository: string;
  digest: Digest;
  environment: string;
  status: VerdictStatus;
  reasons: VerdictReason[];
  rulesVersion: string;
  /** Vulnerability-data snapshot the findings were matched against. */
  snapshotId: number | null;
  computedAt: string;
}
