/**
 * Notary Project signature envelopes (notaryproject/specifications
 * "signature-envelope-jws.md" and "signature-envelope-cose.md"): parse, and
 * check integrity with the leaf certificate of the embedded chain.
 */
import {
  constants,
  verify,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { Decoder, Encoder, Tag } from 'cbor-x';

// Maps keep their integer labels; nothing cbor-x specific is written.
const cbor = new Decoder({ mapsAsObjects: false });
const cborOut = new Encoder({ useRecords: false });

/** Layer media type of a JWS envelope. */
export const JWS_MEDIA_TYPE = 'application/jose+json';
/** Layer media type of a COSE_Sign1 envelope. */
export const COSE_MEDIA_TYPE = 'application/cose';

/** What verification needs of an envelope, whichever its format. */
export interface NotationEnvelope {
  /** The signed payload: `{"targetArtifact": descriptor}`. */
  payload: Buffer;
  /** x5c / x5chain, leaf first. */
  certificates: X509Certificate[];
  signingScheme: string;
  signingTime?: Date | undefined;
  authenticSigningTime?: Date | undefined;
  expiry?: Date | undefined;
  /** RFC 3161 countersignature over `signature`, when present. */
  timestampToken?: Buffer | undefined;
  signature: Buffer;
  /** Whether `signature` verifies with the leaf's key over the signed bytes. */
  isIntact: boolean;
}

const PREFIX = 'io.cncf.notary.';
const COSE_ALGS: Record<number, string> = {
  [-37]: 'PS256',
  [-38]: 'PS384',
  [-39]: 'PS512',
  [-7]: 'ES256',
  [-35]: 'ES384',
  [-36]: 'ES512',
};

/** Parses a JWS (JSON serialization) envelope. Throws on malformed input. */
export function parseJws(data: Buffer): NotationEnvelope {
  const doc = JSON.parse(data.toString('utf8')) as {
    payload: string;
    protected: string;
    header?: { x5c?: string[]; [k: string]: unknown };
    signature: string;
  };
  const header = JSON.parse(
    Buffer.from(doc.protected, 'base64url').toString('utf8'),
  ) as Record<string, unknown>;
  const certificates = (doc.header?.x5c ?? []).map(
    (c) => new X509Certificate(Buffer.from(c, 'base64')),
  );
  const signature = Buffer.from(doc.signature, 'base64url');
  const signed = Buffer.from(`${doc.protected}.${doc.payload}`, 'ascii');
  const stamp = doc.header?.[`${PREFIX}timestampSignature`];
  return {
    payload: Buffer.from(doc.payload, 'base64url'),
    certificates,
    signingScheme: text(header[`${PREFIX}signingScheme`]),
    signingTime: date(header[`${PREFIX}signingTime`]),
    authenticSigningTime: date(header[`${PREFIX}authenticSigningTime`]),
    expiry: date(header[`${PREFIX}expiry`]),
    timestampToken:
      typeof stamp === 'string' ? Buffer.from(stamp, 'base64') : undefined,
    signature,
    isIntact: intact(String(header.alg), certificates[0], signed, signature),
  };
}

/** Parses a COSE_Sign1 envelope. Throws on malformed input. */
export function parseCose(data: Buffer): NotationEnvelope {
  const decoded = cbor.decode(data) as unknown;
  const sign1 = (decoded instanceof Tag ? decoded.value : decoded) as [
    Uint8Array,
    Map<number | string, unknown>,
    Uint8Array,
    Uint8Array,
  ];
  const [protectedBytes, unprotected, payload, signatureBytes] = sign1;
  const header = cbor.decode(protectedBytes) as Map<number | string, unknown>;
  const chain = unprotected.get(33);
  const ders = (Array.isArray(chain) ? chain : [chain]) as Uint8Array[];
  const certificates = ders.map((d) => new X509Certificate(Buffer.from(d)));
  const signed = Buffer.from(
    cborOut.encode(['Signature1', protectedBytes, Buffer.alloc(0), payload]),
  );
  const signature = Buffer.from(signatureBytes);
  const stamp = unprotected.get(`${PREFIX}timestampSignature`);
  return {
    payload: Buffer.from(payload),
    certificates,
    signingScheme: text(header.get(`${PREFIX}signingScheme`)),
    signingTime: date(header.get(`${PREFIX}signingTime`)),
    authenticSigningTime: date(header.get(`${PREFIX}authenticSigningTime`)),
    expiry: date(header.get(`${PREFIX}expiry`)),
    timestampToken:
      stamp instanceof Uint8Array ? Buffer.from(stamp) : undefined,
    signature,
    isIntact: intact(
      COSE_ALGS[Number(header.get(1))] ?? '',
      certificates[0],
      signed,
      signature,
    ),
  };
}

/** RSASSA-PSS (salt = hash length) or ECDSA (raw r||s) as JOSE/COSE define. */
function intact(
  alg: string,
  leaf: X509Certificate | undefined,
  signed: Buffer,
  signature: Buffer,
): boolean {
  const hash = { '256': 'sha256', '384': 'sha384', '512': 'sha512' }[
    alg.slice(2)
  ];
  if (!leaf || !hash) return false;
  const key: KeyObject = leaf.publicKey;
  try {
    if (alg.startsWith('PS'))
      return verify(
        hash,
        signed,
        {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        },
        signature,
      );
    if (alg.startsWith('ES'))
      return verify(
        hash,
        signed,
        { key, dsaEncoding: 'ieee-p1363' },
        signature,
      );
  } catch {
    // A key of another type than the algorithm names: not intact.
  }
  return false;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** RFC 3339 string (JWS) or a CBOR epoch / tag-1 date (COSE). */
function date(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (value instanceof Tag) return date(value.value);
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value === 'string') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}
