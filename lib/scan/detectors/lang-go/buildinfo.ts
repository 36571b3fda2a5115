/**
 * Go build information in executables (Go's debug/buildinfo): a 32-byte
 * header starting `\xff Go buildinf:` (16-byte aligned, in the
 * `.go.buildinfo` section or the first writable segment), then either the
 * version and module strings inline as varint-prefixed bytes (Go ≥ 1.18,
 * flag 2) or two pointers to Go string headers (older releases).
 */
import { parseElf, readAt, Reader, sectionBytes, type Elf } from '../elf.js';

/** What a Go binary says about itself. */
export interface GoBuildInfo {
  /** `go1.21.3` */
  goVersion: string;
  /** The modinfo text: `path`, `mod`, `dep`, `=>` and `build` lines. */
  modInfo: string;
}

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_BYTES = 32;
const FLAG_BIG_ENDIAN = 1;
const FLAG_INLINE = 2;
/** Go searches this much of the data segment when there is no section. */
const SEARCH_BYTES = 64 * 1024;
/** Bigger strings are not build information (the largest seen are ~100 KB). */
const MAX_STRING_BYTES = 4 * 1024 * 1024;

/** The build information of an ELF Go binary, undefined for anything else. */
export function readGoBuildInfo(bytes: Buffer): GoBuildInfo | undefined {
  const elf = parseElf(bytes);
  if (elf === undefined) return undefined;
  const data = buildInfoData(elf);
  if (data === undefined) return undefined;
  const ptrSize = data[14];
  const flags = data[15] ?? 0;
  if ((flags & FLAG_INLINE) !== 0) {
    const version = varintString(data, HEADER_BYTES);
    const mod = version && varintString(data, version.next);
    return version && mod
      ? { goVersion: version.value, modInfo: stripSentinels(mod.value) }
      : undefined;
  }
  if (ptrSize !== 4 && ptrSize !== 8) return undefined;
  const r = new Reader(data, (flags & FLAG_BIG_ENDIAN) === 0);
  const goVersion = pointedString(elf, r, 16, ptrSize);
  const modInfo = pointedString(elf, r, 16 + ptrSize, ptrSize);
  return goVersion === undefined || modInfo === undefined
    ? undefined
    : { goVersion, modInfo: stripSentinels(modInfo) };
}

function buildInfoData(elf: Elf): Buffer | undefined {
  const section = sectionBytes(elf, '.go.buildinfo');
  if (section !== undefined)
    return section.subarray(0, MAGIC.length).equals(MAGIC)
      ? section
      : undefined;
  const data = elf.segments.find((s) => s.isWritable);
  if (data === undefined) return undefined;
  const area = elf.bytes.subarray(
    data.offset,
    Math.min(
      data.offset + Math.min(data.fileSize, SEARCH_BYTES),
      elf.bytes.length,
    ),
  );
  for (
    let at = area.indexOf(MAGIC);
    at >= 0;
    at = area.indexOf(MAGIC, at + 1)
  ) {
    if (at % 16 === 0 && at + HEADER_BYTES <= area.length)
      return area.subarray(at);
  }
  return undefined;
}

function varintString(
  data: Buffer,
  at: number,
): { value: string; next: number } | undefined {
  let length = 0;
  let shift = 0;
  let i = at;
  for (; i < data.length && shift < 35; i++, shift += 7) {
    const b = data[i] as number;
    length += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
  }
  const start = i + 1;
  if (length > MAX_STRING_BYTES || start + length > data.length)
    return undefined;
  return {
    value: data.toString('utf8', start, start + length),
    next: start + length,
  };
}

/** A Go string header `{ptr, len}` at `at` of the header, read through the segments. */
function pointedString(
  elf: Elf,
  r: Reader,
  at: number,
  ptrSize: number,
): string | undefined {
  try {
    const headerAddr = r.word(at, ptrSize === 8);
    const header = readAt(elf, headerAddr, 2 * ptrSize);
    if (header === undefined) return undefined;
    const hr = new Reader(header, r.isLittleEndian);
    const ptr = hr.word(0, ptrSize === 8);
    const length = hr.word(ptrSize, ptrSize === 8);
    if (length > MAX_STRING_BYTES) return undefined;
    return readAt(elf, ptr, length)?.toString('utf8');
  } catch (err: unknown) {
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}

/** Go ≥ 1.13 wraps modinfo in two 16-byte sentinels (debug/buildinfo). */
function stripSentinels(mod: string): string {
  return mod.length >= 33 && mod[mod.length - 17] === '\n'
    ? mod.slice(16, -16)
    : mod;
}
