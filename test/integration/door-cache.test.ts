/**
 * The door's blob cache (filesystem and S3): layers land in it while the
 * image is scanned, pulls are served from verified local bytes, eligible
 * content is still served with the upstream down, and tampered cache bytes
 * are never served whole.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startCustoms,
  type CustomsProcess,
} from '../helpers/customs-process.js';
import {
  freePort,
  pushTestImages,
  startRegistry,
  type RegistryHandle,
} from '../helpers/registry.js';
import { startS3, type S3Peer } from '../helpers/s3.js';

const exec = promisify(execFile);
const sha256 = (b: Buffer) =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Setup {
  registry: RegistryHandle;
  customs: CustomsProcess;
  work: string;
  layer: string;
  manifest: string;
  s3?: S3Peer;
}

async function setUp(
  cacheEnv: (work: string, s3?: S3Peer) => Record<string, string>,
  withS3: boolean,
): Promise<Setup> {
  const work = mkdtempSync(join(tmpdir(), 'customs-door-cache-'));
  const s3 = withS3 ? await startS3() : undefined;
  const registry = await startRegistry();
  const [busybox] = await pushTestImages(registry, ['busybox']);
  const customs = await startCustoms(await freePort(), {
    CUSTOMS_DATADIR: join(work, 'data'),
    CUSTOMS_UPSTREAM__URL: registry.url,
    ...cacheEnv(work, s3),
  });
  // The first pull is held while the image is scanned: its layers are cached then.
  const res = await fetch(
    `${customs.url}/v2/dev/test/busybox-static/manifests/1.35.0`,
  );
  expect(res.status).toBe(200);
  const manifest = (await res.json()) as { layers: Array<{ digest: string }> };
  return {
    registry,
    customs,
    work,
    s3,
    layer: manifest.layers[0]!.digest,
    manifest: busybox!.digest,
  };
}

async function tearDown(s: Setup | undefined): Promise<void> {
  await s?.customs.stop();
  await s?.registry.stop();
  await s?.s3?.stop();
  if (s) rmSync(s.work, { recursive: true, force: true });
}

describe('door with a filesystem blob cache', () => {
  let s: Setup;
  const cachedFile = () =>
    join(s.work, 'blobs', 'sha256', s.layer.slice(7, 9), s.layer.slice(7));
  beforeAll(async () => {
    s = await setUp(
      (work) => ({
        CUSTOMS_CACHE__DRIVER: 'fs',
        CUSTOMS_CACHE__ROOT: join(work, 'blobs'),
      }),
      false,
    );
  }, 300_000);
  afterAll(() => tearDown(s));

  it('caches the layers of a scanned image and serves them from there', async () => {
    await expect.poll(() => existsSync(cachedFile())).toBe(true);
    expect(sha256(readFileSync(cachedFile()))).toBe(s.layer);
    const res = await fetch(
      `${s.customs.url}/v2/dev/test/busybox-static/blobs/${s.layer}`,
    );
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(s.layer);
    const range = await fetch(
      `${s.customs.url}/v2/dev/test/busybox-static/blobs/${s.layer}`,
      { headers: { Range: 'bytes=0-99' } },
    );
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer())).toEqual(
      readFileSync(cachedFile()).subarray(0, 100),
    );
  });

  it('still serves eligible content when the upstream is down', async () => {
    await s.registry.stop();
    const byTag = await fetch(
      `${s.customs.url}/v2/dev/test/busybox-static/manifests/1.35.0`,
    );
    expect(byTag.status).toBe(200);
    expect(byTag.headers.get('docker-content-digest')).toBe(s.manifest);
    expect(sha256(Buffer.from(await byTag.arrayBuffer()))).toBe(s.manifest);
    const out = join(s.work, 'copy');
    await exec('skopeo', [
      'copy',
      '--src-tls-verify=false',
      `docker://127.0.0.1:${s.customs.port}/dev/test/busybox-static:1.35.0`,
      `oci:${out}`,
    ]);
    // What was never judged is not served.
    const other = await fetch(
      `${s.customs.url}/v2/dev/test/debian/manifests/bookworm-minbase`,
    );
    expect(other.status).toBe(503);
  });

  it('never serves cache bytes that changed behind its back', async () => {
    const bytes = readFileSync(cachedFile());
    bytes[bytes.length - 1]! ^= 0xff;
    writeFileSync(cachedFile(), bytes);
    // The transfer is cut short: the client never gets the complete bytes.
    const body = fetch(
      `${s.customs.url}/v2/dev/test/busybox-static/blobs/${s.layer}`,
    ).then((res) => res.arrayBuffer());
    await expect(body).rejects.toThrow();
  });
});

describe('door with an S3 blob cache and presigned redirects', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setUp(
      (_work, peer) => ({
        CUSTOMS_CACHE__DRIVER: 's3',
        CUSTOMS_CACHE__BUCKET: peer!.bucket,
        CUSTOMS_CACHE__ENDPOINT: peer!.endpoint,
        CUSTOMS_CACHE__FORCEPATHSTYLE: 'true',
        CUSTOMS_CACHE__ACCESSKEYID: peer!.accessKeyId,
        CUSTOMS_CACHE__SECRETACCESSKEY: peer!.secretAccessKey,
        CUSTOMS_CACHE__PRESIGNEDREDIRECTSECONDS: '60',
      }),
      true,
    );
  }, 300_000);
  afterAll(() => tearDown(s));

  it('redirects a cached blob to a presigned S3 URL that serves the verified bytes', async () => {
    const url = `${s.customs.url}/v2/dev/test/busybox-static/blobs/${s.layer}`;
    await expect
      .poll(async () => (await fetch(url, { redirect: 'manual' })).status)
      .toBe(307);
    const redirect = await fetch(url, { redirect: 'manual' });
    expect(redirect.headers.get('location')).toMatch(
      new RegExp(`^${s.s3!.endpoint}/${s.s3!.bucket}/blobs/sha256/`),
    );
    const followed = await fetch(url);
    expect(sha256(Buffer.from(await followed.arrayBuffer()))).toBe(s.layer);
    // A range is served by Customs itself, from the bucket.
    const range = await fetch(url, { headers: { Range: 'bytes=0-9' } });
    expect(range.status).toBe(206);
    const out = join(s.work, 'copy');
    await exec('skopeo', [
      'copy',
      '--src-tls-verify=false',
      `docker://127.0.0.1:${s.customs.port}/dev/test/busybox-static:1.35.0`,
      `oci:${out}`,
    ]);
  });
});
