/**
 * Pass-through writes at the door, against a real docker-registry that
 * notifies Customs: skopeo pushes through Customs with a push-capable robot
 * and the image lands byte-identical upstream, then is scanned from the
 * registry's notification; read-only and anonymous callers are refused; the
 * chunked upload API is forwarded piece by piece. (With writes off the door
 * refuses them UNSUPPORTED: door.test.ts.)
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageReport, waitUntil } from '../helpers/customs-api.js';
import { runCustoms, type CustomsProcess } from '../helpers/customs-process.js';
import { startNotifiedStack } from '../helpers/notified-stack.js';
import {
  pushTestImages,
  startRegistry,
  type RegistryHandle,
} from '../helpers/registry.js';

const exec = promisify(execFile);
const SECRET = 'door-writes-secret';
const SOURCE = 'test/busybox-static:1.35.0';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

describe('door pass-through writes', () => {
  let work: string;
  let registry: RegistryHandle;
  /** Where skopeo copies from: a registry Customs never hears of. */
  let source: RegistryHandle;
  let customs: CustomsProcess;
  let env: Record<string, string>;
  let sourceDigest: string;
  const secrets: Record<string, string> = {};

  const createRobot = async (
    name: string,
    push: string[],
    environment = 'dev',
  ) => {
    const r = await runCustoms(
      [
        'pull-credentials',
        'create',
        name,
        '-e',
        environment,
        ...push.flatMap((p) => ['--push', p]),
      ],
      env,
    );
    expect(r.stderr).toBe('');
    secrets[name] = /secret \(shown once\): (\S+)/.exec(r.stdout)![1]!;
    return r.stdout;
  };
  const basic = (name: string) =>
    `Basic ${Buffer.from(`${name}:${secrets[name]}`).toString('base64')}`;
  const door = (path: string, init: RequestInit = {}, who?: string) =>
    fetch(`${customs.url}${path}`, {
      ...init,
      headers: {
        ...(init.headers as Record<string, string>),
        ...(who ? { Authorization: basic(who) } : {}),
      },
    });
  const copyIn = (target: string, creds: string[]) =>
    exec('skopeo', [
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      ...creds,
      `docker://${source.host}/${SOURCE}`,
      `docker://127.0.0.1:${customs.port}/${target}`,
    ]).then(
      () => 'ok',
      (err: { stderr: string }) => err.stderr,
    );
  const sha256 = (b: Buffer) =>
    `sha256:${createHash('sha256').update(b).digest('hex')}`;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-door-writes-'));
    ({ registry, customs, env } = await startNotifiedStack(work, SECRET, {
      CUSTOMS_DOOR__PASSTHROUGHWRITES: 'true',
    }));
    source = await startRegistry();
    sourceDigest = (await pushTestImages(source, ['busybox']))[0]!.digest;
    const created = await createRobot('pusher', ['team/*']);
    expect(created).toMatch(/^pusher may push to team\/\*$/m);
    await createRobot('reader', []);
    await createRobot('prod-pusher', ['team/*'], 'prod');
    await createRobot('prod-reader', [], 'prod');
  }, 300_000);
  afterAll(async () => {
    await customs?.stop();
    await registry?.stop();
    await source?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('lets skopeo push through Customs: the image lands byte-identical upstream and is scanned from the notification', async () => {
    expect(
      await copyIn('team/busybox:1.0', [
        '--dest-creds',
        `pusher:${secrets['pusher']}`,
      ]),
    ).toBe('ok');
    const landed = await fetch(
      `${registry.url}/v2/team/busybox/manifests/1.0`,
      {
        headers: { Accept: OCI_MANIFEST },
      },
    );
    expect(landed.status).toBe(200);
    // skopeo streams each blob in a PATCH, forwarded as it came.
    expect(readFileSync(join(registry.dir, 'registry.log'), 'utf8')).toMatch(
      /"PATCH \/v2\/team\/busybox\/blobs\/uploads\/[0-9a-f-]{36}\?_state=/,
    );
    const manifest = Buffer.from(await landed.arrayBuffer());
    expect(sha256(manifest)).toBe(sourceDigest);
    const { config, layers } = JSON.parse(manifest.toString()) as {
      config: { digest: string };
      layers: Array<{ digest: string }>;
    };
    for (const { digest } of [config, ...layers]) {
      const blob = await fetch(
        `${registry.url}/v2/team/busybox/blobs/${digest}`,
      );
      expect(sha256(Buffer.from(await blob.arrayBuffer()))).toBe(digest);
    }
    // Nobody pulls it: the registry's notification alone gets it judged.
    await waitUntil(
      'the pushed image to be judged',
      async () =>
        (await imageReport(customs, 'team/busybox', sourceDigest)).verdicts[
          'dev'
        ]?.status === 'eligible',
      () => customs.output(),
    );
    const pulled = await door(
      `/v2/dev/team/busybox/manifests/1.0`,
      {},
      'reader',
    );
    expect(pulled.status).toBe(200);
    expect(pulled.headers.get('docker-content-digest')).toBe(sourceDigest);
  });

  it('tells a pusher which blobs the registry has, even those of an ineligible image, so a fix can be pushed', async () => {
    const manifest = (await (
      await fetch(`${registry.url}/v2/team/busybox/manifests/${sourceDigest}`, {
        headers: { Accept: OCI_MANIFEST },
      })
    ).json()) as { layers: Array<{ digest: string; size: number }> };
    const layer = manifest.layers[0]!;
    // Unsigned, so not eligible for prod: its blobs are not served there.
    const judged = await door(
      `/v2/team/busybox/blobs/${layer.digest}`,
      { method: 'HEAD' },
      'prod-reader',
    );
    expect(judged.status).toBe(403);
    const exists = await door(
      `/v2/team/busybox/blobs/${layer.digest}`,
      { method: 'HEAD' },
      'prod-pusher',
    );
    expect(exists.status).toBe(200);
    expect(exists.headers.get('content-length')).toBe(String(layer.size));
    expect(exists.headers.get('docker-content-digest')).toBe(layer.digest);
    const absent = await door(
      `/v2/team/busybox/blobs/sha256:${'0'.repeat(64)}`,
      { method: 'HEAD' },
      'prod-pusher',
    );
    expect(absent.status).toBe(404);
    // Bytes stay judged, whoever asks.
    const bytes = await door(
      `/v2/team/busybox/blobs/${layer.digest}`,
      {},
      'prod-pusher',
    );
    expect(bytes.status).toBe(403);
    expect(
      await copyIn('team/busybox:1.1', [
        '--dest-creds',
        `prod-pusher:${secrets['prod-pusher']}`,
      ]),
    ).toBe('ok');
  });

  it('refuses a read-only credential, and a push outside the grant', async () => {
    expect(
      await copyIn('team/refused:1.0', [
        '--dest-creds',
        `reader:${secrets['reader']}`,
      ]),
    ).toMatch(/denied: reader may not push to team\/refused/);
    const outside = await door(
      '/v2/other/app/blobs/uploads/',
      { method: 'POST' },
      'pusher',
    );
    expect(outside.status).toBe(403);
    expect(await outside.json()).toEqual({
      errors: [
        {
          code: 'DENIED',
          message: 'pusher may not push to other/app',
          detail: { repository: 'other/app' },
        },
      ],
    });
    const tags = await fetch(`${registry.url}/v2/team/refused/tags/list`);
    expect(tags.status).toBe(404);
    const list = await runCustoms(['pull-credentials', 'list'], env);
    expect(list.stdout).toMatch(
      /^pusher\s+robot\s+dev\s+no expiry push: team\/\*$/m,
    );
    expect(list.stdout).toMatch(/^reader\s+robot\s+dev\s+no expiry$/m);
  });

  it('challenges a write without credentials for a push token, and never forwards it', async () => {
    const base = await door('/v2/');
    expect(base.status).toBe(401);
    expect(base.headers.get('www-authenticate')).toBe(
      `Bearer realm="http://127.0.0.1:${customs.port}/token",service="customs"`,
    );
    const write = await door('/v2/team/anon/blobs/uploads/', {
      method: 'POST',
    });
    expect(write.status).toBe(401);
    expect(write.headers.get('www-authenticate')).toBe(
      `Bearer realm="http://127.0.0.1:${customs.port}/token",service="customs",scope="repository:team/anon:pull,push"`,
    );
    expect(await write.json()).toMatchObject({
      errors: [{ code: 'UNAUTHORIZED' }],
    });
    // An anonymous token reads, and is granted no push.
    const token = (await (
      await door('/token?service=customs&scope=repository:team/anon:pull,push')
    ).json()) as { token: string };
    const bearer = { Authorization: `Bearer ${token.token}` };
    expect((await door('/v2/', { headers: bearer })).status).toBe(200);
    expect(
      (
        await door('/v2/team/anon/blobs/uploads/', {
          method: 'POST',
          headers: bearer,
        })
      ).status,
    ).toBe(401);
    expect(await copyIn('team/anon:1.0', ['--dest-no-creds'])).toMatch(
      /unauthorized|authentication required/i,
    );
    expect((await fetch(`${registry.url}/v2/team/anon/tags/list`)).status).toBe(
      404,
    );
  });

  it('forwards a chunked upload: PATCHes, status, and the closing PUT', async () => {
    const blob = Buffer.alloc(300_000);
    for (let i = 0; i < blob.length; i++) blob[i] = (i * 7) % 251;
    const digest = sha256(blob);
    const start = await door(
      '/v2/dev/team/chunks/blobs/uploads/',
      { method: 'POST', headers: { 'Content-Length': '0' } },
      'pusher',
    );
    expect(start.status).toBe(202);
    const uuid = start.headers.get('docker-upload-uuid');
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    // The Location stays at Customs, under the name as the client wrote it.
    let location = start.headers.get('location')!;
    expect(location).toMatch(
      new RegExp(`^/v2/dev/team/chunks/blobs/uploads/${uuid}\\?_state=`),
    );
    const cut = 100_000;
    for (const [from, to] of [
      [0, cut],
      [cut, blob.length],
    ] as const) {
      const patch = await door(
        location,
        {
          method: 'PATCH',
          headers: {
            'Content-Type': 'application/octet-stream',
            'Content-Range': `${from}-${to - 1}`,
            'Content-Length': String(to - from),
          },
          body: blob.subarray(from, to),
        },
        'pusher',
      );
      expect(patch.status).toBe(202);
      expect(patch.headers.get('range')).toBe(`0-${to - 1}`);
      location = patch.headers.get('location')!;
      expect(location).toMatch(/^\/v2\/dev\/team\/chunks\/blobs\/uploads\//);
    }
    const status = await door(location, {}, 'pusher');
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe(`0-${blob.length - 1}`);
    const close = await door(
      `${location}&digest=${digest}`,
      { method: 'PUT', headers: { 'Content-Length': '0' } },
      'pusher',
    );
    expect(close.status).toBe(201);
    expect(close.headers.get('docker-content-digest')).toBe(digest);
    expect(close.headers.get('location')).toBe(
      `/v2/dev/team/chunks/blobs/${digest}`,
    );
    const upstream = await fetch(
      `${registry.url}/v2/team/chunks/blobs/${digest}`,
    );
    expect(Buffer.from(await upstream.arrayBuffer())).toEqual(blob);
  });

  it('forwards a monolithic upload, a cross-repository mount, a manifest PUT and deletes', async () => {
    const data = Buffer.from('a config blob');
    const digest = sha256(data);
    const mono = await door(
      `/v2/team/mono/blobs/uploads/?digest=${digest}`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: data,
      },
      'pusher',
    );
    // distribution 2.8 answers a one-POST upload 202 (the spec lets it) and
    // takes the bytes in one PUT instead: both forms pass through.
    expect(mono.status).toBe(202);
    const monoPut = await door(
      `${mono.headers.get('location')!}&digest=${digest}`,
      {
        method: 'PUT',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: data,
      },
      'pusher',
    );
    expect(monoPut.status).toBe(201);
    expect(monoPut.headers.get('location')).toBe(
      `/v2/team/mono/blobs/${digest}`,
    );
    // The mount source is named like any repository at the door (dev/ prefix).
    const mount = await door(
      `/v2/team/mounted/blobs/uploads/?mount=${digest}&from=dev/team/mono`,
      { method: 'POST' },
      'pusher',
    );
    expect(mount.status).toBe(201);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest,
          size: data.length,
        },
        layers: [],
      }),
    );
    const put = await door(
      '/v2/team/mounted/manifests/v1',
      {
        method: 'PUT',
        headers: {
          'Content-Type': 'application/vnd.oci.image.manifest.v1+json',
        },
        body: manifest,
      },
      'pusher',
    );
    expect(put.status).toBe(201);
    expect(put.headers.get('docker-content-digest')).toBe(sha256(manifest));
    const unknown = await door(
      '/v2/team/mounted/manifests/v2',
      {
        method: 'PUT',
        headers: {
          'Content-Type': 'application/vnd.oci.image.manifest.v1+json',
        },
        body: manifest.toString().replace(digest, `sha256:${'0'.repeat(64)}`),
      },
      'pusher',
    );
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      errors: [
        {
          code: 'MANIFEST_BLOB_UNKNOWN',
          message: 'manifest references a manifest or blob unknown to registry',
        },
      ],
    });
    const deleted = await door(
      `/v2/team/mounted/manifests/${sha256(manifest)}`,
      { method: 'DELETE' },
      'pusher',
    );
    expect(deleted.status).toBe(202);
    expect(
      (await fetch(`${registry.url}/v2/team/mounted/manifests/v1`)).status,
    ).toBe(404);
    const blobGone = await door(
      `/v2/team/mono/blobs/${digest}`,
      { method: 'DELETE' },
      'pusher',
    );
    expect(blobGone.status).toBe(202);
  });
});
