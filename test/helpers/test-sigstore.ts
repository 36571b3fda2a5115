/**
 * A test Sigstore: a Fulcio-like CA, a Rekor-like transparency-log key and
 * the trusted_root.json that names them, with builders for what cosign and
 * sigstore-js write: keyless `.sig` layer annotations (certificate, chain,
 * Rekor bundle with a signed entry timestamp) and Sigstore bundles v0.1-v0.3
 * (inclusion promise and a checkpointed inclusion proof). All offline.
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';
import {
  createTestCa,
  issueCert,
  type LeafOptions,
  type TestCert,
} from './test-pki.js';

/** The log, as the trusted root names it. */
const REKOR_URL = 'https://rekor.customs.test';
const ORIGIN = 'rekor.customs.test';

/** What a keyless signer gets: certificate, key, and how to log a signature. */
export interface TestSigstore {
  ca: TestCert;
  rekorKey: KeyObject;
  logId: Buffer;
  /** `trusted_root.json` (Sigstore protobuf-specs JSON). */
  trustedRoot: string;
  /** A Fulcio-style leaf: SAN URI/email + OIDC issuer extensions. */
  issue(options: LeafOptions): Promise<TestCert>;
}

/** An entry as the log answers it. */
export interface TestLogEntry {
  body: Buffer;
  integratedTime: number;
  logIndex: number;
  set: Buffer;
  checkpoint: string;
  rootHash: Buffer;
}

/** Creates the CA, the log key and the trusted root. */
export async function createTestSigstore(): Promise<TestSigstore> {
  const ca = await createTestCa('CN=Customs Test Fulcio,O=Customs Tests');
  const { privateKey: rekorKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
  });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const logId = createHash('sha256').update(spki).digest();
  const start = new Date(Date.now() - 400 * 86_400_000).toISOString();
  const trustedRoot = JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: REKOR_URL,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: spki.toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start },
        },
        logId: { keyId: logId.toString('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: {
          organization: 'Customs Tests',
          commonName: 'Customs Test Fulcio',
        },
        uri: 'https://fulcio.customs.test',
        certChain: { certificates: [{ rawBytes: ca.der.toString('base64') }] },
        validFor: { start },
      },
    ],
    ctlogs: [],
    timestampAuthorities: [],
  });
  return { ca, rekorKey, logId, trustedRoot, issue: (o) => issueCert(ca, o) };
}

/** hashedrekord 0.0.1 body of a plain signature (what `cosign sign` logs). */
export function hashedRekordBody(
  payload: Buffer,
  signature: Buffer,
  certPem: string,
): Buffer {
  return canonical({
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: {
        hash: { algorithm: 'sha256', value: sha256(payload).toString('hex') },
      },
      signature: {
        content: signature.toString('base64'),
        publicKey: { content: Buffer.from(certPem).toString('base64') },
      },
    },
  });
}

/** dsse 0.0.1 body of a DSSE envelope (what attestations log). */
export function dsseBody(
  payload: Buffer,
  signature: Buffer,
  certPem: string,
  envelope: Buffer,
): Buffer {
  return canonical({
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: {
        algorithm: 'sha256',
        value: sha256(envelope).toString('hex'),
      },
      payloadHash: {
        algorithm: 'sha256',
        value: sha256(payload).toString('hex'),
      },
      signatures: [
        {
          signature: signature.toString('base64'),
          verifier: Buffer.from(certPem).toString('base64'),
        },
      ],
    },
  });
}

/**
 * Logs a body: a signed entry timestamp over cosign's canonical
 * `{body, integratedTime, logID, logIndex}` and a checkpoint of a one-leaf
 * tree (root = leaf hash) signed as a note.
 */
export function logEntry(
  sigstore: TestSigstore,
  body: Buffer,
  integratedTime = Math.floor(Date.now() / 1000),
): TestLogEntry {
  const logIndex = 0;
  const set = sign(
    'sha256',
    canonical({
      body: body.toString('base64'),
      integratedTime,
      logID: sigstore.logId.toString('hex'),
      logIndex,
    }),
    sigstore.rekorKey,
  );
  const rootHash = sha256(Buffer.concat([Buffer.from([0]), body]));
  const note = `${ORIGIN}\n1\n${rootHash.toString('base64')}\n`;
  const noteSig = Buffer.concat([
    sigstore.logId.subarray(0, 4),
    sign('sha256', Buffer.from(note), sigstore.rekorKey),
  ]);
  const checkpoint = `${note}\n\u2014 ${ORIGIN} ${noteSig.toString('base64')}\n`;
  return { body, integratedTime, logIndex, set, checkpoint, rootHash };
}

