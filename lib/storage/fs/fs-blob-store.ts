import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type Stats } from 'node:fs';
import {
  mkdir,
  open,
  rename,
  rm,
  stat,
  type FileHandle,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { digestAlgorithm, digestHex, type Digest } from '../../core/digest.js';
import { StorageError } from '../../core/errors.js';
import { digestCheck, discardSink, mismatchOf } from '../digest-check.js';
import type { BlobInfo, BlobStore } from '../ports.js';
import { pumpFile } from './file-pump.js';

/** Large reads: fewer syscalls and callbacks on the blob hot path. */
const READ_CHUNK = 4 * 1024 * 1024;

interface Identity {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/**
 * Blobs as files under `root/<algorithm>/<2 hex>/<hex>`, written to a temp
 * file, verified, then renamed into place (a reader never sees half a
 * blob). A read is verified (hashed) unless the file is, by inode, size,
 * mtime and ctime, the very file this process verified before — ctime
 * changes on any write, and no user-space call can set it back.
 */
export function createFsBlobStore(root: string): BlobStore {
  const verified = new Map<Digest, Identity>();
  const pathOf = (key: Digest) => {
    const hex = digestHex(key);
    return join(root, key.slice(0, key.indexOf(':')), hex.slice(0, 2), hex);
  };
  return {
    name: 'fs',

    async get(key, options = {}) {
      const path = pathOf(key);
      const current = await identityOf(path);
      if (!current) throw notStored(key);
      const trusted = sameIdentity(verified.get(key), current);
      if (options.range && !trusted) {
        // A range cannot be verified on its own: verify the whole file first.
        await pipeline(
          createReadStream(path, { highWaterMark: READ_CHUNK }),
          digestCheck(key),
          discardSink(),
        );
        verified.set(key, current);
      }
      const stream = createReadStream(path, {
        highWaterMark: READ_CHUNK,
        signal: options.signal,
        ...(options.range
          ? { start: options.range.start, end: options.range.end }
          : {}),
      });
      if (trusted || options.range) return stream;
      return stream.pipe(digestCheck(key, () => verified.set(key, current)));
    },

    async writeTo(key, out, options = {}) {
      const path = pathOf(key);
      const handle = await openStored(key, path);
      try {
        const s = await handle.stat();
        const current = identityOfStats(s);
        const trusted = sameIdentity(verified.get(key), current);
        if (options.range) {
          // A range cannot be verified on its own: the whole file first.
          if (!trusted) {
            await pumpFile(handle, undefined, 0, s.size, verifier(key));
            verified.set(key, current);
          }
          const { start, end } = options.range;
          return await pumpFile(handle, out, start, end + 1);
        }
        await pumpFile(
          handle,
          out,
          0,
          s.size,
          trusted ? undefined : verifier(key),
        );
        verified.set(key, current);
      } finally {
        await handle.close();
      }
    },

    async put(key, body, options = {}) {
      const path = pathOf(key);
      const existing = await identityOf(path);
      if (existing && sameIdentity(verified.get(key), existing)) {
        body.destroy();
        return { digest: key, sizeBytes: existing.size };
      }
      await mkdir(dirname(path), { recursive: true });
      const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      let size = 0;
      try {
        await pipeline(
          body,
          digestCheck(key, (n) => (size = n)),
          createWriteStream(temp),
          { signal: options.signal },
        );
        await rename(temp, path);
      } catch (err: unknown) {
        await rm(temp, { force: true });
        throw err;
      }
      const written = await identityOf(path);
      if (written) verified.set(key, written);
      return { digest: key, sizeBytes: size };
    },

    async stat(key): Promise<BlobInfo | undefined> {
      const identity = await identityOf(pathOf(key));
      return identity ? { digest: key, sizeBytes: identity.size } : undefined;
    },

    async delete(key) {
      verified.delete(key);
      await rm(pathOf(key), { force: true });
    },

    presign: () => Promise.resolve(undefined),
  };
}

async function openStored(key: Digest, path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notStored(key);
    throw storeUnavailable(err);
  }
}

function notStored(key: Digest): StorageError {
  return new StorageError('BLOB_NOT_FOUND', `blob ${key} is not stored`, {
    details: { digest: key },
  });
}

function storeUnavailable(err: unknown): StorageError {
  return new StorageError(
    'BLOB_STORE_UNAVAILABLE',
    `cannot read blob store: ${(err as Error).message}`,
    { cause: err },
  );
}

function identityOfStats(s: Stats): Identity {
  return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs };
}

/**
 * Hashes each chunk and, on the last, throws BLOB_DIGEST_MISMATCH when the
 * bytes are not the digest's: before that chunk is written, so a receiver
 * never gets the whole of a blob that fails.
 */
function verifier(key: Digest): (chunk: Buffer, last: boolean) => void {
  const hash = createHash(digestAlgorithm(key));
  return (chunk, last) => {
    hash.update(chunk);
    const failure = last ? mismatchOf(key, hash) : undefined;
    if (failure) throw failure;
  };
}

async function identityOf(path: string): Promise<Identity | undefined> {
  try {
    return identityOfStats(await stat(path));
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw storeUnavailable(err);
  }
}

function sameIdentity(a: Identity | undefined, b: Identity): boolean {
  return (
    a !== undefined &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs
  );
}
