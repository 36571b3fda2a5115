import type { Descriptor } from '../core/manifest.js';
import { MediaTypes } from '../core/media-types.js';
import type { SignatureRecord } from '../storage/ports.js';
import { checkStatement, COSIGN_SIGN_PREDICATE } from './in-toto.js';
import { readSignatureBlob } from './read-blob.js';
import {
  COSIGN_ANNOTATIONS,
  cosignLayerEntity,
  dsseContent,
  messageContent,
  parseDsseEnvelope,
} from './signed-content.js';
import { verifySignedEntity } from './sigstore-verify.js';
import type { VerifyContext } from './verify-artifact.js';
import {
  failed,
  type DiscoveredArtifact,
  type Outcome,
  type SignatureSubject,
} from './types.js';

/** Layer media type of a cosign attestation (`.att` tag). */
export const DSSE_LAYER = 'application/vnd.dsse.envelope.v1+json';
const COSIGN_TYPE = 'cosign container image signature';

/** True for a manifest whose layers are cosign signatures or attestations. */
export function isCosignArtifact(a: DiscoveredArtifact): boolean {
  return a.manifest.layers.some(
    (l) =>
      l.mediaType === MediaTypes.cosignSimpleSigning ||
      l.mediaType === DSSE_LAYER,
  );
}

/**
 * Verifies every layer of a cosign `.sig`/`.att` manifest: each layer is one
 * signature (simple-signing payload) or attestation (DSSE envelope), signed
 * by a key or keylessly (certificate + Rekor bundle annotations).
 */
export async function verifyCosignLayers(
  ctx: VerifyContext,
  subject: SignatureSubject,
  artifact: DiscoveredArtifact,
): Promise<SignatureRecord[]> {
  const layers = artifact.manifest.layers.filter(
    (l) =>
      l.mediaType === MediaTypes.cosignSimpleSigning ||
      l.mediaType === DSSE_LAYER,
  );
  const results: SignatureRecord[] = [];
  for (const layer of layers) {
    const base = {
      subjectDigest: subject.digest,
      signatureDigest: artifact.digest,
      layerDigest: layer.digest,
      format: layer.mediaType === DSSE_LAYER ? 'dsse' : 'cosign',
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
): Promise<Outcome & Partial<SignatureRecord>> {
  const annotations = layer.annotations ?? {};
  const blob = await readSignatureBlob(
    ctx.source,
    { ...subject, digest: layer.digest, declaredSize: layer.size },
    { maxBytes: ctx.options.maxPayloadBytes, signal: ctx.signal },
  );
  if (!blob.ok) return failed(blob.code, blob.reason);
  if (layer.mediaType === DSSE_LAYER)
    return verifyDsseLayer(ctx, subject, blob.data, annotations);
  const signature = annotations[COSIGN_ANNOTATIONS.signature];
  if (!signature)
    return failed('MALFORMED', 'layer has no signature annotation');
  const claim = checkSimpleSigning(
    blob.data,
    subject,
    ctx.options.matchReference,
  );
  if (typeof claim === 'string')
    return failed(
      claim.startsWith('payload names repository')
        ? 'REFERENCE_MISMATCH'
        : claim.startsWith('payload signs')
          ? 'DIGEST_MISMATCH'
          : 'MALFORMED',
      claim,
    );
  const content = messageContent(blob.data, Buffer.from(signature, 'base64'));
  return { ...entityOutcome(ctx, content, annotations), payload: claim };
}

function verifyDsseLayer(
  ctx: VerifyContext,
  subject: SignatureSubject,
  data: Buffer,
  annotations: Record<string, string>,
): Outcome & Partial<SignatureRecord> {
  const envelope = parseDsseEnvelope(data);
  if (!envelope || envelope.signatures.length !== 1)
    return failed('MALFORMED', 'not a DSSE envelope with one signature');
  const statement = checkStatement(envelope.payload, subject.digest);
  if (!statement.ok) return failed(statement.code, statement.reason);
  const isSignature = statement.summary.predicateType === COSIGN_SIGN_PREDICATE;
  return {
    ...entityOutcome(ctx, dsseContent(envelope), annotations),
    kind: isSignature ? 'signature' : 'attestation',
    predicateType: statement.summary.predicateType,
    payload: statement.summary,
  };
}

function entityOutcome(
  ctx: VerifyContext,
  content: Parameters<typeof cosignLayerEntity>[0],
  annotations: Record<string, string>,
): Outcome {
  let entity;
  try {
    entity = cosignLayerEntity(content, annotations);
  } catch (err: unknown) {
    return failed(
      'MALFORMED',
      `unreadable certificate or Rekor bundle annotation: ${(err as Error).message}`,
    );
  }
  return verifySignedEntity(entity, ctx.trust);
}

/** Checks the simple-signing claims; returns the parsed payload or why it is invalid. */
function checkSimpleSigning(
  payload: Buffer,
  subject: SignatureSubject,
  matchReference: 'repository' | 'off',
): unknown {
  let doc: {
    critical?: {
      type?: string;
      image?: { 'docker-manifest-digest'?: string };
      identity?: { 'docker-reference'?: string };
    };
  };
  try {
    doc = JSON.parse(payload.toString('utf8')) as typeof doc;
  } catch {
    return 'payload is not JSON';
  }
  const critical = doc.critical;
  if (critical?.type !== COSIGN_TYPE)
    return `payload type is not "${COSIGN_TYPE}"`;
  const claimed = critical.image?.['docker-manifest-digest'];
  if (claimed !== subject.digest)
    return `payload signs ${claimed ?? 'no digest'}, not ${subject.digest}`;
  const reference = critical.identity?.['docker-reference'] ?? '';
  if (
    matchReference === 'repository' &&
    !namesRepository(reference, subject.repository)
  ) {
    return `payload names repository "${reference}", not "${subject.repository}"`;
  }
  return doc;
}

/**
 * `host:port/team/app` and `team/app` both name repository `team/app`: the
 * registry host differs between the upstream and Customs, the path must not.
 */
function namesRepository(reference: string, repository: string): boolean {
  const parts = reference.replace(/@.*$/, '').split('/');
  const first = parts[0] ?? '';
  if (
    parts.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost')
  )
    parts.shift();
  const path = parts.join('/');
  const tagAt = path.lastIndexOf(':');
  return (tagAt > 0 ? path.slice(0, tagAt) : path) === repository;
}
