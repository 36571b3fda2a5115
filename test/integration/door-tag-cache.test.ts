/**
 * The door's tag cache against real registries: with a five-minute
 * `door.tagCacheMs`, a tag moved in the registry is served as its new image
 * as soon as Customs hears of the move — from the registry's push
 * notification, or at once for a push through Customs itself (no
 * notification configured there) — and never as the old one afterwards.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  runCustoms,
  startCustoms,
  type CustomsProcess,
} from '../helpers/customs-process.js';
import { startNotifiedStack } from '../helpers/notified-stack.js';
import {
  cleanLayers,
  pushLayeredImage,
  type PushedImage,
} from '../helpers/planted-images.js';
import {
  freePort,
  startRegistry,
  type RegistryHandle,
} from '../helpers/registry.js';

const exec = promisify(execFile);
const FIVE_MINUTES = String(5 * 60_000);
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** Two different images to put under one tag in turn. */
async function twoImages(
  registry: RegistryHandle,
  repository: string,
): Promise<[PushedImage, PushedImage]> {
  const first = await pushLayeredImage(
    registry.url,
    { repository, tag: 'first' },
    cleanLayers(),
    'clean',
  );
  const second = await pushLayeredImage(
    registry.url,
    { repository, tag: 'second' },
    [
      ...cleanLayers(),
      [{ type: 'file', path: 'srv/app/VERSION', content: '2\n' }],
    ],
    'clean',
  );
  return [first, second];
}

/** The digest the door serves for a tag (after any hold for a first scan). */
async function servedDigest(
  customs: CustomsProcess,
  path: string,
  headers: Record<string, string> = {},
): Promise<string | null> {
  const res = await fetch(`${customs.url}${path}`, {
    headers: { Accept: OCI_MANIFEST, ...headers },
  });
  await res.arrayBuffer();
  return res.status === 200 ? res.headers.get('docker-content-digest') : null;
}

describe('door tag cache, moved by a registry notification', () => {
  let work: string;
  let registry: RegistryHandle;
  let customs: CustomsProcess;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-tag-cache-'));
    ({ registry, customs } = await startNotifiedStack(work, 'tag-cache', {
      CUSTOMS_DOOR__TAGCACHEMS: FIVE_MINUTES,
    }));
  }, 120_000);
  afterAll(async () => {
    await customs?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('serves the new image of a tag once the push is announced, and the old one never again', async () => {
    const [first, second] = await twoImages(registry, 'team/app');
    const tagPath = '/v2/dev/team/app/manifests/stable';
    await pushLayeredImage(
      registry.url,
      { repository: 'team/app', tag: 'stable' },
      cleanLayers(),
      'clean',
    );
    await expect
      .poll(() => servedDigest(customs, tagPath), { timeout: 60_000 })
      .toBe(first.digest);
    // Cached now: the registry is not asked again for five minutes unless
    // Customs hears the tag moved.
    await pushLayeredImage(
      registry.url,
      { repository: 'team/app', tag: 'stable' },
      [
        ...cleanLayers(),
        [{ type: 'file', path: 'srv/app/VERSION', content: '2\n' }],
      ],
      'clean',
    );
    await expect
      .poll(() => servedDigest(customs, tagPath), {
        timeout: 60_000,
        interval: 100,
      })
      .toBe(second.digest);
    for (let i = 0; i < 20; i++)
      expect(await servedDigest(customs, tagPath)).toBe(second.digest);
    const metrics = await (await fetch(`${customs.url}/metrics`)).text();
    expect(metrics).toMatch(
      /customs_cache_requests_total\{cache="tag",result="hit"\} [1-9]/,
    );
  });
});

describe('door tag cache, moved by a push through Customs', () => {
  let work: string;
  let registry: RegistryHandle;
  let customs: CustomsProcess;
  let secret: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-tag-cache-writes-'));
    // No notifications: only the door's own write can tell it the tag moved.
    registry = await startRegistry();
    const env = {
      CUSTOMS_DATADIR: join(work, 'data'),
      CUSTOMS_UPSTREAM__URL: registry.url,
      CUSTOMS_DOOR__PASSTHROUGHWRITES: 'true',
      CUSTOMS_DOOR__TAGCACHEMS: FIVE_MINUTES,
    };
    customs = await startCustoms(await freePort(), env);
    const created = await runCustoms(
      ['pull-credentials', 'create', 'pusher', '-e', 'dev', '--push', 'team/*'],
      env,
    );
    secret = /secret \(shown once\): (\S+)/.exec(created.stdout)![1]!;
  }, 120_000);
  afterAll(async () => {
    await customs?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('drops the tag when a manifest is pushed under it through the door', async () => {
    const [first, second] = await twoImages(registry, 'staging/app');
    const auth = {
      Authorization: `Basic ${Buffer.from(`pusher:${secret}`).toString('base64')}`,
    };
    const copyIn = (tag: string) =>
      exec('skopeo', [
        'copy',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        '--dest-creds',
        `pusher:${secret}`,
        `docker://${registry.host}/staging/app:${tag}`,
        `docker://127.0.0.1:${customs.port}/team/app:stable`,
      ]);
    await copyIn('first');
    // Unjudged: the first pull scans it and waits for the verdict.
    expect(
      await servedDigest(customs, '/v2/team/app/manifests/stable', auth),
    ).toBe(first.digest);
    await copyIn('second');
    expect(
      await servedDigest(customs, '/v2/team/app/manifests/stable', auth),
    ).toBe(second.digest);
  });
});
