/**
 * rpm's ndb package database, `Packages.db` (rpm lib/backend/ndb/rpmpkg.c;
 * read as go-rpmdb's ndb.go does): a slot table in the first pages names
 * each header blob's place, in 16-byte blocks.
 */
import { DbFormatError, type BlobHandler } from './bdb.js';

const PAGE_BYTES = 4096;
const BLOCK_BYTES = 16;
const SLOT_BYTES = 16;
/** The file header occupies the first two slots. */
const FIRST_SLOT = 2;
const MAGIC_PACKAGES = 0x506d7052; // 'RpmP'
const MAGIC_SLOT = 0x746f6c53; // 'Slot'
const MAGIC_BLOB = 0x53626c42; // 'BlbS'
const BLOB_HEADER_BYTES = 16;

/** True when `bytes` starts like an ndb package database. */
export function isNdb(bytes: Buffer): boolean {
  return bytes.length >= 16 && bytes.readUInt32LE(0) === MAGIC_PACKAGES;
}

/**
 * Hands every header blob to `onBlob`, and every unreadable slot to
 * `onBad` (the rest is still read).
 * @throws DbFormatError when the file header is not ndb's.
 */
export function readNdb(
  bytes: Buffer,
  onBlob: BlobHandler,
  onBad: (reason: string) => void,
): void {
  if (!isNdb(bytes) || bytes.readUInt32LE(4) !== 0)
    throw new DbFormatError('not an ndb Packages.db (magic or version)');
  const slotPages = bytes.readUInt32LE(12);
  const slotEnd = Math.min(slotPages * PAGE_BYTES, bytes.length);
  for (
    let at = FIRST_SLOT * SLOT_BYTES;
    at + SLOT_BYTES <= slotEnd;
    at += SLOT_BYTES
  ) {
    if (bytes.readUInt32LE(at) !== MAGIC_SLOT) continue;
    const blob = slotBlob(bytes, at);
    if (typeof blob === 'string') onBad(blob);
    else if (blob !== undefined) onBlob(blob);
  }
}

/** The header blob a used slot points to, a problem, or undefined for a free slot. */
function slotBlob(bytes: Buffer, at: number): Buffer | string | undefined {
  const pkgIndex = bytes.readUInt32LE(at + 4);
  if (pkgIndex === 0) return undefined;
  const start = bytes.readUInt32LE(at + 8) * BLOCK_BYTES;
  const end = start + bytes.readUInt32LE(at + 12) * BLOCK_BYTES;
  if (end > bytes.length || start + BLOB_HEADER_BYTES > end)
    return `slot of package ${pkgIndex} points outside the file`;
  if (
    bytes.readUInt32LE(start) !== MAGIC_BLOB ||
    bytes.readUInt32LE(start + 4) !== pkgIndex
  )
    return `blob of package ${pkgIndex} has a bad magic or index`;
  const dataStart = start + BLOB_HEADER_BYTES;
  const dataEnd = dataStart + bytes.readUInt32LE(start + 12);
  if (dataEnd > end)
    return `blob of package ${pkgIndex} is longer than its slot`;
  return bytes.subarray(dataStart, dataEnd);
}
