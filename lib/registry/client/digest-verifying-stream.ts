/**
 * A pass-through Readable that hashes the bytes of a blob while they flow
 * and refuses to end cleanly unless they match the digest (and the declared
 * length). It sits on the hot path of blob pulls, so it forwards the
 * source's own Buffers (no copies) and hashes each chunk once.
 */
import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { digestAlgorithm, digestHex, type Digest } from '../../core/digest.js';
import { UpstreamError } from '../../core/errors.js';
import { networkCode, type CallContext } from './response.js';

/** What the bytes must be. */
export interface DigestExpectation {
  digest: Digest;
  /** Declared length (Content-Length), checked at the end when known. */
  sizeBytes?: number | undefined;
  /** Copied into error details. */
  context: CallContext;
}

// Large enough that a 64 KiB socket read does not pause the source on
// every chunk; small enough for many concurrent pulls.
const HIGH_WATER_MARK = 512 * 1024;

/**
 * Wraps `source`. The result emits the same chunks; at the end it either
 * ends (bytes verified) or errors with UpstreamError
 * UPSTREAM_DIGEST_MISMATCH (`details.expected`, `details.actual`,
 * `details.sizeBytes`, `details.receivedBytes`). A source failure becomes
 * UPSTREAM_UNAVAILABLE (an AbortError passes as is). Destroying the result destroys the source (and so
 * releases the upstream connection); the caller owns the result.
 */
export function createDigestVerifyingStream(
  source: Readable,
  expected: DigestExpectation,
): Readable {
  return new DigestVerifyingStream(source, expected);
}

class DigestVerifyingStream extends Readable {
  readonly #source: Readable;
  readonly #expected: DigestExpectation;
  readonly #hash: Hash;
  #receivedBytes = 0;
  #ended = false;

  constructor(source: Readable, expected: DigestExpectation) {
    super({ highWaterMark: HIGH_WATER_MARK });
    this.#source = source;
    this.#expected = expected;
    this.#hash = createHash(digestAlgorithm(expected.digest));
    // Paused before listening, so nothing flows until we are read.
    source.pause();
    source.on('data', (chunk: Buffer) => this.#onData(chunk));
    source.once('end', () => this.#onEnd());
    source.once('error', (err: unknown) => this.#fail(err));
    source.once('close', () => {
      if (!this.#ended) this.#fail(new Error('upstream body closed early'));
    });
  }

  override _read(): void {
    this.#source.resume();
  }

  override _destroy(
    err: Error | null,
    callback: (error?: Error | null) => void,
  ): void {
    if (!this.#source.destroyed) this.#source.destroy();
    callback(err);
  }

  #onData(chunk: Buffer): void {
    this.#hash.update(chunk);
    this.#receivedBytes += chunk.length;
    if (!this.push(chunk)) this.#source.pause();
  }

  #onEnd(): void {
    this.#ended = true;
    const { digest, sizeBytes, context } = this.#expected;
    const actualHex = this.#hash.digest('hex');
    const sizeOk = sizeBytes === undefined || sizeBytes === this.#receivedBytes;
    if (sizeOk && actualHex === digestHex(digest)) {
      this.push(null);
      return;
    }
    this.destroy(
      new UpstreamError(
        'UPSTREAM_DIGEST_MISMATCH',
        'upstream blob does not match its digest',
        {
          details: {
            ...context,
            upstream: 200,
            expected: digest,
            actual: `${digestAlgorithm(digest)}:${actualHex}`,
            sizeBytes,
            receivedBytes: this.#receivedBytes,
          },
        },
      ),
    );
  }

  #fail(err: unknown): void {
    if (this.destroyed) return;
    this.#ended = true;
    // The caller aborted (its signal): hand its own abort error back.
    if (err instanceof Error && err.name === 'AbortError') {
      this.destroy(err);
      return;
    }
    this.destroy(
      new UpstreamError(
        'UPSTREAM_UNAVAILABLE',
        'upstream blob transfer failed',
        {
          details: {
            ...this.#expected.context,
            upstream: networkCode(err),
            receivedBytes: this.#receivedBytes,
          },
          cause: err,
        },
      ),
    );
  }
}
