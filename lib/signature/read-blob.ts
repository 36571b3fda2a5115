import type { Digest } from '../core/digest.js';
import { hasCode, messageOf } from '../core/errors.js';
import type { SignatureSource } from './types.js';

/** A blob read whole, or why it could not be (too large, missing, corrupt). */
export type BlobRead =
  | { ok: true; data: Buffer }
  | { ok: false; code: 'TOO_LARGE' | 'MALFORMED'; reason: string };

/**
 * Reads a signature blob into memory, refusing more than `maxBytes` (the
 * declared size is checked first, the bytes read too). A missing or corrupt
 * blob is a result; other upstream failures (down, denied) throw so the job
 * is retried and earlier results stay.
 */
export async function readSignatureBlob(
  source: SignatureSource,
  at: { repository: string; digest: Digest; declaredSize: number },
  options: { maxBytes: number; signal?: AbortSignal | undefined },
): Promise<BlobRead> {
  const tooLarge = (size: number): BlobRead => ({
    ok: false,
    code: 'TOO_LARGE',
    reason: `signature blob of ${size} bytes exceeds the limit of ${options.maxBytes}`,
  });
  if (at.declaredSize > options.maxBytes) return tooLarge(at.declaredSize);
  try {
    const { stream } = await source.getBlob(at.repository, at.digest, {
      signal: options.signal,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > options.maxBytes) {
        stream.destroy();
        return tooLarge(size);
      }
      chunks.push(chunk as Buffer);
    }
    return { ok: true, data: Buffer.concat(chunks) };
  } catch (err: unknown) {
    if (
      hasCode(err, 'UPSTREAM_DIGEST_MISMATCH') ||
      hasCode(err, 'UPSTREAM_NOT_FOUND')
    )
      return {
        ok: false,
        code: 'MALFORMED',
        reason: `signature blob unreadable: ${messageOf(err)}`,
      };
    throw err;
  }
}
