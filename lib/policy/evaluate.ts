import type { Digest } from '../core/digest.js';
import type { JudgedFinding } from '../core/finding.js';
import { severityRank } from '../core/severity.js';
import type { VerdictReason, VerdictStatus } from '../core/verdict.js';
import type { BreakGlassGrant, PolicyException } from '../core/overrides.js';
import {
  underBreakGlass,
  waiveExcepted,
  type ExceptableFinding,
} from './overrides.js';
import { judgeDataAge } from './evaluate-data-age.js';
import { judgeLicenses, type LicensedPackage } from './evaluate-licenses.js';
import { judgeFixAge } from './evaluate-fix-age.js';
import { judgeScanAge } from './evaluate-scan-age.js';
import {
  displayId,
  isCounted,
  judgedSeverity,
  quoteIds,
} from './judged-finding.js';
import { judgeDeniedPackages } from './evaluate-packages.js';
import { judgeRepository } from './evaluate-repositories.js';
import type { EnvironmentRules } from './rules.js';
import type { ImageEvidence } from '../core/image-evidence.js';
import { judgeBeyond } from './evaluate-beyond.js';
import {
  judgeAttestations,
  judgeRequireClauses,
  judgeSignatures,
  signaturesOnly,
} from './evaluate-signers.js';

/** Everything known about one image that the rules judge. */
export interface Evidence {
  scan: {
    status: 'missing' | 'pending' | 'running' | 'done' | 'failed';
    errorCode?: string | undefined;
    errorMessage?: string | undefined;
    /** When the scan that produced the package list ended, for `maxScanAgeHours`. */
    finishedAt?: string | undefined;
  };
  findings: ExceptableFinding[];
  /** The repository the image is judged in (repository rules). */
  repository?: string | undefined;
  /** When the vulnerability data was imported (null: never), for `maxDataAgeHours`. */
  dataImportedAt?: string | null | undefined;
  /** When the verdict is computed (ms since the epoch). */
  judgedAt?: number | undefined;
  /** The image's packages, read when some environment judges them (readsPackages). */
  packages?: LicensedPackage[] | undefined;
  /** Exceptions in force for this image in this environment. */
  exceptions?: PolicyException[] | undefined;
  /** A break-glass grant in force for this image in this environment. */
  breakGlass?: BreakGlassGrant | undefined;
  /** Signature results on the image (and on indexes that list it). */
  signatures: Array<{
    status: 'verified' | 'invalid' | 'unknown_key';
    signer?: string | undefined;
    reason?: string | undefined;
    /** Trust entries a verified signature satisfies. */
    signers?: string[] | undefined;
    kind?: 'signature' | 'attestation' | undefined;
    predicateType?: string | undefined;
    /** For attestations: the predicate summary (builderId, …). */
    payload?: unknown;
  }>;
  /** CVE ids of the findings that are in the CISA KEV catalog. */
  knownExploited?: readonly string[] | undefined;
  /** Secrets and other scan evidence besides packages (platform images only). */
  image?: ImageEvidence | undefined;
  /** For an index: the verdicts of its platform manifests in the same environment. */
  children?: Array<{
    digest: Digest;
    platform?: string | undefined;
    status: VerdictStatus;
    reasons: VerdictReason[];
  }>;
}

export interface Judgement {
  status: VerdictStatus;
  reasons: VerdictReason[];
}

export { judgedSeverity } from './judged-finding.js';

/**
 * Judges one image for one environment. Pure: the same evidence and rules
 * always give the same verdict. Fails closed: an unscanned image is pending,
 * a failed scan is ineligible. In `warn` and `audit` mode violations are
 * reported but the image stays eligible. Findings waived by an exception do
 * not count (the exception is named in the reasons); a break-glass grant
 * makes the image eligible whatever the rules say.
 */
export function evaluate(
  evidence: Evidence,
  rules: EnvironmentRules,
  trustedKeys: readonly string[],
): Judgement {
  const waived = waiveExcepted(evidence.findings, evidence.exceptions ?? []);
  const judged = judgeRules(
    { ...evidence, findings: waived.findings },
    rules,
    trustedKeys,
  );
  const explained =
    waived.reasons.length > 0 && judged.status !== 'pending'
      ? { ...judged, reasons: [...judged.reasons, ...waived.reasons] }
      : judged;
  return evidence.breakGlass
    ? underBreakGlass(explained, evidence.breakGlass)
    : explained;
}

