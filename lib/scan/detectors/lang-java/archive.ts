/**
 * Reads what a Java archive says it is: `META-INF/maven/<g>/<a>/pom.properties`
 * entries (one per artifact, several in shaded jars), `META-INF/MANIFEST.MF`,
 * and nested archives (`WEB-INF/lib/*.jar`, `BOOT-INF/lib/*.jar`), through
 * yauzl on the bytes in memory. Every read is bounded: a zip bomb or a
 * deep nesting fails the archive, never the scan.
 */
import yauzl, { type Entry, type ZipFile } from 'yauzl';

/** Limits of reading one top-level archive. */
export const ARCHIVE_LIMITS = {
  /** Nesting followed: a jar in a war in an ear. */
  maxDepth: 3,
  /** Largest nested archive read into memory. */
  maxNestedBytes: 64 * 1024 * 1024,
  /** Largest metadata file (manifest, pom.properties) read. */
  maxMetaBytes: 1024 * 1024,
  /** Bytes inflated in total for one top-level archive. */
  maxTotalBytes: 256 * 1024 * 1024,
};

/** The metadata of one archive and those nested in it. */
export interface ArchiveInfo {
  /** Archive path: the file's path, then `!/inner.jar` per nesting. */
  path: string;
  /** File name without directories (`commons-io-2.11.0.jar`). */
  fileName: string;
  pomProperties: Array<Map<string, string>>;
  manifest?: Map<string, string> | undefined;
  nested: ArchiveInfo[];
}

const POM_PROPERTIES_RE = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
const NESTED_RE = /\.(?:jar|war|ear|par)$/i;

/**
 * Reads an archive and the archives nested in it.
 * @throws Error when the archive (or a nested one) is not a valid zip, or
 *   a limit is exceeded.
 */
export async function readArchive(
  bytes: Buffer,
  path: string,
): Promise<ArchiveInfo> {
  const budget = { remaining: ARCHIVE_LIMITS.maxTotalBytes };
  return readOne(bytes, path, 0, budget);
}

interface Walk {
  path: string;
  depth: number;
  budget: { remaining: number };
}

async function readOne(
  bytes: Buffer,
  path: string,
  depth: number,
  budget: { remaining: number },
): Promise<ArchiveInfo> {
  const info: ArchiveInfo = {
    path,
    fileName: path.slice(path.lastIndexOf('/') + 1),
    pomProperties: [],
    nested: [],
  };
  const zip = await open(bytes);
  try {
    for (let e = await next(zip); e !== undefined; e = await next(zip))
      await readEntry(zip, e, info, { path, depth, budget });
  } finally {
    zip.close();
  }
  return info;
}

/** Adds what one entry says (manifest, pom.properties, nested archive) to `info`. */
async function readEntry(
  zip: ZipFile,
  entry: Entry,
  info: ArchiveInfo,
  walk: Walk,
): Promise<void> {
  const { maxMetaBytes, maxNestedBytes, maxDepth } = ARCHIVE_LIMITS;
  const name = entry.fileName;
  if (name === 'META-INF/MANIFEST.MF') {
    info.manifest = parseManifest(
      await read(zip, entry, maxMetaBytes, walk.budget),
    );
  } else if (POM_PROPERTIES_RE.test(name)) {
    const bytes = await read(zip, entry, maxMetaBytes, walk.budget);
    info.pomProperties.push(parseProperties(bytes));
  } else if (NESTED_RE.test(name) && walk.depth + 1 < maxDepth) {
    const inner = await read(zip, entry, maxNestedBytes, walk.budget);
    const innerPath = `${walk.path}!/${name}`;
    info.nested.push(
      await readOne(inner, innerPath, walk.depth + 1, walk.budget),
    );
  }
}

function open(bytes: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(
      bytes,
      { lazyEntries: true, validateEntrySizes: true, strictFileNames: false },
      (err, zip) => (err ? reject(err) : resolve(zip)),
    );
  });
}

function next(zip: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
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
      reject(err);
    };
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}

/** The entry's bytes, refused before inflating when its declared size is over `limit` or the budget. */
function read(
  zip: ZipFile,
  entry: Entry,
  limit: number,
  budget: { remaining: number },
): Promise<Buffer> {
  const size = entry.uncompressedSize;
  if (size > limit || size > budget.remaining)
    return Promise.reject(
      new Error(`${entry.fileName}: ${size} bytes is over the archive limits`),
    );
  budget.remaining -= size;
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      // yauzl checks the inflated size against the declared one (validateEntrySizes).
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

const LINE_RE = /\r?\n/;

/** MANIFEST.MF main section: `Key: value`, continuation lines start with a space. */
export function parseManifest(bytes: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of bytes.toString('utf8').split(LINE_RE)) {
    if (line === '') break; // end of the main section
    if (line.startsWith(' ') && last !== undefined) {
      out.set(last, (out.get(last) ?? '') + line.slice(1));
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim();
    out.set(last, line.slice(colon + 1).trim());
  }
  return out;
}

/** Java .properties, the subset Maven writes: `key=value`, `#` comments. */
export function parseProperties(bytes: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of bytes.toString('utf8').split(LINE_RE)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const sep = line.search(/[=:]/);
    if (sep <= 0) continue;
    out.set(line.slice(0, sep).trim(), line.slice(sep + 1).trim());
  }
  return out;
}
