/**
 * rpm header blobs as rpm databases store them (rpm's lib/header.c,
 * headerImport of an "immutable region" blob): big-endian `il` (index
 * entries) and `dl` (data bytes), `il` 16-byte entries `(tag, type, offset,
 * count)`, then the data store. Only the tags a package needs are read.
 */

/** The fields of one installed package. */
export interface RpmHeader {
  name: string;
  version: string;
  release: string;
  epoch?: number | undefined;
  arch?: string | undefined;
  sourceRpm?: string | undefined;
  license?: string | undefined;
}

const TAG = {
  name: 1000,
  version: 1001,
  release: 1002,
  epoch: 1003,
  license: 1014,
  arch: 1022,
  sourceRpm: 1044,
} as const;
const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;
const ENTRY_BYTES = 16;
// rpm's own sanity bounds (hdrchkTags / hdrchkData in lib/header.c).
const MAX_TAGS = 0xffff;
const MAX_DATA_BYTES = 256 * 1024 * 1024;

/**
 * Parses one header blob.
 * @throws Error with a reason when the blob is not a well-formed header or
 *   lacks NAME, VERSION or RELEASE (callers turn it into a warning).
 */
export function parseRpmHeader(blob: Buffer): RpmHeader {
  if (blob.length < 8) throw new Error('header blob shorter than 8 bytes');
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  const dataStart = 8 + il * ENTRY_BYTES;
  if (il > MAX_TAGS || dl > MAX_DATA_BYTES || dataStart + dl > blob.length)
    throw new Error('header index or data out of bounds');
  const data = blob.subarray(dataStart, dataStart + dl);
  const fields = new Map<number, string | number>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * ENTRY_BYTES;
    const tag = blob.readInt32BE(at);
    if (!WANTED.has(tag)) continue;
    const value = readValue(
      data,
      blob.readUInt32BE(at + 4),
      blob.readInt32BE(at + 8),
    );
    if (value !== undefined) fields.set(tag, value);
  }
  const str = (tag: number): string | undefined => {
    const v = fields.get(tag);
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const name = str(TAG.name);
  const version = str(TAG.version);
  const release = str(TAG.release);
  if (name === undefined || version === undefined || release === undefined)
    throw new Error('header without NAME, VERSION or RELEASE');
  const epoch = fields.get(TAG.epoch);
  return {
    name,
    version,
    release,
    epoch: typeof epoch === 'number' ? epoch : undefined,
    arch: str(TAG.arch),
    sourceRpm: str(TAG.sourceRpm),
    license: str(TAG.license),
  };
}

const WANTED = new Set<number>(Object.values(TAG));

function readValue(
  data: Buffer,
  type: number,
  offset: number,
): string | number | undefined {
  if (offset < 0 || offset >= data.length) return undefined;
  if (type === TYPE_INT32)
    return offset + 4 <= data.length ? data.readInt32BE(offset) : undefined;
  if (
    type === TYPE_STRING ||
    type === TYPE_STRING_ARRAY ||
    type === TYPE_I18NSTRING
  ) {
    // The first string of an array (I18N: the default locale).
    const end = data.indexOf(0, offset);
    return end < 0 ? undefined : data.toString('utf8', offset, end);
  }
  return undefined;
}

const SRPM_RE = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/;

/** `openssl-3.0.7-27.el9.src.rpm` → name, `version-release`. */
export function parseSourceRpm(
  sourceRpm: string | undefined,
): { name: string; version: string } | undefined {
  const match = SRPM_RE.exec(sourceRpm ?? '');
  if (match === null) return undefined;
  return { name: match[1] as string, version: `${match[2]}-${match[3]}` };
}
