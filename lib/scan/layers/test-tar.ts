/**
 * Test helper: builds tar archives header by header, hostile ones included
 * (absolute paths, `..`, escaping links, lying sizes), which `tar`'s own
 * create API refuses to write. Only for tests.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';

/** One entry of {@link buildTar}. */
export type TarSpec =
  | { type: 'file'; path: string; content?: string | Buffer; mode?: number }
  | { type: 'dir'; path: string }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'hardlink'; path: string; target: string }
  /** Any typeflag, e.g. `S` (sparse) or `x` (pax header) with a raw body. */
  | {
      type: 'raw';
      typeflag: string;
      path: string;
      content?: string | Buffer;
      size?: number;
    };

const BLOCK = 512;
const TYPEFLAGS = { file: '0', dir: '5', symlink: '2', hardlink: '1' } as const;

/**
 * A tar archive of `entries`, ended by the two zero blocks unless
 * `eof: false`. Paths over 100 bytes get a pax `path` record.
 */
export function buildTar(
  entries: readonly TarSpec[],
  options: { eof?: boolean } = {},
): Buffer {
  const parts: Buffer[] = [];
  for (const spec of entries) {
    if (Buffer.byteLength(spec.path) > 100)
      parts.push(...paxEntry({ path: spec.path }));
    parts.push(...entryBlocks(spec));
  }
  if (options.eof !== false) parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** A pax extended header (`x`) carrying `records` for the next entry. */
export function paxEntry(records: Record<string, string>): Buffer[] {
  const body = Object.entries(records)
    .map(([k, v]) => paxRecord(k, v))
    .join('');
  return entryBlocks({
    type: 'raw',
    typeflag: 'x',
    path: 'PaxHeaders/x',
    content: body,
  });
}

/**
 * `count` empty files `f/<n>` in one tar, written straight into one buffer
 * (fast enough for 100k entries).
 */
export function buildManyFilesTar(count: number): Buffer {
  const out = Buffer.alloc((count + 2) * BLOCK);
  for (let i = 0; i < count; i++)
    writeHeader(out, i * BLOCK, { path: `f/${i}`, typeflag: '0', size: 0 });
  return out;
}

/** gzip of `data` (level 1: tests need speed, not ratio). */
export function gzip(data: Buffer): Buffer {
  return gzipSync(data, { level: 1 });
}

/** Options of {@link streamOf}. */
export interface StreamOfOptions {
  chunkBytes?: number;
  /** Thrown after the last byte, as a digest-verifying producer does. */
  error?: Error;
  /** Counts the bytes the consumer pulled. */
  pulled?: { bytes: number };
}

/** A byte stream of `data` in `chunkBytes` pieces that ends, or fails with `error` at its end. */
export function streamOf(
  data: Buffer,
  options: StreamOfOptions = {},
): Readable {
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let at = 0; at < data.length; at += chunkBytes) {
      const chunk = data.subarray(at, at + chunkBytes);
      if (options.pulled !== undefined) options.pulled.bytes += chunk.length;
      yield chunk;
      // Let the consumer run between chunks, like a socket would.
      await Promise.resolve();
    }
    if (options.error !== undefined) throw options.error;
  }
  return Readable.from(chunks(), { objectMode: false });
}

/**
 * A gzip bomb: a tar header of a 1 GiB file, then 1 GiB of zeros as 128
 * concatenated gzip members (gunzip reads them as one stream); about 1 MB.
 */
export function gzipBomb(): Buffer {
  const gib = 1024 ** 3;
  const member = gzipSync(Buffer.alloc(8 * 1024 ** 2), { level: 9 });
  const header = Buffer.alloc(BLOCK);
  writeHeader(header, 0, { path: 'zeros', typeflag: '0', size: gib });
  return Buffer.concat([
    gzipSync(header),
    ...Array.from({ length: gib / (8 * 1024 ** 2) }, () => member),
  ]);
}

function entryBlocks(spec: TarSpec): Buffer[] {
  const body = bodyOf(spec);
  const header = Buffer.alloc(BLOCK);
  const typeflag = spec.type === 'raw' ? spec.typeflag : TYPEFLAGS[spec.type];
  const size =
    spec.type === 'raw' && spec.size !== undefined ? spec.size : body.length;
  const linkpath =
    spec.type === 'symlink' || spec.type === 'hardlink' ? spec.target : '';
  const mode = spec.type === 'file' ? spec.mode : undefined;
  writeHeader(header, 0, {
    path: spec.path.slice(0, 100),
    typeflag,
    size,
    linkpath,
    mode,
  });
  const padding = Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK);
  return [header, body, padding];
}

function bodyOf(spec: TarSpec): Buffer {
  if (spec.type !== 'file' && spec.type !== 'raw') return Buffer.alloc(0);
  const content = spec.content ?? '';
  return typeof content === 'string' ? Buffer.from(content) : content;
}

interface HeaderFields {
  path: string;
  typeflag: string;
  size: number;
  linkpath?: string;
  mode?: number | undefined;
}

/** A ustar header (POSIX.1-1988 "ustar Interchange Format"). */
function writeHeader(buf: Buffer, at: number, h: HeaderFields): void {
  buf.write(h.path, at, 100, 'utf8');
  writeOctal(buf, at + 100, 8, h.mode ?? (h.typeflag === '5' ? 0o755 : 0o644));
  writeOctal(buf, at + 108, 8, 0);
  writeOctal(buf, at + 116, 8, 0);
  writeOctal(buf, at + 124, 12, h.size);
  writeOctal(buf, at + 136, 12, 1_700_000_000);
  buf.write(h.typeflag, at + 156, 1, 'latin1');
  buf.write(h.linkpath ?? '', at + 157, 100, 'utf8');
  buf.write('ustar\u000000', at + 257, 8, 'latin1');
  // The checksum is computed with its own field read as eight spaces.
  buf.fill(0x20, at + 148, at + 156);
  let sum = 0;
  for (let i = at; i < at + BLOCK; i++) sum += buf[i] as number;
  buf.write(
    `${sum.toString(8).padStart(6, '0')}\u0000 `,
    at + 148,
    8,
    'latin1',
  );
}

function writeOctal(
  buf: Buffer,
  at: number,
  width: number,
  value: number,
): void {
  buf.write(
    `${value.toString(8).padStart(width - 1, '0')}\u0000`,
    at,
    width,
    'latin1',
  );
}

function paxRecord(key: string, value: string): string {
  // "%d %s=%s\n" where %d counts the whole record, its own digits included.
  const rest = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(rest) + 1;
  while (String(length).length + Buffer.byteLength(rest) !== length)
    length += 1;
  return `${length}${rest}`;
}
