/**
 * Judges the evidence a scan gathers besides packages (secrets, …)
 * against an environment's rules. Pure, like evaluate.ts, which calls it.
 * Fails closed: a rule that needs evidence the image has none of (scanned
 * before Customs gathered it) is a violation, not a pass.
 */
import { isMaliciousAdvisory, type JudgedFinding } from '../core/finding.js';
import type { ImageEvidence } from '../core/image-evidence.js';
import type { VerdictReason } from '../core/verdict.js';
import type {
  BaseImageRules,
  BaselineRules,
  MalwareRules,
  SecretsRules,
} from './beyond-rules.js';
import { judgeBaseline, judgesBaseline } from './evaluate-baseline.js';
import { judgeBaseImage, judgesBaseImage } from './evaluate-base-image.js';

/** The rule blocks this module reads. */
export interface BeyondRules {
  vulnerabilities: { denyKnownExploitedWithFix: boolean };
  secrets: SecretsRules;
  malware: MalwareRules;
  baseline: BaselineRules;
  baseImage: BaseImageRules;
}

/** What this module reads of an image. */
export interface BeyondInput {
  /** Undefined: the scan gathered no evidence (scanned before Customs did). */
  image?: ImageEvidence | undefined;
  findings: readonly Pick<
    JudgedFinding,
    'advisoryId' | 'aliases' | 'fixedVersion' | 'status'
  >[];
  /** CVE ids of the findings that are in the CISA KEV catalog. */
  knownExploited?: readonly string[] | undefined;
}

/** Most findings quoted in one reason's message; details list them all. */
const MAX_QUOTED = 5;

/** Violations of `rules` in what is known of an image. */
export function judgeBeyond(
  input: BeyondInput,
  rules: BeyondRules,
): VerdictReason[] {
  const evidence = input.image;
  const needsEvidence =
    rules.secrets.deny ||
    rules.malware.requireScanned ||
    judgesBaseline(rules.baseline) ||
    judgesBaseImage(rules.baseImage);
  if (evidence === undefined && needsEvidence)
    return [
      {
        code: 'EVIDENCE_MISSING',
        message:
          'the rules need scan results (secrets, malware) this image has none of: scan it again',
      },
    ];
  return [
    ...(rules.secrets.deny && evidence
      ? judgeSecrets(evidence, rules.secrets)
      : []),
    ...judgeMalware(input, rules.malware),
    ...(rules.vulnerabilities.denyKnownExploitedWithFix
      ? judgeKnownExploited(input)
      : []),
    ...judgeBaselineOf(evidence, rules.baseline),
    ...(evidence && judgesBaseImage(rules.baseImage)
      ? judgeBaseImage(evidence, rules.baseImage)
      : []),
  ];
}

function judgeBaselineOf(
  evidence: ImageEvidence | undefined,
  rules: BaselineRules,
): VerdictReason[] {
  if (!judgesBaseline(rules)) return [];
  if (evidence?.baseline === undefined)
    return [
      {
        code: 'EVIDENCE_MISSING',
        message:
          'the rules judge the configuration baseline, which this image was not checked for: scan it again',
      },
    ];
  return judgeBaseline(evidence.baseline, rules);
}

function judgeKnownExploited(input: BeyondInput): VerdictReason[] {
  const kev = new Set(input.knownExploited ?? []);
  const hits = input.findings.filter(
    (f) =>
      f.status === 'affected' &&
      f.fixedVersion !== undefined &&
      [f.advisoryId, ...f.aliases].some((id) => kev.has(id)),
  );
  if (hits.length === 0) return [];
  const ids = [
    ...new Set(
      hits.map(
        (f) => [f.advisoryId, ...f.aliases].find((id) => kev.has(id)) as string,
      ),
    ),
  ];
  return [
    {
      code: 'KNOWN_EXPLOITED_WITH_FIX',
      message: `known exploited (CISA KEV) with a fix available, priority P1: ${ids.slice(0, MAX_QUOTED).join(', ')}${ids.length > MAX_QUOTED ? ` and ${ids.length - MAX_QUOTED} more` : ''}: update the packages`,
      details: { cves: ids, priority: 'P1' },
    },
  ];
}

function judgeMalware(
  input: BeyondInput,
  rules: MalwareRules,
): VerdictReason[] {
  const reasons: VerdictReason[] = [];
  const malware = input.image?.malware;
  if (rules.requireScanned && malware?.clamav !== 'scanned')
    reasons.push({
      code: 'MALWARE_UNSCANNED',
      message: `no complete ClamAV scan (${malware?.clamav ?? 'off'}): an unscanned image is not taken as clean`,
    });
  if (!rules.deny) return reasons;
  const files = (malware?.findings ?? []).map((f) => `${f.name} in /${f.path}`);
  const packages = input.findings
    .filter((f) => isMaliciousAdvisory(f.advisoryId))
    .map((f) => `malicious package (${f.advisoryId})`);
  const all = [...files, ...packages];
  if (all.length > 0)
    reasons.push({
      code: 'MALWARE_FOUND',
      message: `malware: ${all.slice(0, MAX_QUOTED).join(', ')}${all.length > MAX_QUOTED ? ` and ${all.length - MAX_QUOTED} more` : ''}`,
      details: { files: malware?.findings ?? [], packages },
    });
  return reasons;
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
