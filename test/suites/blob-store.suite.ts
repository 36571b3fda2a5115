import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../../lib/core/digest.js';
import type { BlobStore } from '../../lib/storage/ports.js';

const digestOf = (b: Buffer): Digest =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;
async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The conformance suite of BlobStore: every driver (fs, s3) passes the
 * same assertions, so the door can use either.
 */
export function describeBlobStore(
  name: string,
  open: () => Promise<{
    store: BlobStore;
    corrupt: (key: Digest, bytes: Buffer) => Promise<void>;
    cleanup: () => Promise<void>;
  }>,
): void {
  describe(`BlobStore ${name}`, () => {
    let store: BlobStore;
    let corrupt: (key: Digest, bytes: Buffer) => Promise<void>;
    let cleanup: () => Promise<void>;
    const blob = Buffer.from('x'.repeat(3 * 1024 * 1024) + 'end');
    const key = digestOf(blob);

    beforeAll(async () => {
      ({ store, corrupt, cleanup } = await open());
    });
    afterAll(async () => cleanup());

    it('stores a blob under its digest and reads it back, whole and by range', async () => {
      expect(await store.stat(key)).toBeUndefined();
      expect(
        await store.put(
          key,
          Readable.from([blob.subarray(0, 1000), blob.subarray(1000)]),
        ),
      ).toEqual({ digest: key, sizeBytes: blob.length });
      expect(await store.stat(key)).toEqual({
        digest: key,
        sizeBytes: blob.length,
      });
      expect((await read(await store.get(key))).equals(blob)).toBe(true);
      const part = await read(
        await store.get(key, {
          range: { start: blob.length - 3, end: blob.length - 1 },
        }),
      );
      expect(part.toString()).toBe('end');
      // Idempotent.
      expect(await store.put(key, Readable.from([blob]))).toEqual({
        digest: key,
        sizeBytes: blob.length,
      });
    });

    it('refuses bytes that do not hash to the key, storing nothing', async () => {
      const other = digestOf(Buffer.from('other'));
      await expect(
        store.put(other, Readable.from([Buffer.from('not other')])),
      ).rejects.toMatchObject({ code: 'BLOB_DIGEST_MISMATCH' });
      expect(await store.stat(other)).toBeUndefined();
      await expect(store.get(other)).rejects.toMatchObject({
        code: 'BLOB_NOT_FOUND',
      });
    });

    it('detects stored bytes changed behind its back', async () => {
      const small = Buffer.from('small blob');
      const k = digestOf(small);
      await store.put(k, Readable.from([small]));
      await corrupt(k, Buffer.from('SMALL BLOB'));
      await expect(read(await store.get(k))).rejects.toMatchObject({
        code: 'BLOB_DIGEST_MISMATCH',
      });
    });

    it('deletes idempotently', async () => {
      await store.delete(key);
      await store.delete(key);
      expect(await store.stat(key)).toBeUndefined();
    });
  });
}
