import { createPublicKey } from 'node:crypto';
import {
  PolicyError,
  VerificationError,
  Verifier,
  type SignedEntity,
  type Signer,
} from '@sigstore/verify';
import type { IdentityTrust, TrustContext } from './trust.js';
import { failed, type Outcome, type SignatureReasonCode } from './types.js';

/**
 * Verifies a Sigstore signed entity (a bundle, or a cosign legacy signature
 * rebuilt as one) offline against the trust context: a certificate must
 * chain to a configured trusted root at a signed time (tlog inclusion
 * promise or RFC 3161 timestamp), its tlog entry must be included and match,
 * and its identity must match a configured identity; a public key must be a
 * configured key. Never throws for a bad signature: the outcome says why.
 */
export function verifySignedEntity(
  entity: SignedEntity,
  trust: TrustContext,
): Outcome {
  return entity.key.$case === 'certificate'
    ? verifyKeyless(entity, entity.key.certificate.notAfter, trust)
    : verifyWithKeys(entity, trust);
}

function verifyKeyless(
  entity: SignedEntity,
  notAfter: Date,
  trust: TrustContext,
): Outcome {
  const early = precheckKeyless(entity, notAfter);
  if (early) return early;
  const verified: Array<{ root: string; signer: Signer }> = [];
  let firstError: Outcome | undefined;
  for (const [name, root] of trust.roots) {
    try {
      const signer = new Verifier(root.material, {
        ctlogThreshold: root.ctlogThreshold,
        tlogThreshold: 1,
        timestampThreshold: 1,
      }).verify(entity);
      verified.push({ root: name, signer });
    } catch (err: unknown) {
      const outcome = fromSigstoreError(err);
      if (outcome.reasonCode !== 'UNTRUSTED_ROOT') firstError ??= outcome;
    }
  }
  if (verified.length === 0)
    return (
      firstError ??
      failed(
        'UNTRUSTED_ROOT',
        'certificate chains to no configured trusted root',
      )
    );
  return matchIdentities(verified, trust.identities);
}

/**
 * Failures that need no trusted root to tell, each with its own reason:
 * content that does not match the certificate's signature, no tlog entry,
 * no signed time (an expired certificate then cannot be shown in time).
 */
function precheckKeyless(
  entity: SignedEntity,
  notAfter: Date,
): Outcome | undefined {
  if (entity.key.$case !== 'certificate') return undefined;
  const publicKey = createPublicKey({
    key: entity.key.certificate.publicKey,
    format: 'der',
    type: 'spki',
  });
  if (!entity.signature.verifySignature(publicKey))
    return failed(
      'SIGNATURE_MISMATCH',
      'signature does not match the signed content (tampered or for other content)',
    );
  if (entity.tlogEntries.length === 0)
    return failed('TLOG_MISSING', 'no transparency-log entry');
  if (hasSignedTime(entity)) return undefined;
  return notAfter.getTime() < Date.now()
    ? failed(
        'CERTIFICATE_EXPIRED',
        `certificate expired at ${notAfter.toISOString()} and no signed timestamp shows it was used in time`,
      )
    : failed('TIMESTAMP_MISSING', 'no signed timestamp (tlog or TSA)');
}

function matchIdentities(
  verified: Array<{ root: string; signer: Signer }>,
  identities: readonly IdentityTrust[],
): Outcome {
  const first = verified[0]!.signer.identity;
  const subject = first?.subjectAlternativeName ?? '';
  const issuer = first?.extensions?.issuer ?? '';
  const identity = {
    subject,
    issuer,
    roots: verified.map((v) => v.root).join(','),
  };
  const signer = `${subject} (${issuer})`;
  const roots = new Set(verified.map((v) => v.root));
  const candidates = identities.filter((i) => roots.has(i.root));
  const signers = candidates
    .filter((i) => i.matchesSubject(subject) && i.matchesIssuer(issuer))
    .map((i) => i.name);
  if (signers.length > 0)
    return { status: 'verified', signers, identity, signer };
  const sameSubject = candidates.filter((i) => i.matchesSubject(subject));
  return sameSubject.length > 0
    ? failed(
        'ISSUER_MISMATCH',
        `issuer "${issuer}" is not the one identity "${sameSubject[0]!.name}" requires`,
        { identity, signer },
      )
    : failed(
        'IDENTITY_MISMATCH',
        `certificate identity "${subject}" (issuer "${issuer}") matches no trusted identity`,
        { identity, signer },
      );
}

function verifyWithKeys(entity: SignedEntity, trust: TrustContext): Outcome {
  const signers: string[] = [];
  let keyError: Outcome | undefined;
  for (const key of trust.keys) {
    if (!entity.signature.verifySignature(key.key)) continue;
    const checked = key.checksTlog
      ? entity
      : { ...entity, tlogEntries: [], timestamps: [] };
    try {
      new Verifier(key.material, {
        tlogThreshold: key.checksTlog ? 1 : 0,
        timestampThreshold: 0,
        ctlogThreshold: 0,
      }).verify(checked);
      signers.push(key.name);
    } catch (err: unknown) {
      keyError ??= fromSigstoreError(err);
    }
  }
  if (signers.length > 0)
    return {
      status: 'verified',
      signers,
      signer: `key:${signers[0]}`,
      identity: { key: signers[0]! },
    };
  return (
    keyError ?? failed('KEY_UNKNOWN', 'no trusted key verifies this signature')
  );
}

/** A TSA timestamp, or a tlog entry whose integrated time is promised (SET). */
function hasSignedTime(entity: SignedEntity): boolean {
  return entity.timestamps.some((t) =>
    t.$case === 'timestamp-authority'
      ? true
      : t.tlogEntry.inclusionPromise !== undefined,
  );
}

const CHAIN_FAILURES = [
  'no trusted certificate path',
  'Failed to verify certificate chain',
  'no valid certificate path',
];

/** Maps sigstore-js error codes onto Customs reason codes. */
export function fromSigstoreError(err: unknown): Outcome {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof PolicyError) return failed('IDENTITY_MISMATCH', message);
  if (!(err instanceof VerificationError)) return failed('MALFORMED', message);
  const code: Record<string, SignatureReasonCode> = {
    TLOG_ERROR: 'TLOG_MISSING',
    TLOG_MISSING_INCLUSION_ERROR: 'TLOG_MISSING',
    TLOG_INCLUSION_PROOF_ERROR: 'TLOG_INVALID',
    TLOG_INCLUSION_PROMISE_ERROR: 'TLOG_INVALID',
    TLOG_BODY_ERROR: 'TLOG_INVALID',
    SIGNATURE_ERROR: 'SIGNATURE_MISMATCH',
    TIMESTAMP_ERROR: 'TIMESTAMP_INVALID',
    PUBLIC_KEY_ERROR: 'KEY_UNKNOWN',
    NOT_IMPLEMENTED_ERROR: 'UNSUPPORTED',
  };
  if (err.code === 'CERTIFICATE_ERROR') {
    // The chain verifier wraps the per-CA failure (expiry, path) in `cause`.
    const cause: unknown = (err as { cause?: unknown }).cause;
    if (
      cause instanceof VerificationError &&
      cause.code === 'CERTIFICATE_ERROR'
    )
      return fromSigstoreError(cause);
    if (CHAIN_FAILURES.some((m) => message.includes(m)))
      return failed('UNTRUSTED_ROOT', message);
    if (message.includes('expired'))
      return failed('CERTIFICATE_EXPIRED', `${message} (signed time)`);
    return failed('CERTIFICATE_INVALID', message);
  }
  return failed(code[err.code] ?? 'MALFORMED', message);
}
