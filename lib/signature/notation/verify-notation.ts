/**
 * Notation signature verification after the Notary Project trust policy
 * spec ("trust-store-trust-policy.md", Signature Verification): integrity,
 * authenticity (chain to a trust store), trusted identity, expiry and
 * authentic timestamp, with `strict` enforcing all and `permissive` only
 * logging expiry and timestamp failures. Revocation is not checked (offline).
 */
import type { X509Certificate } from 'node:crypto';
import type { Descriptor } from '../../core/manifest.js';
import type { SignatureRecord } from '../../storage/ports.js';
import { readSignatureBlob } from '../read-blob.js';
import type { NotationTrust } from '../trust.js';
import {
  failed,
  type DiscoveredArtifact,
  type Outcome,
  type SignatureSubject,
} from '../types.js';
import type { VerifyContext } from '../verify-artifact.js';
import {
  COSE_MEDIA_TYPE,
  JWS_MEDIA_TYPE,
  parseCose,
  parseJws,
  type NotationEnvelope,
} from './envelope.js';
import { verifyTimestampToken } from './timestamp.js';
import { chainsToAnchor, isOrderedChain } from './x509-chain.js';

/** artifactType (or config media type) of a Notation signature manifest. */
export const NOTATION_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';

/** True for a Notation signature manifest (OCI 1.1 or pre-1.1 layout). */
export function isNotationArtifact(a: DiscoveredArtifact): boolean {
  return (
    a.manifest.artifactType === NOTATION_ARTIFACT_TYPE ||
    a.manifest.config.mediaType === NOTATION_ARTIFACT_TYPE
  );
}

/** Verifies the envelope layer(s) of a Notation signature manifest. */
export async function verifyNotationArtifact(
  ctx: VerifyContext,
  subject: SignatureSubject,
  artifact: DiscoveredArtifact,
): Promise<SignatureRecord[]> {
  const results: SignatureRecord[] = [];
  for (const layer of artifact.manifest.layers) {
    const format =
      layer.mediaType === COSE_MEDIA_TYPE ? 'notation-cose' : 'notation-jws';
    const base = {
      subjectDigest: subject.digest,
      signatureDigest: artifact.digest,
      layerDigest: layer.digest,
      format,
      discoveredVia: artifact.via,
    };
    results.push({ ...base, ...(await verifyLayer(ctx, subject, layer)) });
  }
  return results;
}

async function verifyLayer(
  ctx: VerifyContext,
  subject: SignatureSubject,
  layer: Descriptor,
): Promise<Outcome> {
  if (layer.mediaType !== JWS_MEDIA_TYPE && layer.mediaType !== COSE_MEDIA_TYPE)
    return failed('MALFORMED', `not a signature envelope: ${layer.mediaType}`);
  const blob = await readSignatureBlob(
    ctx.source,
    { ...subject, digest: layer.digest, declaredSize: layer.size },
    { maxBytes: ctx.options.maxPayloadBytes, signal: ctx.signal },
  );
  if (!blob.ok) return failed(blob.code, blob.reason);
  let envelope: NotationEnvelope;
  try {
    envelope =
      layer.mediaType === COSE_MEDIA_TYPE
        ? parseCose(blob.data)
        : parseJws(blob.data);
  } catch (err: unknown) {
    return failed(
      'MALFORMED',
      `unreadable envelope: ${(err as Error).message}`,
    );
  }
  return verifyEnvelope(envelope, subject, ctx.trust.notation, ctx.now);
}

/**
 * Verifies a parsed envelope for `subject` against the Notation policies
 * whose registry scopes cover the repository (exported for tests and the
 * fixtures that ship envelopes without a registry).
 */
export function verifyEnvelope(
  envelope: NotationEnvelope,
  subject: SignatureSubject,
  policies: readonly NotationTrust[],
  now: Date = new Date(),
): Outcome {
  const leaf = envelope.certificates[0];
  if (!leaf || !envelope.isIntact)
    return failed('SIGNATURE_MISMATCH', 'envelope signature does not verify');
  const target = targetDigest(envelope.payload);
  if (target !== subject.digest)
    return failed(
      'DIGEST_MISMATCH',
      `envelope signs ${target ?? 'no artifact'}, not ${subject.digest}`,
    );
  const identity = identityOf(leaf);
  const signer = `x509:${identity.subject}`;
  const scoped = policies.filter((p) =>
    p.registryScopes.some((s) => s === '*' || s === subject.repository),
  );
  if (scoped.length === 0)
    return failed(
      'SCOPE_MISMATCH',
      `no Notation trust policy covers repository ${subject.repository}`,
      { identity, signer },
    );
  const why = scoped.map((p) => checkPolicy(envelope, p, now));
  const signers = scoped.filter((_, i) => why[i] === undefined);
  if (signers.length === 0) return { ...why[0]!, identity, signer };
  const names = signers.map((p) => p.name);
  const until = validUntil(envelope);
  return {
    status: 'verified',
    signers: names,
    identity,
    signer,
    validUntil: until,
  };
}

