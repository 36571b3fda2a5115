import { createHash, verify, type KeyObject } from 'node:crypto';
import type { TransparencyLogEntry } from '@sigstore/bundle';
import { RFC3161Timestamp, X509Certificate } from '@sigstore/core';
import type { SignedEntity } from '@sigstore/verify';
import { hashFor } from './trusted-keys.js';

type SignatureContent = SignedEntity['signature'];

/** cosign's layer annotations (cosign `pkg/oci/static` and `pkg/cosign`). */
export const COSIGN_ANNOTATIONS = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
  timestamp: 'dev.sigstore.cosign/rfc3161timestamp',
} as const;

/** A DSSE envelope (https://github.com/secure-systems-lab/dsse). */
export interface DsseEnvelope {
  payloadType: string;
  payload: Buffer;
  signatures: Array<{ keyid: string; sig: Buffer }>;
}

/** A plain signature over `payload` (cosign simple signing, hashedrekord). */
export function messageContent(
  payload: Buffer,
  signature: Buffer,
): SignatureContent {
  const digest = createHash('sha256').update(payload).digest();
  return {
    signature,
    compareSignature: (s) => s.equals(signature),
    compareDigest: (d) => d.equals(digest),
    verifySignature: (key) => safeVerify(hashFor(key), payload, key, signature),
  };
}

/** A DSSE signature: over the pre-authentication encoding of the payload. */
export function dsseContent(envelope: DsseEnvelope): SignatureContent {
  const pae = preAuthEncoding(envelope.payloadType, envelope.payload);
  const signature = envelope.signatures[0]?.sig ?? Buffer.alloc(0);
  const digest = createHash('sha256').update(envelope.payload).digest();
  return {
    signature,
    compareSignature: (s) => s.equals(signature),
    compareDigest: (d) => d.equals(digest),
    verifySignature: (key) => safeVerify(hashFor(key), pae, key, signature),
  };
}

/** Parses a DSSE envelope; undefined when it is not one. */
export function parseDsseEnvelope(data: Buffer): DsseEnvelope | undefined {
  try {
    const doc = JSON.parse(data.toString('utf8')) as {
      payloadType?: unknown;
      payload?: unknown;
      signatures?: Array<{ keyid?: unknown; sig?: unknown }>;
    };
    if (typeof doc.payloadType !== 'string' || typeof doc.payload !== 'string')
      return undefined;
    return {
      payloadType: doc.payloadType,
      payload: Buffer.from(doc.payload, 'base64'),
      signatures: (doc.signatures ?? []).map((s) => ({
        keyid: typeof s.keyid === 'string' ? s.keyid : '',
        sig: Buffer.from(typeof s.sig === 'string' ? s.sig : '', 'base64'),
      })),
    };
  } catch {
    return undefined;
  }
}

/**
 * A Sigstore signed entity from a cosign legacy layer: the certificate (or
 * a trusted key), the Rekor entry of `dev.sigstore.cosign/bundle` (an
 * inclusion promise: its integrated time is a signed timestamp) and an
 * RFC 3161 timestamp. Throws on malformed annotations.
 */
export function cosignLayerEntity(
  content: SignatureContent,
  annotations: Record<string, string>,
): SignedEntity {
  const pem = annotations[COSIGN_ANNOTATIONS.certificate];
  const rekor = annotations[COSIGN_ANNOTATIONS.bundle];
  const tlogEntries = rekor ? [rekorBundleEntry(rekor)] : [];
  const tsa = annotations[COSIGN_ANNOTATIONS.timestamp];
  return {
    signature: content,
    key: pem
      ? { $case: 'certificate', certificate: X509Certificate.parse(pem) }
      : { $case: 'public-key', hint: '' },
    tlogEntries,
    timestamps: [
      ...tlogEntries.map((tlogEntry) => ({
        $case: 'transparency-log' as const,
        tlogEntry,
      })),
      ...(tsa ? [tsaTimestamp(tsa)] : []),
    ],
  };
}

/** cosign's `{SignedEntryTimestamp, Payload: {body, integratedTime, logIndex, logID}}`. */
function rekorBundleEntry(json: string): TransparencyLogEntry {
  const doc = JSON.parse(json) as {
    SignedEntryTimestamp: string;
    Payload: {
      body: string;
      integratedTime: number;
      logIndex: number;
      logID: string;
    };
  };
  const body = Buffer.from(doc.Payload.body, 'base64');
  const parsed = JSON.parse(body.toString('utf8')) as {
    kind: string;
    apiVersion: string;
  };
  return {
    logIndex: String(doc.Payload.logIndex),
    logId: { keyId: Buffer.from(doc.Payload.logID, 'hex') },
    kindVersion: { kind: parsed.kind, version: parsed.apiVersion },
    integratedTime: String(doc.Payload.integratedTime),
    inclusionPromise: {
      signedEntryTimestamp: Buffer.from(doc.SignedEntryTimestamp, 'base64'),
    },
    inclusionProof: undefined,
    canonicalizedBody: body,
  };
}

function tsaTimestamp(json: string): SignedEntity['timestamps'][number] {
  const doc = JSON.parse(json) as { SignedRFC3161Timestamp: string };
  return {
    $case: 'timestamp-authority',
    timestamp: RFC3161Timestamp.parse(
      Buffer.from(doc.SignedRFC3161Timestamp, 'base64'),
    ),
  };
}

/** DSSE v1 PAE: "DSSEv1" SP len(type) SP type SP len(body) SP body. */
function preAuthEncoding(type: string, payload: Buffer): Buffer {
  const prefix = `DSSEv1 ${Buffer.byteLength(type)} ${type} ${payload.length} `;
  return Buffer.concat([Buffer.from(prefix, 'utf8'), payload]);
}

function safeVerify(
  hash: string | null,
  data: Buffer,
  key: KeyObject,
  signature: Buffer,
): boolean {
  try {
    return verify(hash, data, key, signature);
  } catch {
    // A signature of another algorithm's shape does not verify with this key.
    return false;
  }
}
