/**
 * Judges the evidence a scan gathers besides packages (secrets, …)
 * against an environment's rules. Pure, like evaluate.ts, which calls it.
 * Fails closed: a rule that needs evidence the image has none of (scanned
 * before Customs gathered it) is a violation, not a pass.
 */
import type { ImageEvidence } from '../core/image-evidence.js';
import type { VerdictReason } from '../core/verdict.js';
import type { SecretsRules } from './beyond-rules.js';

/** The rule blocks this module reads. */
export interface BeyondRules {
  secrets: SecretsRules;
}

/** Most findings quoted in one reason's message; details list them all. */
const MAX_QUOTED = 5;

/** Violations of `rules` in `evidence` (undefined: never gathered). */
export function judgeBeyond(
  evidence: ImageEvidence | undefined,
  rules: BeyondRules,
): VerdictReason[] {
  if (!rules.secrets.deny) return [];
  if (evidence === undefined)
    return [
      {
        code: 'EVIDENCE_MISSING',
        message:
          'the rules need secret scanning results this image has none of: scan it again',
      },
    ];
  return judgeSecrets(evidence, rules.secrets);
}

function judgeSecrets(
  evidence: ImageEvidence,
  rules: SecretsRules,
): VerdictReason[] {
  const counted = evidence.secrets.filter(
    (s) => !rules.ignoreRules.includes(s.ruleId),
  );
  if (counted.length === 0) return [];
  const quoted = counted
    .slice(0, MAX_QUOTED)
    .map((s) => `${s.ruleId} in /${s.path}:${s.line}`)
    .join(', ');
  const more =
    counted.length > MAX_QUOTED
      ? ` and ${counted.length - MAX_QUOTED} more`
      : '';
  return [
    {
      code: 'SECRETS_FOUND',
      message: `${counted.length} secret(s) in the image layers: ${quoted}${more}`,
      details: {
        secrets: counted.map((s) => ({
          ruleId: s.ruleId,
          path: s.path,
          line: s.line,
          layerDigest: s.layerDigest,
        })),
      },
    },
  ];
}
