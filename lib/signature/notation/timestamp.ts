import { createHash, verify, X509Certificate } from 'node:crypto';
import { ASN1Obj, RFC3161Timestamp } from '@sigstore/core';
import { chainsToAnchor } from './x509-chain.js';

/** A verified RFC 3161 time, with its accuracy, or why it is not one. */
export type TimestampCheck =
  { ok: true; time: Date; accuracyMs: number } | { ok: false; reason: string };

const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const HASH_BY_OID: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/**
 * Verifies a Notary Project timestamp countersignature (a TimeStampToken,
 * RFC 3161 §2.4.2) over `signature`: the message imprint must be the hash of
 * the signature bytes, the CMS signature must verify with the TSA
 * certificate the token carries, and that certificate must chain to a TSA
 * trust anchor and be valid at the stamped time.
 */
export function verifyTimestampToken(
  token: Buffer,
  signature: Buffer,
  anchors: readonly X509Certificate[],
): TimestampCheck {
  try {
    const { ts, certs, signerInfo } = parseToken(token);
    ts.tstInfo.verify(signature);
    const serial = signerInfo.subs[1]!.subs[1]!.value.toString('hex');
    const signer = certs.find((c) => sameSerial(c.serialNumber, serial));
    if (!signer)
      return { ok: false, reason: 'timestamp signer certificate missing' };
    const why = checkSignedAttributes(ts, signerInfo, signer);
    if (why) return { ok: false, reason: why };
    const time = ts.signingTime;
    if (!chainsToAnchor(signer, certs, anchors))
      return { ok: false, reason: 'timestamp authority is not trusted' };
    if (time < new Date(signer.validFrom) || time > new Date(signer.validTo))
      return {
        ok: false,
        reason: 'timestamp outside its TSA certificate validity',
      };
    return { ok: true, time, accuracyMs: accuracyMs(ts) };
  } catch (err: unknown) {
    return {
      ok: false,
      reason: `unreadable timestamp: ${(err as Error).message}`,
    };
  }
}

/** The token as @sigstore/core reads it (wrapped in a TimeStampResp). */
function parseToken(token: Buffer): {
  ts: RFC3161Timestamp;
  certs: X509Certificate[];
  signerInfo: ASN1Obj;
} {
  const status = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]);
  const resp = ASN1Obj.parseBuffer(
    Buffer.concat([
      derHeader(0x30, status.length + token.length),
      status,
      token,
    ]),
  );
  const signedData = resp.subs[1]!.subs.find((s) => s.tag.isContextSpecific(0))!
    .subs[0]!;
  const certs = (
    signedData.subs.find((s) => s.tag.isContextSpecific(0))?.subs ?? []
  ).map((c) => new X509Certificate(c.toDER()));
  const signerInfo = signedData.subs[signedData.subs.length - 1]!.subs[0]!;
  return { ts: new RFC3161Timestamp(resp), certs, signerInfo };
}

/** RFC 5652 §5.4: the message digest attribute, and the signature over the attributes. */
function checkSignedAttributes(
  ts: RFC3161Timestamp,
  signerInfo: ASN1Obj,
  signer: X509Certificate,
): string | undefined {
  const hash = HASH_BY_OID[signerInfo.subs[2]!.subs[0]!.toOID()] ?? 'sha256';
  const attrs = signerInfo.subs.find((s) => s.tag.isContextSpecific(0))!;
  const digestAttr = attrs.subs.find(
    (a) => a.subs[0]!.toOID() === OID_MESSAGE_DIGEST,
  );
  const expected = createHash(hash).update(ts.tstInfo.raw).digest();
  if (!digestAttr?.subs[1]!.subs[0]!.value.equals(expected))
    return 'timestamp signed attributes do not match';
  const signedAttrs = attrs.toDER();
  signedAttrs[0] = 0x31; // signed as a SET OF, not as the [0] it is stored as
  return verify(hash, signedAttrs, signer.publicKey, ts.signatureValue)
    ? undefined
    : 'timestamp signature does not verify';
}

/** TSTInfo accuracy (seconds, millis), 0 when absent (RFC 3161 §2.4.2). */
function accuracyMs(ts: RFC3161Timestamp): number {
  const accuracy = ts.tstInfo.root.subs.find(
    (s) =>
      s.tag.number === 0x10 &&
      s.subs.length > 0 &&
      s.subs.every(
        (x) =>
          x.tag.isInteger() ||
          x.tag.isContextSpecific(0) ||
          x.tag.isContextSpecific(1),
      ),
  );
  if (!accuracy) return 0;
  let ms = 0;
  for (const part of accuracy.subs) {
    if (part.tag.isContextSpecific(0))
      ms += Number(part.value.readUIntBE(0, part.value.length));
    else if (part.tag.isContextSpecific(1))
      ms += part.value.readUIntBE(0, part.value.length) / 1000;
    else if (part.tag.isInteger()) ms += Number(part.toInteger()) * 1000;
  }
  return ms;
}

function sameSerial(certSerial: string, hex: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/^0+/, '');
  return norm(certSerial) === norm(hex);
}

function derHeader(tag: number, length: number): Buffer {
  if (length < 0x80) return Buffer.from([tag, length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
}