function judgeRules(
  evidence: Evidence,
  rules: EnvironmentRules,
  trustedKeys: readonly string[],
): Judgement {
  const scan = judgeScan(evidence);
  if (scan) return scan;
  const violations = [
    ...judgeRepository(evidence.repository, rules.repositories),
    ...judgeDataAge(
      { importedAt: evidence.dataImportedAt, judgedAt: evidence.judgedAt },
      rules.vulnerabilities.maxDataAgeHours,
    ),
    ...judgeScanAge(
      { finishedAt: evidence.scan.finishedAt, judgedAt: evidence.judgedAt },
      rules.vulnerabilities.maxScanAgeHours,
    ),
    ...judgeDeniedPackages(evidence.packages ?? [], rules.packages.deny),
    ...judgeLicenses(evidence.packages ?? [], rules.licenses),
    ...judgeChildren(evidence),
    ...judgeFindings(evidence.findings, rules),
    ...judgeFixAge(evidence.findings, rules, evidence.judgedAt),
    ...judgeSignatures(signaturesOnly(evidence), rules, trustedKeys),
    ...judgeRequireClauses(signaturesOnly(evidence), rules),
    ...judgeAttestations(evidence.signatures, rules),
    ...(evidence.children ? [] : judgeBeyond(evidence, rules)),
  ];
  if (violations.some((v) => v.code === 'SCAN_PENDING')) {
    return {
      status: 'pending',
      reasons: violations.filter((v) => v.code === 'SCAN_PENDING'),
    };
  }
  if (violations.length === 0)
    return { status: 'eligible', reasons: [passed(evidence, rules)] };
  if (rules.mode === 'enforce')
    return { status: 'ineligible', reasons: violations };
  return {
    status: 'eligible',
    reasons: [
      {
        code: 'WARN_MODE',
        message: `environment is in ${rules.mode} mode: served despite ${violations.length} violation(s)`,
      },
      ...violations,
    ],
  };
}

function judgeScan(evidence: Evidence): Judgement | undefined {
  const { scan } = evidence;
  if (scan.status === 'done') return undefined;
  if (scan.status === 'failed') {
    return {
      status: 'ineligible',
      reasons: [
        {
          code: 'SCAN_FAILED',
          message:
            `scan failed: ${scan.errorCode ?? 'UNKNOWN'}: ${scan.errorMessage ?? ''}`.trim(),
          details: { errorCode: scan.errorCode },
        },
      ],
    };
  }
  return {
    status: 'pending',
    reasons: [
      {
        code: 'SCAN_PENDING',
        message:
          'not scanned yet: the image is refused until its scan finishes',
      },
    ],
  };
}

function judgeChildren(evidence: Evidence): VerdictReason[] {
  const reasons: VerdictReason[] = [];
  for (const child of evidence.children ?? []) {
    const name = child.platform ?? child.digest;
    if (child.status === 'pending') {
      reasons.push({
        code: 'SCAN_PENDING',
        message: `platform ${name} is not judged yet`,
        details: { digest: child.digest },
      });
    } else if (child.status === 'ineligible') {
      reasons.push({
        code: 'PLATFORM_INELIGIBLE',
        message: `platform ${name} is ineligible: ${child.reasons.map((r) => r.message).join('; ')}`,
        details: {
          digest: child.digest,
          platform: child.platform,
          reasons: child.reasons,
        },
      });
    }
  }
  return reasons;
}

function judgeFindings(
  findings: JudgedFinding[],
  rules: EnvironmentRules,
): VerdictReason[] {
  const v = rules.vulnerabilities;
  const max = severityRank(v.maxSeverity);
  const blocking = findings.filter(
    (f) => isCounted(f, v) && severityRank(judgedSeverity(f, rules)) > max,
  );
  if (blocking.length === 0) return [];
  const ids = [...new Set(blocking.map((f) => displayId(f)))];
  const quoted = quoteIds(ids);
  return [
    {
      code: 'SEVERITY_EXCEEDED',
      message:
        `${ids.length} vulnerabilit${ids.length === 1 ? 'y' : 'ies'} above ${v.maxSeverity}` +
        `${v.countUnfixed ? '' : ' with a fix available'}: ${quoted}`,
      details: {
        maxSeverity: v.maxSeverity,
        advisories: ids,
        count: blocking.length,
      },
    },
  ];
}

function passed(evidence: Evidence, rules: EnvironmentRules): VerdictReason {
  const parts = [
    `${evidence.findings.length} finding(s), none counted above ${rules.vulnerabilities.maxSeverity}`,
  ];
  const signers = [
    ...new Set(
      evidence.signatures
        .filter((x) => x.status === 'verified')
        .map((x) => x.signer),
    ),
  ];
  if (signers.length > 0) parts.push(`signed by ${signers.join(', ')}`);
  if (evidence.children)
    parts.push(`${evidence.children.length} platform(s) eligible`);
  return { code: 'POLICY_PASSED', message: parts.join('; ') };
}
