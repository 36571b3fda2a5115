/**
 * A test certificate authority: real X.509 certificates (@peculiar/x509 on
 * Node's WebCrypto) for building signatures the way Fulcio and Notation
 * signers lay them out. Test-only keys, generated per run.
 */
import { KeyObject, webcrypto, X509Certificate } from 'node:crypto';
import type { webcrypto as WebCrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKeyPair = WebCrypto.CryptoKeyPair;

// The library's `Crypto` type is the DOM's; Node's webcrypto implements it.
x509.cryptoProvider.set(
  'default',
  webcrypto as Parameters<typeof x509.cryptoProvider.set>[1],
);

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const OID_FULCIO_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_FULCIO_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const OID_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const OID_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';

/** A certificate and the private key of its subject. */
export interface TestCert {
  cert: X509Certificate;
  pem: string;
  der: Buffer;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** For issuing further certificates. */
  keys: CryptoKeyPair;
  name: string;
}

/** Options of a leaf certificate. */
export interface LeafOptions {
  /** Distinguished name, e.g. `CN=release,O=Acme`. */
  subject?: string;
  /** SAN URI (CI workflow) or email. */
  san?: { type: 'url' | 'email'; value: string };
  /** Fulcio OIDC issuer extensions (v1 and v2). */
  oidcIssuer?: string;
  notBefore?: Date;
  notAfter?: Date;
  timeStamping?: boolean;
}

/** A key pair (ECDSA P-256) usable by WebCrypto and node:crypto. */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
}

/** A self-signed root CA, valid from a year ago for ten years. */
export async function createTestCa(
  name = 'CN=Customs Test Root,O=Customs Tests',
): Promise<TestCert> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name,
    keys,
    serialNumber: '01',
    notBefore: daysFromNow(-365),
    notAfter: daysFromNow(3650),
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return toTestCert(cert, keys, name);
}

/** A leaf certificate issued by `ca` (code signing, or time stamping). */
export async function issueCert(
  ca: TestCert,
  options: LeafOptions = {},
): Promise<TestCert> {
  const keys = await generateKeyPair();
  const name = options.subject ?? '';
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(
      [options.timeStamping ? OID_TIME_STAMPING : OID_CODE_SIGNING],
      options.timeStamping === true,
    ),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (options.san)
    extensions.push(
      new x509.SubjectAlternativeNameExtension([options.san], true),
    );
  if (options.oidcIssuer) {
    extensions.push(
      new x509.Extension(
        OID_FULCIO_ISSUER_V1,
        false,
        Buffer.from(options.oidcIssuer),
      ),
      new x509.Extension(
        OID_FULCIO_ISSUER_V2,
        false,
        utf8String(options.oidcIssuer),
      ),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8)))
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    subject: name,
    issuer: ca.name,
    notBefore: options.notBefore ?? daysFromNow(-1),
    notAfter: options.notAfter ?? daysFromNow(365),
    signingAlgorithm: EC,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions,
  });
  return toTestCert(cert, keys, name);
}

/** `days` days from now (negative: in the past). */
export function daysFromNow(days: number): Date {
  return new Date(Date.now() + days * 86_400_000);
}

function toTestCert(
  cert: x509.X509Certificate,
  keys: CryptoKeyPair,
  name: string,
): TestCert {
  const der = Buffer.from(cert.rawData);
  const node = new X509Certificate(der);
  return {
    cert: node,
    pem: node.toString(),
    der,
    privateKey: KeyObject.from(keys.privateKey),
    publicKey: KeyObject.from(keys.publicKey),
    keys,
    name,
  };
}

function utf8String(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > 127) throw new Error('issuer too long for this helper');
  return Buffer.concat([Buffer.from([0x0c, bytes.length]), bytes]);
}
