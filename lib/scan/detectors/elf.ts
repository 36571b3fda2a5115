/**
 * Just enough of ELF (System V ABI, "Object Files") for detectors that read
 * metadata out of executables: the section and program header tables of
 * 32/64-bit, little/big-endian files, with every offset bounds-checked
 * (the file may be hostile). Shared by `lang/go` and `lang/rust`.
 */

/** A section: its name (from `.shstrtab`) and where its bytes are. */
export interface ElfSection {
  name: string;
  offset: number;
  size: number;
  /** NOBITS sections (`.bss`) have no bytes in the file. */
  hasBits: boolean;
}

/** A loadable segment. */
export interface ElfSegment {
  offset: number;
  vaddr: number;
  fileSize: number;
  isWritable: boolean;
}

/** A parsed ELF file. */
export interface Elf {
  is64: boolean;
  isLittleEndian: boolean;
  sections: ElfSection[];
  segments: ElfSegment[];
  bytes: Buffer;
}

const MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const PT_LOAD = 1;
const PF_W = 2;
const SHT_NOBITS = 8;
/** More sections or segments than any real file has: a hostile header. */
const MAX_TABLE_ENTRIES = 65535;

/** True when `bytes` starts with the ELF magic. */
export function isElf(bytes: Buffer): boolean {
  return bytes.length >= 52 && bytes.subarray(0, 4).equals(MAGIC);
}

/**
 * Parses the headers of an ELF file; undefined when it is not one or its
 * tables are out of bounds.
 */
export function parseElf(bytes: Buffer): Elf | undefined {
  if (!isElf(bytes)) return undefined;
  const is64 = bytes[4] === 2;
  const isLittleEndian = bytes[5] === 1;
  if ((bytes[4] !== 1 && !is64) || (bytes[5] !== 1 && bytes[5] !== 2))
    return undefined;
  if (is64 && bytes.length < 64) return undefined;
  const r = new Reader(bytes, isLittleEndian);
  try {
    return {
      is64,
      isLittleEndian,
      sections: sectionsOf(r, is64),
      segments: segmentsOf(r, is64),
      bytes,
    };
  } catch (err: unknown) {
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}

/** The bytes of the section named `name`, if the file has it. */
export function sectionBytes(elf: Elf, name: string): Buffer | undefined {
  const s = elf.sections.find((x) => x.name === name && x.hasBits);
  if (s === undefined || s.offset + s.size > elf.bytes.length) return undefined;
  return elf.bytes.subarray(s.offset, s.offset + s.size);
}

/** `length` bytes at virtual address `vaddr`, through the loadable segments. */
export function readAt(
  elf: Elf,
  vaddr: number,
  length: number,
): Buffer | undefined {
  for (const seg of elf.segments) {
    if (vaddr < seg.vaddr || vaddr + length > seg.vaddr + seg.fileSize)
      continue;
    const start = seg.offset + (vaddr - seg.vaddr);
    if (start + length > elf.bytes.length) return undefined;
    return elf.bytes.subarray(start, start + length);
  }
  return undefined;
}

/** Reads unsigned integers in the file's byte order; throws RangeError out of bounds. */
export class Reader {
  constructor(
    readonly bytes: Buffer,
    readonly isLittleEndian: boolean,
  ) {}
  u16(at: number): number {
    return this.isLittleEndian
      ? this.bytes.readUInt16LE(at)
      : this.bytes.readUInt16BE(at);
  }
  u32(at: number): number {
    return this.isLittleEndian
      ? this.bytes.readUInt32LE(at)
      : this.bytes.readUInt32BE(at);
  }
  u64(at: number): number {
    const v = this.isLittleEndian
      ? this.bytes.readBigUInt64LE(at)
      : this.bytes.readBigUInt64BE(at);
    // Offsets past 2^53 cannot be in a buffer anyway.
    return v > BigInt(Number.MAX_SAFE_INTEGER)
      ? Number.MAX_SAFE_INTEGER
      : Number(v);
  }
  word(at: number, is64: boolean): number {
    return is64 ? this.u64(at) : this.u32(at);
  }
}

function sectionsOf(r: Reader, is64: boolean): ElfSection[] {
  const shoff = r.word(is64 ? 0x28 : 0x20, is64);
  const entSize = r.u16(is64 ? 0x3a : 0x2e);
  const count = r.u16(is64 ? 0x3c : 0x30);
  const strIndex = r.u16(is64 ? 0x3e : 0x32);
  if (shoff === 0 || count === 0 || count > MAX_TABLE_ENTRIES) return [];
  const raw = Array.from({ length: count }, (_, i) => {
    const at = shoff + i * entSize;
    return {
      nameOffset: r.u32(at),
      type: r.u32(at + 4),
      offset: r.word(at + (is64 ? 24 : 16), is64),
      size: r.word(at + (is64 ? 32 : 20), is64),
    };
  });
  const strtab = raw[strIndex];
  return raw.map((s) => ({
    name:
      strtab === undefined
        ? ''
        : cString(
            r.bytes,
            strtab.offset + s.nameOffset,
            strtab.offset + strtab.size,
          ),
    offset: s.offset,
    size: s.size,
    hasBits: s.type !== SHT_NOBITS,
  }));
}

function segmentsOf(r: Reader, is64: boolean): ElfSegment[] {
  const phoff = r.word(is64 ? 0x20 : 0x1c, is64);
  const entSize = r.u16(is64 ? 0x36 : 0x2a);
  const count = r.u16(is64 ? 0x38 : 0x2c);
  if (phoff === 0 || count > MAX_TABLE_ENTRIES) return [];
  const out: ElfSegment[] = [];
  for (let i = 0; i < count; i++) {
    const at = phoff + i * entSize;
    if (r.u32(at) !== PT_LOAD) continue;
    out.push(
      is64
        ? {
            offset: r.u64(at + 8),
            vaddr: r.u64(at + 16),
            fileSize: r.u64(at + 32),
            isWritable: (r.u32(at + 4) & PF_W) !== 0,
          }
        : {
            offset: r.u32(at + 4),
            vaddr: r.u32(at + 8),
            fileSize: r.u32(at + 16),
            isWritable: (r.u32(at + 24) & PF_W) !== 0,
          },
    );
  }
  return out;
}

function cString(bytes: Buffer, start: number, limit: number): string {
  if (start < 0 || start >= bytes.length) return '';
  const end = bytes.indexOf(0, start);
  return bytes.toString(
    'latin1',
    start,
    end < 0 ? Math.min(limit, bytes.length) : Math.min(end, limit),
  );
}