/**
 * Until when a verified result may be reused: the signature's expiry and
 * its certificates' ends (checked against the time of verification).
 */
function validUntil(envelope: NotationEnvelope): string {
  const ends = envelope.certificates.map((c) => new Date(c.validTo).getTime());
  if (envelope.expiry) ends.push(envelope.expiry.getTime());
  return new Date(Math.min(...ends)).toISOString();
}

function identityOf(leaf: X509Certificate): Record<string, string> {
  return {
    subject: leaf.subject.replaceAll('\n', ','),
    issuer: leaf.issuer.replaceAll('\n', ','),
    thumbprint: leaf.fingerprint256,
  };
}

function checkPolicy(
  envelope: NotationEnvelope,
  policy: NotationTrust,
  now: Date,
): Outcome | undefined {
  const chain = envelope.certificates;
  const leaf = chain[0]!;
  if (!isOrderedChain(chain) || !chainsToAnchor(leaf, chain, policy.anchors))
    return failed(
      'UNTRUSTED_ROOT',
      `certificate chain contains no certificate of trust store "${policy.name}"`,
    );
  if (!isTrustedIdentity(leaf.subject, policy.trustedIdentities))
    return failed(
      'IDENTITY_MISMATCH',
      `signing certificate subject is not a trusted identity of "${policy.name}"`,
    );
  const enforce = policy.level === 'strict';
  if (enforce && envelope.expiry && envelope.expiry < now)
    return failed(
      'SIGNATURE_EXPIRED',
      `signature expired at ${envelope.expiry.toISOString()}`,
    );
  const time = checkSigningTime(envelope, policy, now);
  return enforce ? time : undefined;
}

/**
 * notation-go's authentic-timestamp step: for `notary.x509`, a timestamp is
 * checked only when the policy has TSA roots (and, with afterCertExpiry,
 * only once a certificate expired); otherwise the chain must be valid now.
 */
function checkSigningTime(
  envelope: NotationEnvelope,
  policy: NotationTrust,
  now: Date,
): Outcome | undefined {
  const outside = (t: Date, slackMs = 0) =>
    outsideValidity(envelope.certificates, t, slackMs);
  if (envelope.signingScheme === 'notary.x509.signingAuthority') {
    const at = envelope.authenticSigningTime;
    if (!at) return failed('TIMESTAMP_MISSING', 'no authentic signing time');
    const bad = outside(at);
    return bad ? expired(bad, 'authentic signing time') : undefined;
  }
  const stamped =
    policy.tsaAnchors.length > 0 &&
    (policy.verifyTimestamp === 'always' || outside(now) !== undefined);
  if (!stamped) {
    const bad = outside(now);
    return bad ? expired(bad, 'verification time') : undefined;
  }
  if (!envelope.timestampToken)
    return failed('TIMESTAMP_MISSING', 'no timestamp countersignature');
  const ts = verifyTimestampToken(
    envelope.timestampToken,
    envelope.signature,
    policy.tsaAnchors,
  );
  if (!ts.ok) return failed('TIMESTAMP_INVALID', ts.reason);
  const bad = outside(ts.time, -ts.accuracyMs);
  return bad ? expired(bad, 'timestamp') : undefined;
}

/** The first certificate of `chain` not valid at `t` (± `slackMs`). */
function outsideValidity(
  chain: readonly X509Certificate[],
  t: Date,
  slackMs: number,
): X509Certificate | undefined {
  return chain.find(
    (c) =>
      t.getTime() + slackMs < new Date(c.validFrom).getTime() ||
      t.getTime() - slackMs > new Date(c.validTo).getTime(),
  );
}

function expired(c: X509Certificate, when: string): Outcome {
  return failed(
    'CERTIFICATE_EXPIRED',
    `${when} is outside the validity of certificate "${c.subject.replaceAll('\n', ',')}" (until ${c.validTo})`,
  );
}

/** `*`, or `x509.subject: <DN>` whose attributes all appear in the subject. */
function isTrustedIdentity(subject: string, identities: string[]): boolean {
  const have = new Set(subject.split('\n').map((a) => a.trim()));
  return identities.some((id) => {
    if (id === '*') return true;
    const m = /^x509\.subject:\s*(.+)$/.exec(id);
    if (!m) return false;
    return m[1]!.split(/\s*,\s*/).every((attr) => have.has(attr.trim()));
  });
}

function targetDigest(payload: Buffer): string | undefined {
  try {
    const doc = JSON.parse(payload.toString('utf8')) as {
      targetArtifact?: { digest?: unknown };
    };
    const d = doc.targetArtifact?.digest;
    return typeof d === 'string' ? d : undefined;
  } catch {
    return undefined;
  }
}
