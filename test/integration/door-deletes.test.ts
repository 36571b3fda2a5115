/**
 * An image deleted from the registry stops being served by the door, even
 * from the verified copies in its blob cache: the registry's own delete
 * notification makes Customs forget it, and a re-push brings it back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CustomsProcess } from '../helpers/customs-process.js';
import { pushTestImages, type RegistryHandle } from '../helpers/registry.js';
import { startNotifiedStack } from '../helpers/notified-stack.js';

const SECRET = 'door-deletes-secret';
const REPO = 'test/busybox-static';

describe('door after a delete in the registry', () => {
  let registry: RegistryHandle;
  let customs: CustomsProcess;
  let work: string;
  let digest: string;
  let layer: string;
  const door = (path: string) => fetch(`${customs.url}/v2/dev/${REPO}${path}`);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-door-deletes-'));
    ({ registry, customs } = await startNotifiedStack(work, SECRET, {
      CUSTOMS_CACHE__DRIVER: 'fs',
      CUSTOMS_CACHE__ROOT: join(work, 'blobs'),
    }));
    digest = (await pushTestImages(registry, ['busybox']))[0]!.digest;
    const res = await door(`/manifests/${digest}`);
    expect(res.status).toBe(200);
    layer = ((await res.json()) as { layers: Array<{ digest: string }> })
      .layers[0]!.digest;
    expect((await door(`/blobs/${layer}`)).status).toBe(200);
  }, 300_000);

  afterAll(async () => {
    await customs?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('refuses the deleted manifest and its blobs, cached or not, until it is pushed again', async () => {
    const deleted = await fetch(
      `${registry.url}/v2/${REPO}/manifests/${digest}`,
      { method: 'DELETE' },
    );
    expect(deleted.status).toBe(202);
    // The registry notifies Customs of the delete; the door follows.
    await expect
      .poll(async () => (await door(`/manifests/${digest}`)).status, {
        timeout: 30_000,
        interval: 200,
      })
      .toBe(404);
    const manifest = await door(`/manifests/${digest}`);
    expect(
      ((await manifest.json()) as { errors: Array<{ code: string }> })
        .errors[0]!.code,
    ).toBe('MANIFEST_UNKNOWN');
    // The layer is still in the registry's storage and in Customs' cache,
    // but no image of the repository that references it remains.
    const blob = await door(`/blobs/${layer}`);
    expect(blob.status).toBe(404);
    expect(
      ((await blob.json()) as { errors: Array<{ code: string }> }).errors[0]!
        .code,
    ).toBe('BLOB_UNKNOWN');
    expect((await door('/manifests/1.35.0')).status).toBe(404);

    await pushTestImages(registry, ['busybox']);
    await expect
      .poll(async () => (await door(`/manifests/${digest}`)).status, {
        timeout: 60_000,
        interval: 200,
      })
      .toBe(200);
    expect((await door(`/blobs/${layer}`)).status).toBe(200);
  }, 120_000);
});
