/**
 * Peak memory of scanning a 1 GiB layer: the layer (gzip, built once into
 * $OCI_TEST_CACHE/bench/: 900 one-MiB data files, 10 000 small files, nine
 * executables of 12–48 MiB that the binary detectors read whole, a dpkg
 * database) is scanned by analyzeLayers with every detector in a child
 * process of its own, whose max RSS is read from process.resourceUsage().
 * The baseline, in the same run, is a child that only gunzips the same
 * file with node:zlib. Needs `npm run build` (children run dist/).
 *
 *   npm run build && npx tsx bench/peak-rss.ts
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { ociTestCache } from '../test/helpers/registry.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MIB = 1024 * 1024;
const LIMIT_MB = 256;

/** One tar header block (ustar), enough for these plain entries. */
function header(path: string, size: number, mode: number): Buffer {
  const b = Buffer.alloc(512);
  b.write(path, 0, 100);
  b.write(`${mode.toString(8).padStart(7, '0')}\0`, 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  b.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  b.write('00000000000\0', 136);
  b.write('        ', 148);
  b.write('0', 156);
  b.write('ustar\0', 257);
  b.write('00', 263);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return b;
}

async function buildLayer(path: string): Promise<void> {
  const gzip = createGzip({ level: 1 });
  const out = gzip.pipe(createWriteStream(`${path}.tmp`));
  const write = async (chunk: Buffer) => {
    if (!gzip.write(chunk))
      await new Promise<void>((r) => gzip.once('drain', () => r()));
  };
  const file = async (
    name: string,
    size: number,
    mode: number,
    fill: (n: number) => Buffer,
  ) => {
    await write(header(name, size, mode));
    for (let done = 0; done < size; done += MIB)
      await write(fill(Math.min(MIB, size - done)));
    if (size % 512) await write(Buffer.alloc(512 - (size % 512)));
  };
  // Half random, half text: about what real layers compress to.
  const data = (n: number) =>
    Buffer.concat([
      randomBytes(n >> 1),
      Buffer.alloc(n - (n >> 1), 'log line\n'),
    ]);
  const status = Buffer.from(
    'Package: base-files\nStatus: install ok installed\nVersion: 12.4\nArchitecture: amd64\n',
  );
  await file('var/lib/dpkg/status', status.length, 0o644, () => status);
  for (let i = 0; i < 900; i++)
    await file(`srv/data/blob-${i}.bin`, MIB, 0o644, data);
  for (let i = 0; i < 10_000; i++)
    await file(`usr/share/doc/pkg-${i}/README`, 1000, 0o644, (n) =>
      Buffer.alloc(n, 'x'),
    );
  for (let i = 0; i < 8; i++)
    await file(`usr/local/bin/tool-${i}`, 12 * MIB, 0o755, data);
  await file('usr/local/bin/big-tool', 48 * MIB, 0o755, data);
  await write(Buffer.alloc(1024));
  gzip.end();
  await new Promise<void>((r) => out.on('close', () => r()));
  renameSync(`${path}.tmp`, path);
}

const SCAN_CHILD = `
import { createReadStream } from 'node:fs';
import { analyzeLayers } from '${ROOT}dist/lib/scan/layers/analyze.js';
import { DETECTORS } from '${ROOT}dist/lib/scan/detectors/registry.js';
import { createLogger } from '${ROOT}dist/lib/log/create-logger.js';
const started = performance.now();
const result = await analyzeLayers(
  [{ digest: 'sha256:${'0'.repeat(64)}', mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
     open: async () => createReadStream(process.argv[1], { highWaterMark: 1 << 20 }) }],
  { detectors: DETECTORS, limits: { maxLayerBytes: 8 * 1024 ** 3, maxFileBytes: 64 * 1024 ** 2, maxEntries: 500000, maxSymlinkDepth: 40 },
    signal: new AbortController().signal, logger: createLogger({ level: 'silent' }) });
console.log(JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, ms: Math.round(performance.now() - started),
  packages: result.packages.length, uncompressedBytes: result.stats.uncompressedBytes, entries: result.stats.entries }));
`;
const GUNZIP_CHILD = `
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
const started = performance.now();
await pipeline(createReadStream(process.argv[1], { highWaterMark: 1 << 20 }), createGunzip({ chunkSize: 256 * 1024 }),
  new Writable({ write(_c, _e, cb) { cb(); } }));
console.log(JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, ms: Math.round(performance.now() - started) }));
`;

function child(
  code: string,
  layer: string,
): { maxRssBytes: number; ms: number } & Record<string, number> {
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', code, layer],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as {
    maxRssBytes: number;
    ms: number;
  };
}

async function main(): Promise<void> {
  const dir = join(ociTestCache(), 'bench');
  mkdirSync(dir, { recursive: true });
  const layer = join(dir, 'layer-1gib.tar.gz');
  if (!existsSync(layer)) await buildLayer(layer);
  const baseline = child(GUNZIP_CHILD, layer);
  const scan = child(SCAN_CHILD, layer);
  const mb = (b: number) => Math.round(b / 1e6);
  console.log(
    JSON.stringify(
      {
        bench: 'peak-rss',
        layer: {
          path: layer,
          uncompressedBytes: scan['uncompressedBytes'],
          entries: scan['entries'],
        },
        scan: {
          maxRssMB: mb(scan.maxRssBytes),
          ms: scan.ms,
          packages: scan['packages'],
        },
        gunzipBaseline: { maxRssMB: mb(baseline.maxRssBytes), ms: baseline.ms },
        ratio: Number((scan.maxRssBytes / baseline.maxRssBytes).toFixed(2)),
        limitMB: LIMIT_MB,
        withinLimit: mb(scan.maxRssBytes) <= LIMIT_MB,
      },
      null,
      2,
    ),
  );
}

await main();
