import type { Digest } from './digest.js';
import type { SecretFinding } from './secret-finding.js';
import type { KnownSeverity } from './severity.js';

/**
 * What a scan found in an image besides its packages: evidence the trust
 * rules read next to the advisories (lib/policy/evaluate-beyond.ts).
 */
export interface ImageEvidence {
  /** Secrets in layer files (deleted ones included), never the secret itself. */
  secrets: SecretFinding[];
  /** Known-bad files and ClamAV; absent when no check is configured. */
  malware?: MalwareEvidence | undefined;
  /** Configuration baseline of the image config and filesystem. */
  baseline?: BaselineEvidence | undefined;
  /** The image's layer digests, bottom first (for attribution). */
  layers?: Digest[] | undefined;
  /** The approved base image it is built on; absent: none recognised. */
  baseImage?: BaseImageMatch | undefined;
}

/** An approved base image recognised by an image's first layers. */
export interface BaseImageMatch {
  name: string;
  /** 1-based revision (build) of the base, and the newest configured one. */
  revision: number;
  latestRevision: number;
  /** How many of the image's first layers are the base's. */
  baseLayers: number;
}

/** The configuration baseline checks that failed, and what rules read besides. */
export interface BaselineEvidence {
  findings: BaselineFinding[];
  /** OCI annotations of the manifest and `org.opencontainers.*` config labels. */
  annotations: Record<string, string>;
}

/** A failed configuration check (ids `CUSTOMS-CFG-NNN`). */
export interface BaselineFinding {
  id: string;
  title: string;
  severity: KnownSeverity;
  /** How to fix it, in the image's build. */
  fix: string;
  /** What was seen: paths, a masked excerpt, the user… never a secret. */
  details?: Record<string, unknown> | undefined;
}

/** A file of a layer (deleted ones included) that is known to be malware. */
export interface MalwareFinding {
  /** `hash-list`: its sha256/md5 is on a configured list; `clamav`: clamd found a signature. */
  source: 'hash-list' | 'clamav';
  /** The list entry's name or the ClamAV signature. */
  name: string;
  path: string;
  layerDigest: Digest;
  /** `sha256:<hex>` or `md5:<hex>` for hash-list findings. */
  hash?: string | undefined;
}

/** The malware checks of an image and what they found. */
export interface MalwareEvidence {
  /**
   * `scanned`: every file within the limits was streamed to clamd;
   * `unavailable`: clamd is configured but could not be asked about some
   * file (never reported as clean); `off`: no clamd configured.
   */
  clamav: 'scanned' | 'unavailable' | 'off';
  /** Known-bad hash lists were configured and every file within the limits hashed. */
  hashLists: boolean;
  findings: MalwareFinding[];
}
