import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  ociTestCache,
  pushTestImages,
  startRegistry,
  type RegistryHandle,
} from './registry.js';

const BUSYBOX_ACCEPT = 'application/vnd.oci.image.manifest.v1+json';

describe('registry harness', () => {
  let registry: RegistryHandle;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry.stop();
  });

  it('starts a docker-registry on a free loopback port', async () => {
    expect(registry.host).toBe(`127.0.0.1:${registry.port}`);
    expect(registry.url).toBe(`http://127.0.0.1:${registry.port}`);
    expect(registry.port < 15050 || registry.port > 15149).toBe(true);
    const res = await fetch(`${registry.url}/v2/`);
    expect(res.status).toBe(200);
    expect(existsSync(`${registry.dir}/config.yml`)).toBe(true);
  });

  it('pushes test images and returns the digests the registry serves', async () => {
    const pushed = await pushTestImages(registry, ['busybox']);
    expect(pushed).toEqual([
      {
        ref: `${registry.host}/test/busybox-static:1.35.0`,
        digest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/),
      },
    ]);
    const res = await fetch(
      `${registry.url}/v2/test/busybox-static/manifests/1.35.0`,
      { method: 'HEAD', headers: { accept: BUSYBOX_ACCEPT } },
    );
    expect(res.headers.get('docker-content-digest')).toBe(pushed[0]?.digest);
  });

  it('rejects unknown image names', async () => {
    await expect(pushTestImages(registry, ['nope'])).rejects.toThrow(
      /unknown image names \[nope\]/,
    );
  });

  it('reports the cache dir from OCI_TEST_CACHE', () => {
    expect(ociTestCache()).toBe(
      process.env['OCI_TEST_CACHE'] ?? '/tmp/oci-test-cache',
    );
  });
});

describe('registry harness with htpasswd auth', () => {
  it('requires the configured credentials and cleans up on stop', async () => {
    const auth = { username: 'alice', password: 'pa:ss word' };
    const registry = await startRegistry({ auth });
    try {
      expect((await fetch(`${registry.url}/v2/`)).status).toBe(401);
      const basic = Buffer.from(`${auth.username}:${auth.password}`).toString(
        'base64',
      );
      const res = await fetch(`${registry.url}/v2/`, {
        headers: { authorization: `Basic ${basic}` },
      });
      expect(res.status).toBe(200);
    } finally {
      await registry.stop();
    }
    expect(existsSync(registry.dir)).toBe(false);
    await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow();
  });
});

describe('freePort', () => {
  it('returns a bindable port outside the reserved range', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port < 15050 || port > 15099).toBe(true);
  });
});
