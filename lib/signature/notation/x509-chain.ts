import type { X509Certificate } from 'node:crypto';

/** Longest chain walked from a leaf to an anchor. */
const MAX_DEPTH = 8;

/**
 * Whether `leaf` leads to one of `anchors`: the leaf or a certificate
 * reached from it is an anchor itself, or is signed by one. Each step is a
 * name-and-signature check (X509Certificate.checkIssued + verify) through
 * `pool` (the envelope's own chain, a timestamp token's certificates).
 * Validity periods are the caller's: they depend on the signing time.
 */
export function chainsToAnchor(
  leaf: X509Certificate,
  pool: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
): boolean {
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (anchors.some((a) => a.fingerprint256 === current.fingerprint256))
      return true;
    if (anchors.some((a) => issuedBy(current, a))) return true;
    const next = pool.find(
      (c) =>
        c.fingerprint256 !== current.fingerprint256 && issuedBy(current, c),
    );
    if (!next) return false;
    current = next;
  }
  return false;
}

/** Whether each certificate of `chain` (leaf first) is issued by the next. */
export function isOrderedChain(chain: readonly X509Certificate[]): boolean {
  return chain.every((cert, i) => {
    const issuer = chain[i + 1];
    return issuer === undefined || issuedBy(cert, issuer);
  });
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    // An issuer key the certificate's signature algorithm cannot use.
    return false;
  }
}
