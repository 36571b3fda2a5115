import { createHash } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Digest } from '../../core/digest.js';
import { createDigestVerifyingStream } from './digest-verifying-stream.js';

const context = { repository: 'a/b', digest: 'x' };

function sha(bytes: Buffer, algorithm: 'sha256' | 'sha512' = 'sha256'): Digest {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

function chunksOf(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size)
    out.push(bytes.subarray(i, i + size));
  return out;
}

async function drain(stream: Readable): Promise<Buffer[]> {
  const received: Buffer[] = [];
  await pipeline(
    stream,
    new Writable({ write: (c: Buffer, _e, cb) => (received.push(c), cb()) }),
  );
  return received;
}

describe('createDigestVerifyingStream', () => {
  const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));

  it('passes the very same chunks through and ends when the digest and size match', async () => {
    const chunks = chunksOf(bytes, 65_536);
    const stream = createDigestVerifyingStream(Readable.from(chunks), {
      digest: sha(bytes),
      sizeBytes: bytes.length,
      context,
    });
    const received = await drain(stream);
    expect(received).toHaveLength(chunks.length);
    received.forEach((chunk, i) => expect(chunk).toBe(chunks[i])); // same Buffer objects: no copies
  });

  it('verifies sha512 digests', async () => {
    const stream = createDigestVerifyingStream(Readable.from([bytes]), {
      digest: sha(bytes, 'sha512'),
      context,
    });
    await expect(drain(stream)).resolves.toHaveLength(1);
  });

  it('errors with UPSTREAM_DIGEST_MISMATCH at the end for other bytes', async () => {
    const other = Buffer.from(bytes);
    other[100] = 0xff;
    const stream = createDigestVerifyingStream(
      Readable.from(chunksOf(other, 1000)),
      { digest: sha(bytes), context },
    );
    let ended = false;
    stream.on('end', () => (ended = true));
    await expect(drain(stream)).rejects.toMatchObject({
      name: 'UpstreamError',
      code: 'UPSTREAM_DIGEST_MISMATCH',
      details: {
        ...context,
        upstream: 200,
        expected: sha(bytes),
        actual: sha(other),
        receivedBytes: other.length,
      },
    });
    expect(ended).toBe(false);
  });

  it('errors with UPSTREAM_DIGEST_MISMATCH when the length differs from Content-Length', async () => {
    const stream = createDigestVerifyingStream(Readable.from([bytes]), {
      digest: sha(bytes),
      sizeBytes: bytes.length + 1,
      context,
    });
    await expect(drain(stream)).rejects.toMatchObject({
      code: 'UPSTREAM_DIGEST_MISMATCH',
      details: { sizeBytes: bytes.length + 1, receivedBytes: bytes.length },
    });
  });

  it('turns a source failure into UPSTREAM_UNAVAILABLE with the cause', async () => {
    const source = new PassThrough();
    const stream = createDigestVerifyingStream(source, {
      digest: sha(bytes),
      context,
    });
    const done = drain(stream).catch((e: unknown) => e);
    source.write(bytes.subarray(0, 10));
    await tick();
    const cause = Object.assign(new Error('other side closed'), {
      code: 'UND_ERR_SOCKET',
    });
    source.destroy(cause);
    const err = await done;
    expect(err).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      details: { upstream: 'UND_ERR_SOCKET', receivedBytes: 10 },
    });
    expect((err as Error).cause).toBe(cause);
  });

  it('destroys the source when the consumer destroys it', async () => {
    const source = new PassThrough();
    const stream = createDigestVerifyingStream(source, {
      digest: sha(bytes),
      context,
    });
    stream.resume();
    source.write(bytes.subarray(0, 10));
    stream.destroy();
    await tick();
    expect(source.destroyed).toBe(true);
  });

  it('applies backpressure: a slow consumer pauses the source', async () => {
    const source = new PassThrough({ highWaterMark: 64 * 1024 });
    const stream = createDigestVerifyingStream(source, {
      digest: sha(bytes),
      context,
    });
    let accepted = 0;
    for (const chunk of chunksOf(Buffer.alloc(4 * 1024 * 1024), 64 * 1024)) {
      if (!source.write(chunk)) break;
      accepted += chunk.length;
    }
    await tick();
    // Nothing reads `stream`: only its buffer plus the source's can be filled.
    expect(stream.readableLength).toBeLessThanOrEqual(1024 * 1024);
    expect(accepted).toBeLessThan(4 * 1024 * 1024);
    stream.destroy();
  });
});
