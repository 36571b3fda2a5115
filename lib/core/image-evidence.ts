import type { SecretFinding } from './secret-finding.js';

/**
 * What a scan found in an image besides its packages: evidence the trust
 * rules read next to the advisories (lib/policy/evaluate-beyond.ts).
 */
export interface ImageEvidence {
  /** Secrets in layer files (deleted ones included), never the secret itself. */
  secrets: SecretFinding[];
}
