import type { Readable } from 'node:stream';
import type { Digest } from '../core/digest.js';
import { isDigest } from '../core/digest.js';
import { hasCode, messageOf } from '../core/errors.js';
import { MediaTypes } from '../core/media-types.js';
import type { SignatureRecord } from '../storage/ports.js';
import { findVerifyingKey, type TrustedKey } from './trusted-keys.js';

/** What signature discovery reads from the upstream registry. */
export interface SignatureSource {
  getManifest(
    repository: string,
    reference: string,
    options?: { signal?: AbortSignal },
  ): Promise<{ digest: Digest; mediaType: string; body: Buffer }>;
  getBlob(
    repository: string,
    digest: Digest,
    options?: { signal?: AbortSignal },
  ): Promise<{ size: number | undefined; stream: Readable }>;
}

export interface CosignOptions {
  keys: readonly TrustedKey[];
  /** `repository`: the payload's docker-reference must name this repository. */
  matchReference: 'repository' | 'off';
  maxSignatures: number;
  maxPayloadBytes: number;
  signal?: AbortSignal;
}

/** The signature manifest found under cosign's legacy tag, and what it says. */
export interface CosignDiscovery {
  manifest:
    | { digest: Digest; mediaType: string; body: Buffer; tag: string }
    | undefined;
  results: SignatureRecord[];
}

const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
const COSIGN_TYPE = 'cosign container image signature';

/** cosign's legacy tag for the signatures of `digest`: `sha256-<hex>.sig`. */
export function cosignSignatureTag(digest: Digest): string {
  return `${digest.replace(':', '-')}.sig`;
}

/**
 * Finds cosign key-based signatures under the legacy `.sig` tag and verifies
 * each layer: the simple-signing payload must name this digest (and this
 * repository), and a trusted key must verify the signature over its exact
 * bytes. No tag = no signatures. Upstream failures other than 404 throw.
 */
export async function discoverCosignLegacy(
  source: SignatureSource,
  subject: { repository: string; digest: Digest },
  options: CosignOptions,
): Promise<CosignDiscovery> {
  const tag = cosignSignatureTag(subject.digest);
  let manifest: { digest: Digest; mediaType: string; body: Buffer };
  try {
    manifest = await source.getManifest(subject.repository, tag, {
      signal: options.signal,
    });
  } catch (err: unknown) {
    if (hasCode(err, 'UPSTREAM_NOT_FOUND'))
      return { manifest: undefined, results: [] };
    throw err;
  }
  const layers = signatureLayers(manifest.body).slice(0, options.maxSignatures);
  const results: SignatureRecord[] = [];
  for (const layer of layers) {
    results.push(
      await verifyLayer(source, subject, manifest.digest, layer, options),
    );
  }
  return { manifest: { ...manifest, tag }, results };
}

interface SignatureLayer {
  digest: Digest;
  size: number;
  signature: string | undefined;
}

function signatureLayers(body: Buffer): SignatureLayer[] {
  const parsed = JSON.parse(body.toString('utf8')) as {
    layers?: Array<{
      mediaType?: string;
      digest?: string;
      size?: number;
      annotations?: Record<string, string>;
    }>;
  };
  return (parsed.layers ?? [])
    .filter(
      (l) =>
        l.mediaType === MediaTypes.cosignSimpleSigning &&
        typeof l.digest === 'string' &&
        isDigest(l.digest),
    )
    .map((l) => ({
      digest: l.digest as Digest,
      size: l.size ?? 0,
      signature: l.annotations?.[SIGNATURE_ANNOTATION],
    }));
}

async function verifyLayer(
  source: SignatureSource,
  subject: { repository: string; digest: Digest },
  signatureDigest: Digest,
  layer: SignatureLayer,
  options: CosignOptions,
): Promise<SignatureRecord> {
  const base = {
    subjectDigest: subject.digest,
    signatureDigest,
    layerDigest: layer.digest,
    format: 'cosign',
    discoveredVia: 'tag',
  };
  const invalid = (reason: string, payload?: unknown): SignatureRecord => ({
    ...base,
    status: 'invalid',
    reason,
    payload,
  });
  if (!layer.signature) return invalid('layer has no signature annotation');
  if (layer.size > options.maxPayloadBytes)
    return invalid(
      `payload of ${layer.size} bytes exceeds ${options.maxPayloadBytes}`,
    );
  let payload: Buffer;
  try {
    payload = await readBounded(
      source,
      subject.repository,
      layer.digest,
      options,
    );
  } catch (err: unknown) {
    if (
      hasCode(err, 'UPSTREAM_DIGEST_MISMATCH') ||
      hasCode(err, 'UPSTREAM_NOT_FOUND')
    )
      return invalid(`payload unreadable: ${messageOf(err)}`);
    throw err;
  }
  const claim = checkPayload(payload, subject, options.matchReference);
  if (typeof claim === 'string') return invalid(claim);
  const signer = findVerifyingKey(
    options.keys,
    payload,
    Buffer.from(layer.signature, 'base64'),
  );
  if (!signer)
    return {
      ...base,
      status: 'unknown_key',
      reason: 'no trusted key verifies this signature',
      payload: claim,
    };
  return {
    ...base,
    status: 'verified',
    signer: `key:${signer}`,
    payload: claim,
  };
}

async function readBounded(
  source: SignatureSource,
  repository: string,
  digest: Digest,
  options: CosignOptions,
): Promise<Buffer> {
  const { stream } = await source.getBlob(repository, digest, {
    signal: options.signal,
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > options.maxPayloadBytes) {
      stream.destroy();
      throw new Error(`payload exceeds ${options.maxPayloadBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Checks the simple-signing claims; returns the parsed payload or why it is invalid. */
function checkPayload(
  payload: Buffer,
  subject: { repository: string; digest: Digest },
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
