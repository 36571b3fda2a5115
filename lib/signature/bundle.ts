import { createHash } from 'node:crypto';
import { bundleFromJSON, ValidationError, type Bundle } from '@sigstore/bundle';
import { toSignedEntity } from '@sigstore/verify';
import type { Descriptor } from '../core/manifest.js';
import type { SignatureRecord } from '../storage/ports.js';
import { checkStatement, COSIGN_SIGN_PREDICATE } from './in-toto.js';
import { readSignatureBlob } from './read-blob.js';
import { verifySignedEntity } from './sigstore-verify.js';
import type { VerifyContext } from './verify-artifact.js';
import {
  failed,
  type DiscoveredArtifact,
  type Outcome,
  type SignatureSubject,
} from './types.js';

/** Bundle media types, v0.1–v0.3 (both v0.3 spellings). */
const BUNDLE_MEDIA_TYPE_RE =
  /^application\/vnd\.dev\.sigstore\.bundle(\.v0\.[1-9]\+json|\+json;version=0\.[1-9])$/;

/** True for an OCI 1.1 referrer holding a Sigstore bundle (cosign 3's layout). */
export function isBundleArtifact(a: DiscoveredArtifact): boolean {
  return (
    BUNDLE_MEDIA_TYPE_RE.test(a.manifest.artifactType ?? '') ||
    a.manifest.layers.some((l) => BUNDLE_MEDIA_TYPE_RE.test(l.mediaType))
  );
}

/**
 * Verifies each bundle layer of a referrer: a DSSE in-toto statement must
 * name the subject digest (predicate `https://sigstore.dev/cosign/sign/v1`
 * is a signature, any other an attestation); a message signature must be
 * over the subject manifest itself. Then the bundle is verified offline.
 */
export async function verifyBundleArtifact(
  ctx: VerifyContext,
  subject: SignatureSubject,
  artifact: DiscoveredArtifact,
): Promise<SignatureRecord[]> {
  const layers = artifact.manifest.layers.filter((l) =>
    BUNDLE_MEDIA_TYPE_RE.test(l.mediaType),
  );
  const results: SignatureRecord[] = [];
  for (const layer of layers) {
    results.push({
      subjectDigest: subject.digest,
      signatureDigest: artifact.digest,
      layerDigest: layer.digest,
      format: 'sigstore-bundle',
      discoveredVia: artifact.via,
      ...(await verifyBundleLayer(ctx, subject, layer)),
    });
  }
  return results;
}

async function verifyBundleLayer(
  ctx: VerifyContext,
  subject: SignatureSubject,
  layer: Descriptor,
): Promise<Outcome & Partial<SignatureRecord>> {
  const blob = await readSignatureBlob(
    ctx.source,
    { ...subject, digest: layer.digest, declaredSize: layer.size },
    { maxBytes: ctx.options.maxPayloadBytes, signal: ctx.signal },
  );
  if (!blob.ok) return failed(blob.code, blob.reason);
  const bundle = parseBundle(blob.data);
  if ('status' in bundle) return bundle;
  return verifyBundle(ctx, subject, bundle);
}

/**
 * Verifies one parsed bundle for `subject` (exported for the benchmark and
 * for bundles found by other paths).
 */
export function verifyBundle(
  ctx: Pick<VerifyContext, 'trust' | 'subjectBody'>,
  subject: SignatureSubject,
  bundle: Bundle,
): Outcome & Partial<SignatureRecord> {
  const bundleVersion = { bundleMediaType: bundle.mediaType };
  if (bundle.content.$case === 'dsseEnvelope') {
    const statement = checkStatement(
      bundle.content.dsseEnvelope.payload,
      subject.digest,
    );
    if (!statement.ok) return failed(statement.code, statement.reason);
    const isSignature =
      statement.summary.predicateType === COSIGN_SIGN_PREDICATE;
    return {
      ...verifySignedEntity(toSignedEntity(bundle), ctx.trust),
      kind: isSignature ? 'signature' : 'attestation',
      predicateType: statement.summary.predicateType,
      payload: { ...statement.summary, ...bundleVersion },
    };
  }
  const digest = bundle.content.messageSignature.messageDigest.digest;
  const [algorithm, hex] = subject.digest.split(':') as [string, string];
  if (digest.toString('hex') !== hex || algorithm !== 'sha256')
    return failed(
      'DIGEST_MISMATCH',
      `bundle signs sha256:${digest.toString('hex')}, not ${subject.digest}`,
    );
  const body = ctx.subjectBody;
  if (!body || createHash('sha256').update(body).digest('hex') !== hex)
    return failed('MALFORMED', 'subject manifest bytes are not available');
  return {
    ...verifySignedEntity(toSignedEntity(bundle, body), ctx.trust),
    payload: bundleVersion,
  };
}

/** Parses and validates bundle JSON (v0.1–v0.3), or says why it is not one. */
export function parseBundle(data: Buffer): Bundle | Outcome {
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch {
    return failed('MALFORMED', 'bundle is not JSON');
  }
  try {
    return bundleFromJSON(json);
  } catch (err: unknown) {
    const fields =
      err instanceof ValidationError ? (err.fields ?? []).join(', ') : '';
    const message = `${(err as Error).message}${fields ? `: ${fields}` : ''}`;
    return /inclusion(Proof|Promise)|tlogEntries/.test(fields)
      ? failed('TLOG_MISSING', message)
      : failed('MALFORMED', message);
  }
}
