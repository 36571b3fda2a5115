/**
 * Judges the configuration baseline of an image against an environment's
 * `baseline` rules (required and waived checks, a severity ceiling,
 * required OCI annotations). Pure.
 */
import type {
  BaselineEvidence,
  BaselineFinding,
} from '../core/image-evidence.js';
import { severityRank } from '../core/severity.js';
import type { VerdictReason } from '../core/verdict.js';
import type { BaselineRules } from './beyond-rules.js';

/** True when the rules judge anything of the baseline. */
export function judgesBaseline(rules: BaselineRules): boolean {
  return (
    rules.require.length > 0 ||
    rules.maxSeverity !== undefined ||
    rules.requireAnnotations.length > 0
  );
}

/** The violations of `rules` by `baseline` (callers check it exists). */
export function judgeBaseline(
  baseline: BaselineEvidence,
  rules: BaselineRules,
): VerdictReason[] {
  const counted = baseline.findings.filter(
    (f) => !rules.waive.includes(f.id) && counts(f, rules),
  );
  const missing = rules.requireAnnotations.filter(
    (key) => !(baseline.annotations[key] ?? '').trim(),
  );
  const reasons: VerdictReason[] = counted.map((f) => ({
    code: 'BASELINE_FAILED',
    message: `${f.id} ${f.title} (${f.severity}): ${f.fix}`,
    details: { check: f.id, severity: f.severity, ...f.details },
  }));
  if (missing.length > 0)
    reasons.push({
      code: 'BASELINE_FAILED',
      message: `CUSTOMS-CFG-010 missing OCI annotation(s) ${missing.join(', ')}: set them at build time`,
      details: { check: 'CUSTOMS-CFG-010', annotations: missing },
    });
  return reasons;
}

function counts(finding: BaselineFinding, rules: BaselineRules): boolean {
  if (rules.require.includes(finding.id)) return true;
  return (
    rules.maxSeverity !== undefined &&
    severityRank(finding.severity) > severityRank(rules.maxSeverity)
  );
}
