import type { VerdictReason } from '../core/verdict.js';
import type { Evidence } from './evaluate.js';
import type { EnvironmentRules } from './rules.js';

type SignatureEvidence = Evidence['signatures'][number];

/** Signatures proper (attestations are judged by `attestations` rules). */
export function signaturesOnly(evidence: Evidence): SignatureEvidence[] {
  return evidence.signatures.filter((s) => s.kind !== 'attestation');
}

/**
 * Names of the trust entries verified signatures satisfy. Rows stored before
 * `signers` existed name their key as `key:<name>` in `signer`.
 */
export function verifiedSigners(
  signatures: readonly SignatureEvidence[],
): Set<string> {
  const names = new Set<string>();
  for (const s of signatures) {
    if (s.status !== 'verified') continue;
    const listed = s.signers ?? [];
    if (listed.length > 0) listed.forEach((n) => names.add(n));
    else if (s.signer?.startsWith('key:')) names.add(s.signer.slice(4));
  }
  return names;
}

/**
 * `signatures.require`: every clause needs `atLeast` distinct signers of its
 * `anyOf` list among the verified signatures (k of n).
 */
export function judgeRequireClauses(
  signatures: readonly SignatureEvidence[],
  rules: EnvironmentRules,
): VerdictReason[] {
  const verified = verifiedSigners(signatures);
  return rules.signatures.require.flatMap((clause): VerdictReason[] => {
    const have = [...new Set(clause.anyOf)].filter((n) => verified.has(n));
    if (have.length >= clause.atLeast) return [];
    const wanted =
      clause.anyOf.length === 1
        ? `a signature by "${clause.anyOf[0]}"`
        : `${clause.atLeast} of [${clause.anyOf.join(', ')}]`;
    const details = { anyOf: clause.anyOf, atLeast: clause.atLeast, have };
    return [
      signatures.length === 0
        ? {
            code: 'SIGNATURE_MISSING',
            message: `unsigned: ${wanted} is required`,
            details,
          }
        : {
            code: 'SIGNATURE_INVALID',
            message: `${wanted} is required, ${have.length} verified (${describe(signatures)})`,
            details,
          },
    ];
  });
}

/** `attestations`: each requirement needs a verified attestation matching it. */
export function judgeAttestations(
  signatures: readonly SignatureEvidence[],
  rules: EnvironmentRules,
): VerdictReason[] {
  const attestations = signatures.filter((s) => s.kind === 'attestation');
  return rules.attestations.flatMap((req): VerdictReason[] => {
    const matching = attestations.filter(
      (a) =>
        a.predicateType === req.predicateType &&
        (req.builderId === undefined || builderOf(a) === req.builderId),
    );
    const trusted = matching.filter(
      (a) =>
        a.status === 'verified' &&
        (req.signers.length === 0 ||
          (a.signers ?? []).some((n) => req.signers.includes(n))),
    );
    if (trusted.length > 0) return [];
    const what = `${req.predicateType}${req.builderId ? ` built by ${req.builderId}` : ''}`;
    return [
      {
        code: 'ATTESTATION_MISSING',
        message:
          matching.length === 0
            ? `no attestation ${what}`
            : `no verified attestation ${what} by a trusted signer (${describe(matching)})`,
        details: { ...req, found: matching.length },
      },
    ];
  });
}

function builderOf(s: SignatureEvidence): string | undefined {
  const p = s.payload as { builderId?: unknown } | null | undefined;
  return typeof p?.builderId === 'string' ? p.builderId : undefined;
}

function describe(signatures: readonly SignatureEvidence[]): string {
  const why = [...new Set(signatures.map((x) => x.reason ?? x.status))];
  return `${signatures.length} found: ${why.join('; ')}`;
}

/** Violations of `required` and `requiredSigners` (see rules.ts). */
export function judgeSignatures(
  signatures: Evidence['signatures'],
  rules: EnvironmentRules,
  trustedKeys: readonly string[],
): VerdictReason[] {
  const s = rules.signatures;
  const verified = verifiedSigners(signatures);
  const reasons: VerdictReason[] = [];
  // Named signers say more than "any trusted key": report them instead.
  const anyVerified = signatures.some((x) => x.status === 'verified');
  if (s.required && !anyVerified && s.requiredSigners.length === 0) {
    reasons.push(missingSignature(signatures, trustedKeys));
  }
  for (const signer of s.requiredSigners) {
    if (verified.has(signer)) continue;
    reasons.push(
      signatures.length === 0
        ? {
            code: 'SIGNATURE_MISSING',
            message: `unsigned: a signature by "${signer}" is required`,
            details: { signer },
          }
        : {
            code: 'SIGNATURE_INVALID',
            message: `no valid signature by required signer "${signer}" (${describeFound(signatures)})`,
            details: { signer, found: signatures.length },
          },
    );
  }
  return reasons;
}

function missingSignature(
  signatures: Evidence['signatures'],
  trustedKeys: readonly string[],
): VerdictReason {
  if (trustedKeys.length === 0) {
    return {
      code: 'SIGNATURE_UNVERIFIABLE',
      message:
        'a signature is required but no trusted key is configured in the rules',
    };
  }
  if (signatures.length === 0) {
    return {
      code: 'SIGNATURE_MISSING',
      message: 'unsigned: a signature by a trusted key is required',
    };
  }
  return {
    code: 'SIGNATURE_INVALID',
    message: `no signature verified by a trusted key (${describeFound(signatures)})`,
    details: { found: signatures.length },
  };
}

function describeFound(signatures: Evidence['signatures']): string {
  const why = [...new Set(signatures.map((x) => x.reason ?? x.status))].join(
    '; ',
  );
  return `${signatures.length} found: ${why}`;
}
