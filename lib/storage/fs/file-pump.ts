import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { StorageError } from '../../core/errors.js';

/** Bytes read from a file per turn. */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** Idle buffers kept for the next reads (the rest are left to the GC). */
const MAX_IDLE_BUFFERS = 8;
const idle: Buffer[] = [];

/**
 * Writes bytes [start, end) of an open file into `out` (or only reads them
 * when `out` is undefined) through two buffers that are reused, never
 * allocated per chunk: a new 4 MiB buffer per read made the collector run
 * a full collection every few dozen MiB of a large blob. The next chunk is
 * read while the previous one is written, and a buffer is read into again
 * only after its write has been handed to the kernel (the write callback),
 * so the bytes on the wire are never overwritten. `inspect` sees each
 * chunk before it is written (`last` for the final one) and may throw to
 * stop before that chunk leaves. Does not end `out`.
 */
export async function pumpFile(
  handle: FileHandle,
  out: Writable | undefined,
  start: number,
  end: number,
  inspect?: (chunk: Buffer, last: boolean) => void,
): Promise<void> {
  const buffers = [take(), take()] as const;
  let pending: Promise<void> = Promise.resolve();
  try {
    let position = start;
    for (let turn = 0; position < end; turn++) {
      const buffer = buffers[turn % 2]!;
      const { bytesRead } = await handle.read(
        buffer,
        0,
        Math.min(buffer.length, end - position),
        position,
      );
      if (bytesRead === 0)
        throw new StorageError(
          'BLOB_DIGEST_MISMATCH',
          `stored file ended at byte ${position} of ${end}`,
        );
      position += bytesRead;
      const chunk = buffer.subarray(0, bytesRead);
      inspect?.(chunk, position >= end);
      await pending;
      if (out) {
        pending = writeChunk(out, chunk);
        // Awaited next turn; a failure while the next chunk is read is not unhandled.
        pending.catch(() => undefined);
      }
    }
    await pending;
  } finally {
    // A write still in flight (the receiver failed) keeps its buffer.
    await pending.then(
      () => buffers.forEach(give),
      () => undefined,
    );
  }
}

function take(): Buffer {
  return idle.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
}

function give(buffer: Buffer): void {
  if (idle.length < MAX_IDLE_BUFFERS) idle.push(buffer);
}

/** Resolves when `out` has handed the chunk on; rejects when it failed or closed first. */
function writeChunk(out: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.destroyed) {
      reject(receiverClosed());
      return;
    }
    const onClose = () => reject(receiverClosed());
    out.once('close', onClose);
    out.write(chunk, (err) => {
      out.off('close', onClose);
      if (err) reject(err);
      else resolve();
    });
  });
}

/** What a stream pipeline says when its end closed early (Node's own code). */
function receiverClosed(): Error {
  return Object.assign(
    new Error('the receiver closed before the blob was sent'),
    { code: 'ERR_STREAM_PREMATURE_CLOSE' },
  );
}
