import type { Digest } from '../core/digest.js';
import type { Verdict, VerdictReason, VerdictStatus } from '../core/verdict.js';
import type { VerdictSource } from './verdict-source.js';

/** The answer both doors give for one image in one environment. */
export interface Decision {
  allowed: boolean;
  status: VerdictStatus | 'unknown';
  /** The image the verdict is about (a signature's subject, else the digest itself). */
  judgedDigest: Digest;
  verdict: Verdict | undefined;
  reasons: VerdictReason[];
}

/**
 * The single decision of Customs: is `repository@digest` eligible in
 * `environment`? The registry door and the admission door both call this,
 * so they cannot disagree. A signature or referrer artifact is judged by its
 * subject. No verdict (never scanned) is a refusal: gates fail closed.
 */
export async function decide(
  source: VerdictSource,
  repository: string,
  digest: Digest,
  environment: string,
): Promise<Decision> {
  const known = decideNow(source, repository, digest, environment);
  if (known) return known;
  const judgedDigest = (await source.subjectOf(digest)) ?? digest;
  const verdict = await source.verdictOf(repository, judgedDigest, environment);
  return decisionOf(judgedDigest, verdict);
}

/**
 * decide() without waiting, when the source holds both answers in memory
 * (the verdict cache, for images pulled before); undefined otherwise.
 */
export function decideNow(
  source: VerdictSource,
  repository: string,
  digest: Digest,
  environment: string,
): Decision | undefined {
  const known = source.knownNow?.(repository, digest, environment);
  return known && decisionOf(known.judgedDigest, known.verdict);
}

function decisionOf(
  judgedDigest: Digest,
  verdict: Verdict | undefined,
): Decision {
  if (!verdict) {
    return {
      allowed: false,
      status: 'unknown',
      judgedDigest,
      verdict,
      reasons: [
        {
          code: 'SCAN_PENDING',
          message:
            'not judged yet: the image is refused until its scan finishes',
        },
      ],
    };
  }
  return {
    allowed: verdict.status === 'eligible',
    status: verdict.status,
    judgedDigest,
    verdict,
    reasons: verdict.reasons,
  };
}

/** One line of people-readable reasons, for OCI `message` and admission `reason`. */
export function describeDecision(
  decision: Decision,
  environment: string,
): string {
  const why = decision.reasons.map((r) => r.message).join('; ');
  return decision.allowed
    ? `eligible for ${environment}: ${why}`
    : `not eligible for ${environment} (${decision.status}): ${why}`;
}
