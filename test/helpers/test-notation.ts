/**
 * Notation signature envelopes built in tests as `notation sign` writes
 * them (Notary Project JWS and COSE_Sign1, signing scheme notary.x509,
 * ES256 with the x5c chain), and the OCI 1.1 signature manifest around one.
 */
import { createHash, sign } from 'node:crypto';
import { Encoder, Tag } from 'cbor-x';
import type { TestCert } from './test-pki.js';

const PAYLOAD_TYPE = 'application/vnd.cncf.notary.payload.v1+json';
const cbor = new Encoder({ useRecords: false, mapsAsObjects: false });

/** A descriptor of the signed manifest. */
export interface TargetDescriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/** Options of an envelope. */
export interface EnvelopeOptions {
  /** Leaf first. */
  chain: TestCert[];
  signingTime?: Date;
  expiry?: Date;
}

/** A JWS envelope (`application/jose+json`). */
export function notationJws(
  target: TargetDescriptor,
  options: EnvelopeOptions,
): Buffer {
  const header: Record<string, unknown> = {
    alg: 'ES256',
    crit: [
      'io.cncf.notary.signingScheme',
      ...(options.expiry ? ['io.cncf.notary.expiry'] : []),
    ],
    cty: PAYLOAD_TYPE,
    'io.cncf.notary.signingScheme': 'notary.x509',
    'io.cncf.notary.signingTime': (
      options.signingTime ?? new Date()
    ).toISOString(),
  };
  if (options.expiry)
    header['io.cncf.notary.expiry'] = options.expiry.toISOString();
  const protectedB64 = Buffer.from(JSON.stringify(header)).toString(
    'base64url',
  );
  const payloadB64 = Buffer.from(
    JSON.stringify({ targetArtifact: target }),
  ).toString('base64url');
  const signature = sign(
    'sha256',
    Buffer.from(`${protectedB64}.${payloadB64}`),
    {
      key: options.chain[0]!.privateKey,
      dsaEncoding: 'ieee-p1363',
    },
  );
  return Buffer.from(
    JSON.stringify({
      payload: payloadB64,
      protected: protectedB64,
      header: {
        x5c: options.chain.map((c) => c.der.toString('base64')),
        'io.cncf.notary.signingAgent': 'customs-tests',
      },
      signature: signature.toString('base64url'),
    }),
  );
}

/** A COSE_Sign1 envelope (`application/cose`). */
export function notationCose(
  target: TargetDescriptor,
  options: EnvelopeOptions,
): Buffer {
  const header = new Map<number | string, unknown>([
    [1, -7],
    [2, ['io.cncf.notary.signingScheme']],
    [3, PAYLOAD_TYPE],
    ['io.cncf.notary.signingScheme', 'notary.x509'],
    [
      'io.cncf.notary.signingTime',
      new Tag(
        Math.floor((options.signingTime ?? new Date()).getTime() / 1000),
        1,
      ),
    ],
  ]);
  if (options.expiry)
    header.set(
      'io.cncf.notary.expiry',
      new Tag(Math.floor(options.expiry.getTime() / 1000), 1),
    );
  const protectedBytes = cbor.encode(header);
  const payload = Buffer.from(JSON.stringify({ targetArtifact: target }));
  const toSign = cbor.encode([
    'Signature1',
    protectedBytes,
    Buffer.alloc(0),
    payload,
  ]);
  const signature = sign('sha256', toSign, {
    key: options.chain[0]!.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  const unprotected = new Map<number | string, unknown>([
    [33, options.chain.map((c) => c.der)],
    ['io.cncf.notary.signingAgent', 'customs-tests'],
  ]);
  return Buffer.from(
    cbor.encode(new Tag([protectedBytes, unprotected, payload, signature], 18)),
  );
}

/** The OCI 1.1 signature manifest `notation sign` pushes for an envelope. */
export function notationManifest(
  subject: TargetDescriptor,
  envelope: Buffer,
  envelopeMediaType: 'application/jose+json' | 'application/cose',
  chain: TestCert[],
): { manifest: Buffer; blobs: Buffer[] } {
  const empty = Buffer.from('{}');
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.cncf.notary.signature',
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        digest: digestOf(empty),
        size: 2,
      },
      layers: [
        {
          mediaType: envelopeMediaType,
          digest: digestOf(envelope),
          size: envelope.length,
        },
      ],
      subject,
      annotations: {
        'io.cncf.notary.x509chain.thumbprint#S256': JSON.stringify(
          chain.map((c) => createHash('sha256').update(c.der).digest('hex')),
        ),
        'org.opencontainers.image.created': new Date().toISOString(),
      },
    }),
  );
  return { manifest, blobs: [empty, envelope] };
}

/** `sha256:<hex>` of bytes. */
export function digestOf(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
