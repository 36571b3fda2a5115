import type { Digest } from './digest.js';

/**
 * A per-finding exception (VEX-like): findings of `advisoryId` (an id or
 * an alias such as a CVE), optionally only in `package`, do not count for
 * the images in scope until `expiresAt`.
 */
export interface PolicyException {
  id: number;
  advisoryId: string;
  package: string | null;
  scope: {
    digest?: Digest | undefined;
    /** Glob over repository names (`team/*`, `**`). */
    repository?: string | undefined;
    environments?: string[] | undefined;
  };
  owner: string;
  justification: string;
  expiresAt: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

/** A time-limited grant making one digest eligible in one environment. */
export interface BreakGlassGrant {
  id: number;
  repository: string;
  digest: Digest;
  environment: string;
  ticket: string;
  reason: string;
  expiresAt: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

/** True while an exception or grant counts: not revoked, not expired. */
export function isInForce(
  x: { expiresAt: string; revokedAt: string | null },
  now: number,
): boolean {
  return x.revokedAt === null && Date.parse(x.expiresAt) > now;
}
