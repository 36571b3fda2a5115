import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** A public key signatures are checked against, under the name the rules give it. */
export interface TrustedKey {
  name: string;
  key: KeyObject;
  /** Digest algorithm for node:crypto's verify (null for Ed25519). */
  hash: string | null;
}

const CURVE_HASH: Record<string, string> = {
  prime256v1: 'sha256',
  secp384r1: 'sha384',
  secp521r1: 'sha512',
};

/**
 * Parses a PEM public key (ECDSA P-256/P-384/P-521, RSA, Ed25519) and picks
 * the digest sigstore pairs with it. Throws on a malformed or unsupported key.
 */
export function parseTrustedKey(name: string, pem: string): TrustedKey {
  const key = createPublicKey(pem);
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
      const hash = CURVE_HASH[curve];
      if (!hash) throw new Error(`key ${name}: unsupported EC curve ${curve}`);
      return { name, key, hash };
    }
    case 'rsa':
    case 'rsa-pss':
      return { name, key, hash: 'sha256' };
    case 'ed25519':
      return { name, key, hash: null };
    case 'dsa':
    case 'ed448':
    case 'x25519':
    case 'x448':
    case undefined:
      throw new Error(
        `key ${name}: unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`,
      );
  }
}

/** The name of the first key that verifies `signature` over `payload`, if any. */
export function findVerifyingKey(
  keys: readonly TrustedKey[],
  payload: Buffer,
  signature: Buffer,
): string | undefined {
  for (const k of keys) {
    try {
      if (verify(k.hash, payload, k.key, signature)) return k.name;
    } catch {
      // A signature of another algorithm's shape: this key does not verify it.
    }
  }
  return undefined;
}

/** The digest sigstore pairs with a key for plain signatures (null: Ed25519). */
export function hashFor(key: KeyObject): string | null {
  if (key.asymmetricKeyType === 'ec')
    return CURVE_HASH[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'sha256';
  if (key.asymmetricKeyType === 'ed25519') return null;
  return 'sha256';
}
