/**
 * A 512 MiB layer pulled through Customs' door ÷ pulled straight from
 * docker-registry, in one run (curl, page cache warm, medians). The image is
 * a real one (an uncompressed tar layer holding a random file) so that the
 * door serves it as an eligible image's blob. Prints JSON.
 *
 *   npm run build && npx tsx bench/blob-pull.ts [--size-mb 512] [--runs 5] [--cache fs]
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdtempSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCustoms } from '../test/helpers/customs-process.js';
import {
  freePort,
  ociTestCache,
  startRegistry,
} from '../test/helpers/registry.js';

const { values } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '512' },
    runs: { type: 'string', default: '5' },
    cache: { type: 'string', default: 'none' },
  },
});
const sizeMb = Number(values['size-mb']);
const runs = Number(values.runs);
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function sha256File(path: string): string {
  return `sha256:${execFileSync('sha256sum', [path]).toString().split(' ')[0]}`;
}

/** An OCI layout with one uncompressed layer holding `sizeMb` MiB of random bytes (cached). */
function buildLayout(): {
  layout: string;
  layerDigest: string;
  layerBytes: number;
} {
  const dir = join(ociTestCache(), 'bench', `big-${sizeMb}`);
  const layout = join(dir, 'layout');
  if (!existsSync(join(layout, 'index.json'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'root'), { recursive: true });
    execFileSync('sh', [
      '-c',
      `head -c ${sizeMb * 1024 * 1024} /dev/urandom > ${join(dir, 'root', 'random.bin')}`,
    ]);
    const tar = join(dir, 'layer.tar');
    execFileSync('tar', [
      '-C',
      join(dir, 'root'),
      '--owner=0',
      '--group=0',
      '--mtime=@1704067200',
      '-cf',
      tar,
      'random.bin',
    ]);
    const blobs = join(layout, 'blobs', 'sha256');
    mkdirSync(blobs, { recursive: true });
    const layerDigest = sha256File(tar);
    execFileSync('mv', [tar, join(blobs, layerDigest.slice(7))]);
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [layerDigest] },
      }),
    );
    const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
    writeFileSync(join(blobs, configDigest.slice(7)), config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: configDigest,
          size: config.length,
        },
        layers: [
          {
            mediaType: 'application/vnd.oci.image.layer.v1.tar',
            digest: layerDigest,
            size: statSync(join(blobs, layerDigest.slice(7))).size,
          },
        ],
      }),
    );
    const manifestDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    writeFileSync(join(blobs, manifestDigest.slice(7)), manifest);
    writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: manifestDigest,
            size: manifest.length,
            annotations: { 'org.opencontainers.image.ref.name': '1' },
          },
        ],
      }),
    );
    rmSync(join(dir, 'root'), { recursive: true });
  }
  const index = JSON.parse(
    readFileSync(join(layout, 'index.json'), 'utf8'),
  ) as { manifests: Array<{ digest: string }> };
  const manifest = JSON.parse(
    readFileSync(
      join(layout, 'blobs', 'sha256', index.manifests[0]!.digest.slice(7)),
      'utf8',
    ),
  ) as { layers: Array<{ digest: string; size: number }> };
  return {
    layout,
    layerDigest: manifest.layers[0]!.digest,
    layerBytes: manifest.layers[0]!.size,
  };
}

/**
 * Seconds one core takes to SHA-256 the layer (best of 3): the ceiling of
 * any pull that verifies every byte it serves, as an uncached pull must.
 */
function sha256Seconds(path: string): number {
  const bytes = readFileSync(path);
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = process.hrtime.bigint();
    createHash('sha256').update(bytes).digest();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return best;
}

/** Seconds curl takes to download `url` to /dev/null. */
function curlSeconds(url: string): number {
  const out = execFileSync('curl', [
    '-sf',
    '-o',
    '/dev/null',
    '-w',
    '%{time_total} %{size_download}',
    url,
  ]).toString();
  return Number(out.split(' ')[0]);
}

const { layout, layerDigest, layerBytes } = buildLayout();
const registry = await startRegistry();
const work = mkdtempSync(join(tmpdir(), 'customs-bench-blob-'));
const port = await freePort();
const env: Record<string, string> = {
  CUSTOMS_DATADIR: join(work, 'data'),
  CUSTOMS_UPSTREAM__URL: registry.url,
};
if (values.cache === 'fs') {
  env.CUSTOMS_CACHE__DRIVER = 'fs';
  env.CUSTOMS_CACHE__ROOT = join(work, 'blobs');
}
try {
  execFileSync('skopeo', [
    'copy',
    '--preserve-digests',
    '--dest-tls-verify=false',
    `oci:${layout}:1`,
    `docker://${registry.host}/bench/big:1`,
  ]);
  const customs = await startCustoms(port, env);
  try {
    // The first pull is held while Customs scans the image; then it is eligible in dev.
    const first = await fetch(`${customs.url}/v2/dev/bench/big/manifests/1`);
    if (first.status !== 200)
      throw new Error(
        `manifest through Customs: ${first.status} ${await first.text()}`,
      );
    const direct = `${registry.url}/v2/bench/big/blobs/${layerDigest}`;
    const door = `${customs.url}/v2/dev/bench/big/blobs/${layerDigest}`;
    for (const url of [direct, door]) {
      const res = await fetch(url, { method: 'HEAD' });
      if (res.status !== 200)
        throw new Error(
          `${url}: ${res.status} ${await (await fetch(url)).text()}`,
        );
    }
    curlSeconds(direct);
    curlSeconds(door); // warm both
    const directS: number[] = [];
    const doorS: number[] = [];
    for (let i = 0; i < runs; i++) {
      directS.push(curlSeconds(direct));
      doorS.push(curlSeconds(door));
    }
    const mbps = (s: number) => Math.round(layerBytes / 1e6 / s);
    const hashS = sha256Seconds(
      join(layout, 'blobs', 'sha256', layerDigest.slice(7)),
    );
    console.log(
      JSON.stringify(
        {
          bench: 'blob-pull',
          sizeBytes: layerBytes,
          runs,
          cache: values.cache,
          directMBps: mbps(median(directS)),
          customsMBps: mbps(median(doorS)),
          ratio: Number((median(directS) / median(doorS)).toFixed(2)),
          // The best ratio a pull that hashes every byte can reach here: one
          // core's SHA-256 rate ÷ the direct rate (a cache file verified
          // before in this process is not hashed again, so cached pulls are
          // not bound by it).
          sha256OneCoreMBps: mbps(hashS),
          verifiedRatioCeiling: Number((median(directS) / hashS).toFixed(2)),
          directSeconds: directS,
          customsSeconds: doorS,
        },
        null,
        2,
      ),
    );
  } finally {
    await customs.stop();
  }
} finally {
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
}