/** cosign's `dev.sigstore.cosign/bundle` annotation for a logged entry. */
export function cosignRekorBundle(
  entry: TestLogEntry,
  sigstore: TestSigstore,
): string {
  return JSON.stringify({
    SignedEntryTimestamp: entry.set.toString('base64'),
    Payload: {
      body: entry.body.toString('base64'),
      integratedTime: entry.integratedTime,
      logIndex: entry.logIndex,
      logID: sigstore.logId.toString('hex'),
    },
  });
}

/** Options of {@link sigstoreBundle}. */
export interface BundleOptions {
  version: '0.1' | '0.2' | '0.3';
  /** Leave out the tlog entry ("missing tlog entry"). */
  noTlog?: boolean;
  /** Leave out the inclusion promise (no signed time from the log). */
  noPromise?: boolean;
}

const MEDIA_TYPES = {
  '0.1': 'application/vnd.dev.sigstore.bundle+json;version=0.1',
  '0.2': 'application/vnd.dev.sigstore.bundle+json;version=0.2',
  '0.3': 'application/vnd.dev.sigstore.bundle.v0.3+json',
};

/** A Sigstore bundle (JSON) over a DSSE envelope, signed by `signer`. */
export function sigstoreDsseBundle(
  sigstore: TestSigstore,
  signer: TestCert,
  statement: object,
  options: BundleOptions,
): Buffer {
  const payload = Buffer.from(JSON.stringify(statement));
  const payloadType = 'application/vnd.in-toto+json';
  const pae = Buffer.concat([
    Buffer.from(
      `DSSEv1 ${payloadType.length} ${payloadType} ${payload.length} `,
    ),
    payload,
  ]);
  const signature = sign('sha256', pae, signer.privateKey);
  const envelope = {
    payload: payload.toString('base64'),
    payloadType,
    signatures: [{ sig: signature.toString('base64'), keyid: '' }],
  };
  const entry = logEntry(
    sigstore,
    dsseBody(
      payload,
      signature,
      signer.pem,
      Buffer.from(JSON.stringify(envelope)),
    ),
  );
  const tlog = {
    logIndex: '0',
    logId: { keyId: sigstore.logId.toString('base64') },
    kindVersion: { kind: 'dsse', version: '0.0.1' },
    integratedTime: String(entry.integratedTime),
    inclusionPromise: options.noPromise
      ? undefined
      : { signedEntryTimestamp: entry.set.toString('base64') },
    inclusionProof:
      options.version === '0.1'
        ? undefined
        : {
            logIndex: '0',
            rootHash: entry.rootHash.toString('base64'),
            treeSize: '1',
            hashes: [],
            checkpoint: { envelope: entry.checkpoint },
          },
    canonicalizedBody: entry.body.toString('base64'),
  };
  const certificate = { rawBytes: signer.der.toString('base64') };
  return Buffer.from(
    JSON.stringify({
      mediaType: MEDIA_TYPES[options.version],
      verificationMaterial: {
        ...(options.version === '0.3'
          ? { certificate }
          : { x509CertificateChain: { certificates: [certificate] } }),
        tlogEntries: options.noTlog ? [] : [tlog],
        timestampVerificationData: { rfc3161Timestamps: [] },
      },
      dsseEnvelope: envelope,
    }),
  );
}

/** An in-toto v1 statement about `digest`. */
export function statement(
  digest: string,
  predicateType: string,
  predicate: object = {},
): object {
  const [algorithm, hex] = digest.split(':') as [string, string];
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'image', digest: { [algorithm]: hex } }],
    predicateType,
    predicate,
  };
}

/** A PEM public key's SPKI, for rules. */
export function publicPem(key: KeyObject): string {
  const pub = key.type === 'public' ? key : createPublicKey(key);
  return pub.export({ format: 'pem', type: 'spki' }).toString();
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** RFC 8785-style canonical JSON of plain objects (sorted keys, no spaces). */
function canonical(value: unknown): Buffer {
  const walk = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(walk).join(',')}]`;
    if (v !== null && typeof v === 'object')
      return `{${Object.keys(v)
        .sort()
        .map(
          (k) =>
            `${JSON.stringify(k)}:${walk((v as Record<string, unknown>)[k])}`,
        )
        .join(',')}}`;
    return JSON.stringify(v);
  };
  return Buffer.from(walk(value));
}
