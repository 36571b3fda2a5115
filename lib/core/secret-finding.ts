import type { Digest } from './digest.js';

/**
 * A secret found in a file of an image layer. It never holds the secret:
 * `excerpt` is the line around it with the secret masked (`*****`).
 */
export interface SecretFinding {
  /** Rule id, e.g. `aws-access-key-id`. */
  ruleId: string;
  title: string;
  severity: 'critical' | 'high';
  /** Posix path relative to the image root. */
  path: string;
  /** The layer the file is in (a file deleted by a later layer still counts). */
  layerDigest: Digest;
  /** 1-based line where the secret starts. */
  line: number;
  excerpt: string;
}
