/**
 * The OCI read door against a real docker-registry whose pushes Customs never
 * heard of (no notifications): the first pull of each image scans it and
 * holds the request for the verdict. skopeo and curl-like fetches are the
 * clients.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signImage, generateCosignKeyPair } from '../helpers/cosign.js';
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

const exec = promisify(execFile);
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_V2 = 'application/vnd.docker.distribution.manifest.v2+json';

describe('OCI read door', () => {
  let work: string;
  let registry: RegistryHandle;
  let customs: CustomsProcess;
  const digests: Record<string, string> = {};
  const door = (path: string, init?: RequestInit) =>
    fetch(`${customs.url}${path}`, init);
  const upstream = (path: string, init?: RequestInit) =>
    fetch(`${registry.url}${path}`, init);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-door-'));
    registry = await startRegistry();
    for (const { ref, digest } of await pushTestImages(registry, [
      'busybox',
      'busybox-v2s2',
      'multiarch',
    ])) {
      digests[ref.replace(`${registry.host}/`, '')] = digest;
    }
    const key = join(work, 'release');
    await generateCosignKeyPair(key);
    await signImage(`${registry.host}/test/busybox-static:1.35.0`, key);
    customs = await startCustoms(await freePort(), {
      CUSTOMS_DATADIR: join(work, 'data'),
      CUSTOMS_UPSTREAM__URL: registry.url,
      CUSTOMS_DOOR__HOLDUNJUDGEDMS: '60000',
      // The first pull must be what triggers each scan here.
      CUSTOMS_INTAKE__RECONCILE__ONSTART: 'false',
    });
  }, 300_000);
  afterAll(async () => {
    await customs?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds the first pull of an unjudged image until its scan decides, then serves it', async () => {
    const started = Date.now();
    const res = await door('/v2/dev/test/busybox-static/manifests/1.35.0');
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(
      digests['test/busybox-static:1.35.0'],
    );
    const body = Buffer.from(await res.arrayBuffer());
    expect(`sha256:${createHash('sha256').update(body).digest('hex')}`).toBe(
      digests['test/busybox-static:1.35.0'],
    );
    expect(res.headers.get('content-length')).toBe(String(body.length));
    expect(res.headers.get('etag')).toBe(
      `"${digests['test/busybox-static:1.35.0']}"`,
    );
    console.log(
      JSON.stringify({
        metric: 'first-pull-held-ms',
        value: Date.now() - started,
      }),
    );
  });

  it('answers HEAD with the same headers as GET and no body', async () => {
    const get = await door('/v2/dev/test/busybox-static/manifests/1.35.0');
    const head = await door('/v2/dev/test/busybox-static/manifests/1.35.0', {
      method: 'HEAD',
    });
    expect(head.status).toBe(200);
    for (const h of [
      'content-type',
      'content-length',
      'docker-content-digest',
      'etag',
    ]) {
      expect(head.headers.get(h), h).toBe(get.headers.get(h));
    }
    expect(await head.text()).toBe('');
    expect(
      (await door('/v2/', { method: 'HEAD' })).headers.get(
        'docker-distribution-api-version',
      ),
    ).toBe('registry/2.0');
  });

  it('negotiates Docker schema 2 and OCI index media types', async () => {
    const v2s2 = await door(
      '/v2/dev/test/busybox-static/manifests/1.35.0-v2s2',
      { headers: { Accept: DOCKER_V2 } },
    );
    expect(v2s2.status).toBe(200);
    expect(v2s2.headers.get('content-type')).toBe(DOCKER_V2);
    const index = await door('/v2/dev/test/multiarch/manifests/1.0', {
      headers: { Accept: `${OCI_INDEX}, ${DOCKER_V2}` },
    });
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe(OCI_INDEX);
    const children = (
      (await index.json()) as { manifests: Array<{ digest: string }> }
    ).manifests;
    expect(children).toHaveLength(2);
    for (const child of children) {
      expect(
        (await door(`/v2/dev/test/multiarch/manifests/${child.digest}`)).status,
      ).toBe(200);
    }
  });

  it('lists tags and repositories page by page', async () => {
    const first = await door('/v2/dev/test/busybox-static/tags/list?n=1');
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      name: 'dev/test/busybox-static',
      tags: ['1.35.0'],
    });
    const link = first.headers.get('link');
    expect(link).toBe(
      '</v2/dev/test/busybox-static/tags/list?n=1&last=1.35.0>; rel="next"',
    );
    const next = await door(link!.slice(1, link!.indexOf('>')));
    expect(((await next.json()) as { tags: string[] }).tags[0]).toBe(
      '1.35.0-v2s2',
    );
    const all = (await (
      await door('/v2/prod/test/busybox-static/tags/list')
    ).json()) as { tags: string[] };
    expect(all.tags).toEqual(
      expect.arrayContaining([
        '1.35.0',
        '1.35.0-v2s2',
        `sha256-${digests['test/busybox-static:1.35.0']!.slice(7)}.sig`,
      ]),
    );
    const catalog = (await (await door('/v2/_catalog?n=100')).json()) as {
      repositories: string[];
    };
    expect(catalog.repositories).toEqual([
      'test/busybox-static',
      'test/multiarch',
    ]);
    expect((await door('/v2/dev/test/nothing/tags/list')).status).toBe(404);
  });

  it('serves byte ranges of an eligible blob, cut from the verified stream', async () => {
    const manifest = (await (
      await door('/v2/dev/test/busybox-static/manifests/1.35.0')
    ).json()) as { layers: Array<{ digest: string; size: number }> };
    const layer = manifest.layers[0]!;
    const whole = Buffer.from(
      await (
        await upstream(`/v2/test/busybox-static/blobs/${layer.digest}`)
      ).arrayBuffer(),
    );
    const part = await door(
      `/v2/dev/test/busybox-static/blobs/${layer.digest}`,
      { headers: { Range: 'bytes=100-1123' } },
    );
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(
      `bytes 100-1123/${layer.size}`,
    );
    expect(Buffer.from(await part.arrayBuffer())).toEqual(
      whole.subarray(100, 1124),
    );
    const tail = await door(
      `/v2/dev/test/busybox-static/blobs/${layer.digest}`,
      { headers: { Range: 'bytes=-16' } },
    );
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(
      whole.subarray(whole.length - 16),
    );
    const beyond = await door(
      `/v2/dev/test/busybox-static/blobs/${layer.digest}`,
      { headers: { Range: `bytes=${layer.size}-` } },
    );
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${layer.size}`);
    const full = await door(
      `/v2/dev/test/busybox-static/blobs/${layer.digest}`,
    );
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await full.arrayBuffer())).toEqual(whole);
  });

  it('lists the referrers of an eligible image, found through cosign legacy tags', async () => {
    const subject = digests['test/busybox-static:1.35.0']!;
    const res = await door(`/v2/dev/test/busybox-static/referrers/${subject}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(OCI_INDEX);
    const index = (await res.json()) as {
      manifests: Array<{ digest: string; artifactType: string }>;
    };
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]!.artifactType).toBe(
      'application/vnd.oci.image.config.v1+json',
    );
    const filtered = await door(
      `/v2/dev/test/busybox-static/referrers/${subject}?artifactType=application/x-none`,
    );
    expect(filtered.headers.get('oci-filters-applied')).toBe('artifactType');
    expect(
      ((await filtered.json()) as { manifests: unknown[] }).manifests,
    ).toEqual([]);
    // The default rules require a trusted signature in prod, and no key is configured.
    expect(
      (await door(`/v2/prod/test/busybox-static/referrers/${subject}`)).status,
    ).toBe(403);
  });

  it('copies an eligible image byte for byte with skopeo, and inspects it', async () => {
    const out = join(work, 'copy');
    await exec('skopeo', [
      'copy',
      '--src-tls-verify=false',
      `docker://127.0.0.1:${customs.port}/dev/test/multiarch:1.0`,
      `oci:${out}`,
      '--all',
    ]);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string }>;
    };
    expect(index.manifests[0]!.digest).toBe(digests['test/multiarch:1.0']);
    const { stdout } = await exec('skopeo', [
      'inspect',
      '--tls-verify=false',
      `docker://127.0.0.1:${customs.port}/dev/test/busybox-static:1.35.0`,
    ]);
    expect(JSON.parse(stdout)).toMatchObject({
      Digest: digests['test/busybox-static:1.35.0'],
    });
  });

  it('lets podman pull an eligible image and shows the reason of a refusal', async () => {
    const storage = [
      '--storage-driver',
      'vfs',
      '--root',
      join(work, 'podman-root'),
      '--runroot',
      join(work, 'podman-run'),
    ];
    const pull = (ref: string) =>
      exec('podman', [...storage, 'pull', '--tls-verify=false', ref]).then(
        (r) => ({ ok: true, out: r.stdout }),
        (err: { stderr: string }) => ({ ok: false, out: err.stderr }),
      );
    const allowed = await pull(
      `127.0.0.1:${customs.port}/dev/test/busybox-static:1.35.0`,
    );
    expect(allowed.ok).toBe(true);
    const { stdout } = await exec('podman', [
      ...storage,
      'image',
      'inspect',
      '--format',
      '{{.Digest}}',
      `127.0.0.1:${customs.port}/dev/test/busybox-static:1.35.0`,
    ]);
    expect(stdout.trim()).toBe(digests['test/busybox-static:1.35.0']);
    const refused = await pull(
      `127.0.0.1:${customs.port}/prod/test/busybox-static:1.35.0`,
    );
    expect(refused.ok).toBe(false);
    expect(refused.out).toMatch(
      /denied: not eligible for prod \(ineligible\): a signature is required but no trusted key is configured/,
    );
  });

  it.each(['PUT', 'POST', 'PATCH', 'DELETE'])(
    'refuses %s with UNSUPPORTED and says where to push',
    async (method) => {
      const res = await door('/v2/test/busybox-static/blobs/uploads/', {
        method,
      });
      expect(res.status).toBe(405);
      expect(await res.json()).toEqual({
        errors: [
          {
            code: 'UNSUPPORTED',
            message: `Customs serves reads only; push to the registry at ${registry.url}`,
          },
        ],
      });
    },
  );

  it.each([
    ['/v2/dev/Test/busybox-static/manifests/1.35.0', 400, 'NAME_INVALID'],
    ['/v2/dev/test/busybox-static/manifests/sha256:abc', 400, 'DIGEST_INVALID'],
    [
      '/v2/dev/test/busybox-static/manifests/no-such-tag',
      404,
      'MANIFEST_UNKNOWN',
    ],
    ['/v2/dev/test/busybox-static/blobs/sha256:xyz', 400, 'DIGEST_INVALID'],
    [
      `/v2/dev/test/busybox-static/referrers/sha256:${'0'.repeat(64)}`,
      403,
      'DENIED',
    ],
    ['/v2/dev/test/busybox-static/something', 405, 'UNSUPPORTED'],
    ['/v2/dev/test/busybox-static/tags/list?n=-1', 405, 'UNSUPPORTED'],
  ])('%s → %d %s', async (path, status, code) => {
    const res = await door(path);
    expect(res.status).toBe(status);
    expect(
      ((await res.json()) as { errors: Array<{ code: string }> }).errors[0]!
        .code,
    ).toBe(code);
  });
});
