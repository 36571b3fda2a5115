import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestHex, type Digest } from '../../lib/core/digest.js';
import { createFsBlobStore } from '../../lib/storage/fs/fs-blob-store.js';
import { createS3BlobStore } from '../../lib/storage/s3/s3-blob-store.js';
import { startS3 } from '../helpers/s3.js';
import { describeBlobStore } from '../suites/blob-store.suite.js';

describeBlobStore('fs', () => {
  const root = mkdtempSync(join(tmpdir(), 'customs-blobs-'));
  return Promise.resolve({
    store: createFsBlobStore(root),
    corrupt: (key, bytes) =>
      Promise.resolve(
        writeFileSync(
          join(root, 'sha256', digestHex(key).slice(0, 2), digestHex(key)),
          bytes,
        ),
      ),
    cleanup: () =>
      Promise.resolve(rmSync(root, { recursive: true, force: true })),
  });
});

describeBlobStore('s3 (s3rver)', async () => {
  const peer = await startS3();
  const options = {
    bucket: peer.bucket,
    region: 'us-east-1',
    endpoint: peer.endpoint,
    forcePathStyle: true,
    prefix: 'blobs/',
    accessKeyId: peer.accessKeyId,
    secretAccessKey: peer.secretAccessKey,
  };
  const raw = new S3Client({
    region: 'us-east-1',
    endpoint: peer.endpoint,
    forcePathStyle: true,
    credentials: {
      accessKeyId: peer.accessKeyId,
      secretAccessKey: peer.secretAccessKey,
    },
  });
  return {
    store: createS3BlobStore(options),
    corrupt: async (key, bytes) => {
      await raw.send(
        new PutObjectCommand({
          Bucket: peer.bucket,
          Key: `blobs/sha256/${digestHex(key)}`,
          Body: bytes,
        }),
      );
    },
    cleanup: () => peer.stop(),
  };
});

describe('fs writeTo (reused buffers)', () => {
  const root = mkdtempSync(join(tmpdir(), 'customs-blobs-pump-'));
  const store = createFsBlobStore(root);
  // Three and a bit chunks of 4 MiB, with a different byte in every MiB.
  const blob = Buffer.concat(
    Array.from({ length: 13 }, (_, i) => Buffer.alloc(1024 * 1024, i + 1)),
  ).subarray(0, 13 * 1024 * 1024 - 5);
  const key: Digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
  const pathOf = (k: Digest) =>
    join(root, 'sha256', digestHex(k).slice(0, 2), digestHex(k));

  /**
   * A slow receiver that holds each chunk until it answers, as a socket
   * may: it copies the bytes only then, so a buffer reused before the
   * answer would show up as wrong bytes.
   */
  function receiver(options: { closeAfterBytes?: number } = {}) {
    const got: Buffer[] = [];
    let bytes = 0;
    const out = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (
          options.closeAfterBytes !== undefined &&
          bytes >= options.closeAfterBytes
        ) {
          out.destroy();
          return;
        }
        setTimeout(() => {
          got.push(Buffer.from(chunk));
          done();
        }, 5);
      },
    });
    return { out, received: () => Buffer.concat(got) };
  }

  beforeAll(async () => {
    await store.put(key, Readable.from([blob]));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes the whole blob and a range, byte for byte, while the receiver lags', async () => {
    const whole = receiver();
    await store.writeTo!(key, whole.out);
    expect(whole.received().equals(blob)).toBe(true);
    const part = receiver();
    const range = { start: 4 * 1024 * 1024 - 2, end: 9 * 1024 * 1024 + 1 };
    await store.writeTo!(key, part.out, { range });
    expect(
      part.received().equals(blob.subarray(range.start, range.end + 1)),
    ).toBe(true);
  });

  it('never writes the last bytes of a file changed behind its back', async () => {
    const changed = Buffer.from(blob);
    changed.writeUInt8(
      0xff - changed.readUInt8(changed.length - 1),
      changed.length - 1,
    );
    writeFileSync(pathOf(key), changed);
    const out = receiver();
    await expect(store.writeTo!(key, out.out)).rejects.toMatchObject({
      code: 'BLOB_DIGEST_MISMATCH',
    });
    expect(out.received().length).toBeLessThan(blob.length);
    // A range of it is refused too: the whole file is verified first.
    await expect(
      store.writeTo!(key, receiver().out, { range: { start: 0, end: 9 } }),
    ).rejects.toMatchObject({ code: 'BLOB_DIGEST_MISMATCH' });
    writeFileSync(pathOf(key), blob);
  });

  it('stops when the receiver goes away, and says a missing blob is missing', async () => {
    const gone = receiver({ closeAfterBytes: 1 });
    await expect(store.writeTo!(key, gone.out)).rejects.toThrow();
    const missing: Digest = `sha256:${'0'.repeat(64)}`;
    await expect(store.writeTo!(missing, receiver().out)).rejects.toMatchObject(
      { code: 'BLOB_NOT_FOUND' },
    );
  });
});
