/**
 * Berkeley DB hash files as older rpm releases keep `Packages` (read as
 * go-rpmdb's bdb package does, after Berkeley DB 5's dbinc/db_page.h): a
 * metadata page, hash pages of (key, data) item pairs, and the header blobs
 * themselves on chains of overflow pages. Every bound is checked: the file
 * may be hostile.
 */

/** Receives one stored value (a header blob). */
export type BlobHandler = (blob: Buffer) => void;

/** The file is not in the format its reader expects. */
export class DbFormatError extends Error {}

const HASH_MAGIC = 0x061561;
const PAGE_HEADER_BYTES = 26;
const PAGE_HASH_UNSORTED = 2;
const PAGE_OVERFLOW = 7;
const PAGE_HASH = 13;
const ITEM_KEYDATA = 1;
const ITEM_OFFPAGE = 3;

interface Layout {
  pageBytes: number;
  lastPage: number;
  declaredLastPage: number;
  isLittleEndian: boolean;
}

/** True when `bytes` starts like a Berkeley DB hash database (either byte order). */
export function isBdbHash(bytes: Buffer): boolean {
  return (
    bytes.length >= 72 &&
    (bytes.readUInt32LE(12) === HASH_MAGIC ||
      bytes.readUInt32BE(12) === HASH_MAGIC)
  );
}

/**
 * Hands every data item of the hash to `onBlob` (rpm's 4-byte "next
 * instance" record included: the caller tells headers apart), and every
 * unreadable item to `onBad`.
 * @throws DbFormatError when the metadata page is not a hash database's.
 */
export function readBdbHash(
  bytes: Buffer,
  onBlob: BlobHandler,
  onBad: (reason: string) => void,
): void {
  const layout = layoutOf(bytes);
  if (layout.declaredLastPage > layout.lastPage)
    onBad(`file is truncated: ${layout.declaredLastPage + 1} pages declared`);
  for (let page = 1; page <= layout.lastPage; page++) {
    const at = page * layout.pageBytes;
    const type = bytes[at + 25];
    if (type !== PAGE_HASH && type !== PAGE_HASH_UNSORTED) continue;
    const entries = u16(bytes, at + 20, layout);
    // Items come in (key, data) pairs; the data item is the odd one.
    for (let i = 1; i < entries; i += 2) {
      const value = dataItem(bytes, page, i, layout);
      if (typeof value === 'string') onBad(value);
      else if (value !== undefined) onBlob(value);
    }
  }
}

function layoutOf(bytes: Buffer): Layout {
  if (!isBdbHash(bytes)) throw new DbFormatError('not a Berkeley DB hash file');
  const isLittleEndian = bytes.readUInt32LE(12) === HASH_MAGIC;
  const pageBytes = isLittleEndian
    ? bytes.readUInt32LE(20)
    : bytes.readUInt32BE(20);
  if (
    pageBytes < 512 ||
    pageBytes > 65536 ||
    (pageBytes & (pageBytes - 1)) !== 0
  )
    throw new DbFormatError(`invalid page size ${pageBytes}`);
  const declared = isLittleEndian
    ? bytes.readUInt32LE(32)
    : bytes.readUInt32BE(32);
  const lastPage = Math.min(declared, Math.floor(bytes.length / pageBytes) - 1);
  return { pageBytes, lastPage, declaredLastPage: declared, isLittleEndian };
}

/** The value of item `index` of hash page `page`: bytes, a problem, or undefined when skipped. */
function dataItem(
  bytes: Buffer,
  page: number,
  index: number,
  layout: Layout,
): Buffer | string | undefined {
  const pageStart = page * layout.pageBytes;
  const offset = u16(bytes, pageStart + PAGE_HEADER_BYTES + 2 * index, layout);
  if (offset >= layout.pageBytes)
    return `item ${index} of page ${page} is outside the page`;
  const itemAt = pageStart + offset;
  const type = bytes[itemAt];
  if (type === ITEM_OFFPAGE) {
    const first = u32(bytes, itemAt + 4, layout);
    const total = u32(bytes, itemAt + 8, layout);
    return overflowChain(bytes, first, total, layout);
  }
  if (type === ITEM_KEYDATA) {
    // Items fill the page from its end: this one ends where the previous began.
    const end =
      index === 0
        ? layout.pageBytes
        : u16(bytes, pageStart + PAGE_HEADER_BYTES + 2 * (index - 1), layout);
    if (end <= offset || end > layout.pageBytes)
      return `item ${index} of page ${page} has a bad length`;
    return bytes.subarray(itemAt + 1, pageStart + end);
  }
  return undefined;
}

/** The `total` bytes stored on the overflow pages starting at `first`. */
function overflowChain(
  bytes: Buffer,
  first: number,
  total: number,
  layout: Layout,
): Buffer | string {
  if (total > bytes.length)
    return `overflow item of ${total} bytes is larger than the file`;
  const out = Buffer.alloc(total);
  let filled = 0;
  let page = first;
  // Each page is visited at most once: a cycle ends the chain as an error.
  for (let hops = 0; filled < total; hops++) {
    if (page < 1 || page > layout.lastPage || hops > layout.lastPage)
      return `overflow chain at page ${page} is broken`;
    const at = page * layout.pageBytes;
    if (bytes[at + 25] !== PAGE_OVERFLOW)
      return `page ${page} is not an overflow page`;
    const length = Math.min(
      u16(bytes, at + 22, layout),
      layout.pageBytes - PAGE_HEADER_BYTES,
      total - filled,
    );
    bytes.copy(
      out,
      filled,
      at + PAGE_HEADER_BYTES,
      at + PAGE_HEADER_BYTES + length,
    );
    filled += length;
    page = u32(bytes, at + 16, layout);
    if (length === 0 && filled < total) return `overflow page ${page} is empty`;
  }
  return out;
}

function u16(bytes: Buffer, at: number, layout: Layout): number {
  return layout.isLittleEndian
    ? bytes.readUInt16LE(at)
    : bytes.readUInt16BE(at);
}

function u32(bytes: Buffer, at: number, layout: Layout): number {
  return layout.isLittleEndian
    ? bytes.readUInt32LE(at)
    : bytes.readUInt32BE(at);
}
