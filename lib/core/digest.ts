import { ReferenceError } from './errors.js';

/** An OCI content digest, `sha256:<64 hex>` (sha512 is accepted too). */
export type Digest = `${'sha256' | 'sha512'}:${string}`;

const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** True for a well-formed digest of a supported algorithm. */
export function isDigest(value: string): value is Digest {
  return DIGEST_RE.test(value);
}

/** Returns `value` as a Digest or throws ReferenceError('DIGEST_INVALID'). */
export function parseDigest(value: string): Digest {
  if (!isDigest(value)) {
    throw new ReferenceError('DIGEST_INVALID', `invalid digest: ${value}`);
  }
  return value;
}

/** The algorithm part of a digest, as node:crypto names it. */
export function digestAlgorithm(digest: Digest): 'sha256' | 'sha512' {
  return digest.startsWith('sha512:') ? 'sha512' : 'sha256';
}

/** The hex part of a digest. */
export function digestHex(digest: Digest): string {
  return digest.slice(digest.indexOf(':') + 1);
}
