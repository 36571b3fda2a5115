import { createHash, type Hash } from 'node:crypto';
import { Transform, Writable } from 'node:stream';
import { digestAlgorithm, digestHex, type Digest } from '../core/digest.js';
import { StorageError } from '../core/errors.js';

/**
 * A pass-through that hashes what flows by and, at the end, fails with
 * StorageError BLOB_DIGEST_MISMATCH (instead of ending) unless the bytes
 * hash to `digest`. `onVerified` runs once they did.
 */
export function digestCheck(
  digest: Digest,
  onVerified?: (sizeBytes: number) => void,
): Transform {
  const hash: Hash = createHash(digestAlgorithm(digest));
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      const failure = mismatchOf(digest, hash);
      if (failure) return done(failure);
      onVerified?.(size);
      done();
    },
  });
}

/**
 * Finishes `hash`: undefined when the bytes hashed to `digest`, else the
 * StorageError BLOB_DIGEST_MISMATCH to fail with.
 */
export function mismatchOf(
  digest: Digest,
  hash: Hash,
): StorageError | undefined {
  const actual = hash.digest('hex');
  if (actual === digestHex(digest)) return undefined;
  return new StorageError(
    'BLOB_DIGEST_MISMATCH',
    `stored bytes of ${digest} hash to ${actual}`,
    { details: { digest } },
  );
}

/** A sink that throws bytes away (when only their hash matters). */
export function discardSink(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
