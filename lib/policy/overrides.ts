import picomatch from 'picomatch';
import type { Digest } from '../core/digest.js';
import type { JudgedFinding } from '../core/finding.js';
import {
  isInForce,
  type BreakGlassGrant,
  type PolicyException,
} from '../core/overrides.js';
import type { VerdictReason, VerdictStatus } from '../core/verdict.js';

/** Exceptions and break-glass grants, as read once for a batch of judging. */
export interface Overrides {
  exceptions: PolicyException[];
  grants: BreakGlassGrant[];
}

/** What of the overrides applies to one image in one environment. */
export interface ImageOverrides {
  exceptions: PolicyException[];
  breakGlass: BreakGlassGrant | undefined;
}

/** A finding as exceptions read it: the package names are optional. */
export type ExceptableFinding = JudgedFinding & {
  packageName?: string | undefined;
  advisoryPackage?: string | undefined;
};

const globs = new Map<string, (name: string) => boolean>();

/**
 * An image as overrides see it: a digest scope or a grant naming an index
 * (what `docker pull name@digest` of a multi-arch image names) covers the
 * platform images it lists too, or the index could never be pulled.
 */
export interface OverriddenImage {
  repository: string;
  digest: Digest;
  /** Indexes listing the image in the repository. */
  parents?: readonly Digest[] | undefined;
}

/**
 * The exceptions and the break-glass grant in force for `image` in
 * `environment` at `now` (an expired or revoked one never counts, so a
 * verdict computed after the expiry no longer has it).
 */
export function overridesFor(
  all: Overrides,
  image: OverriddenImage,
  environment: string,
  now: number,
): ImageOverrides {
  return {
    exceptions: all.exceptions.filter(
      (e) => isInForce(e, now) && inScope(e, image, environment),
    ),
    breakGlass: all.grants.find(
      (g) =>
        isInForce(g, now) &&
        g.repository === image.repository &&
        names(image, g.digest) &&
        g.environment === environment,
    ),
  };
}

/** True when `digest` is the image's or that of an index listing it. */
function names(image: OverriddenImage, digest: Digest): boolean {
  return digest === image.digest || (image.parents ?? []).includes(digest);
}

/** True when the exception's scope covers the image in the environment. */
export function inScope(
  e: PolicyException,
  image: OverriddenImage,
  environment: string,
): boolean {
  const { digest, repository, environments } = e.scope;
  if (digest !== undefined && !names(image, digest)) return false;
  if (environments !== undefined && !environments.includes(environment))
    return false;
  return repository === undefined || globOf(repository)(image.repository);
}

/**
 * Removes the findings that exceptions waive, and names each exception
 * used in a reason (`EXCEPTION_APPLIED`), so a verdict says why a finding
 * did not count and until when.
 */
export function waiveExcepted<F extends ExceptableFinding>(
  findings: F[],
  exceptions: PolicyException[],
): { findings: F[]; reasons: VerdictReason[] } {
  if (exceptions.length === 0) return { findings, reasons: [] };
  const used = new Map<PolicyException, number>();
  const kept = findings.filter((f) => {
    const e = exceptions.find((x) => waives(x, f));
    if (!e) return true;
    used.set(e, (used.get(e) ?? 0) + 1);
    return false;
  });
  const reasons = [...used].map(([e, count]) => exceptionReason(e, count));
  return { findings: kept, reasons };
}

/**
 * A judgement under a break-glass grant: eligible whatever the rules say,
 * with the grant first among the reasons and the rules' own reasons kept
 * for the record.
 */
export function underBreakGlass(
  judged: { status: VerdictStatus; reasons: VerdictReason[] },
  grant: BreakGlassGrant,
): { status: VerdictStatus; reasons: VerdictReason[] } {
  return {
    status: 'eligible',
    reasons: [
      {
        code: 'BREAK_GLASS',
        message: `break-glass grant ${grant.id} (ticket ${grant.ticket}, by ${grant.createdBy}) until ${grant.expiresAt}: ${grant.reason}`,
        details: {
          grantId: grant.id,
          ticket: grant.ticket,
          expiresAt: grant.expiresAt,
          createdBy: grant.createdBy,
          statusWithoutGrant: judged.status,
        },
      },
      ...judged.reasons,
    ],
  };
}

function waives(e: PolicyException, f: ExceptableFinding): boolean {
  const id = e.advisoryId.toUpperCase();
  const named =
    f.advisoryId.toUpperCase() === id ||
    f.aliases.some((a) => a.toUpperCase() === id);
  if (!named) return false;
  return (
    e.package === null ||
    e.package === f.packageName ||
    e.package === f.advisoryPackage
  );
}

function exceptionReason(e: PolicyException, count: number): VerdictReason {
  const what = e.package ? `${e.advisoryId} in ${e.package}` : e.advisoryId;
  return {
    code: 'EXCEPTION_APPLIED',
    message: `exception ${e.id} waives ${count} finding(s) of ${what} until ${e.expiresAt} (owner ${e.owner}: ${e.justification})`,
    details: {
      exceptionId: e.id,
      advisoryId: e.advisoryId,
      package: e.package,
      expiresAt: e.expiresAt,
      owner: e.owner,
      findings: count,
    },
  };
}

function globOf(pattern: string): (name: string) => boolean {
  let match = globs.get(pattern);
  if (!match) {
    match = picomatch(pattern);
    globs.set(pattern, match);
  }
  return match;
}
