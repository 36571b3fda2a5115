import { crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { messageOf, VulnDataError } from '../../core/errors.js';
import { parseOsvText, type OsvFileResult } from './osv.js';

/**
 * OSV's per-ecosystem archives (`https://osv-vulnerabilities.storage.googleapis.com/<ecosystem>/all.zip`):
 * one `<id>.json` record per entry. The archive is read entry by entry
 * from its central directory, never whole into memory.
 */

/** An entry larger than this is refused (no OSV record comes close). */
export const MAX_ENTRY_BYTES = 32 * 1024 * 1024;
const JSON_ENTRY_RE = /\.json$/i;

/**
 * Yields every `*.json` entry of the archive as an advisory, or with an
 * ADVISORY_INVALID error when the record is malformed (the caller counts
 * and skips it). Throws VulnDataError('ARCHIVE_INVALID') when the archive
 * itself is damaged: truncated (no central directory), an entry whose
 * data is cut short or whose CRC-32 does not match, an entry above
 * MAX_ENTRY_BYTES; the caller must then abandon the whole import. `file`
 * of each result is `<archive>!<entry>`.
 */
export async function* readOsvZip(path: string): AsyncGenerator<OsvFileResult> {
  const zip = await openZip(path);
  try {
    for (;;) {
      const entry = await nextEntry(zip, path);
      if (entry === undefined) return;
      if (entry.fileName.endsWith('/') || !JSON_ENTRY_RE.test(entry.fileName))
        continue;
      const file = `${path}!${entry.fileName}`;
      const bytes = await readEntry(zip, entry, path);
      yield parseOsvText(bytes.toString('utf8'), file);
    }
  } finally {
    zip.close();
  }
}

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true },
      (err, zip) => {
        if (err) reject(damaged(path, err));
        else resolve(zip);
      },
    );
  });
}

function nextEntry(zip: ZipFile, path: string): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: Entry): void => {
      cleanup();
      resolve(entry);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(undefined);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(damaged(path, err));
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

async function readEntry(
  zip: ZipFile,
  entry: Entry,
  path: string,
): Promise<Buffer> {
  if (entry.uncompressedSize > MAX_ENTRY_BYTES) {
    throw new VulnDataError(
      'ARCHIVE_INVALID',
      `${path}: entry ${entry.fileName} is ${entry.uncompressedSize} bytes, above ${MAX_ENTRY_BYTES}`,
    );
  }
  const chunks: Buffer[] = [];
  try {
    const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
      zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))),
    );
    for await (const chunk of stream) chunks.push(chunk as Buffer);
  } catch (err: unknown) {
    throw damaged(path, err, entry.fileName);
  }
  const bytes = Buffer.concat(chunks);
  // yauzl checks sizes, not checksums: a flipped byte must not slip in.
  if (crc32(bytes) !== entry.crc32) {
    throw new VulnDataError(
      'ARCHIVE_INVALID',
      `${path}: entry ${entry.fileName} fails its CRC-32 check`,
    );
  }
  return bytes;
}

function damaged(path: string, err: unknown, entry?: string): VulnDataError {
  const where = entry === undefined ? '' : ` (entry ${entry})`;
  return new VulnDataError(
    'ARCHIVE_INVALID',
    `${path}: damaged or truncated zip archive${where}: ${messageOf(err)}`,
    { cause: err },
  );
}
