/**
 * The client against a REAL anonymous docker-registry with real test images
 * (test/helpers/registry.ts).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  pushTestImages,
  startRegistry,
  type RegistryHandle,
} from '../../../test/helpers/registry.js';
import type { Digest } from '../../core/digest.js';
import { ReferenceError, UpstreamError } from '../../core/errors.js';
import { MediaTypes } from '../../core/media-types.js';
import {
  createUpstreamClient,
  type UpstreamClient,
} from './upstream-client.js';

const logger = pino({ level: 'silent' });
const BUSYBOX = 'test/busybox-static';
const MULTIARCH = 'test/multiarch';

interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
}

let registry: RegistryHandle;
let client: UpstreamClient;
const digests = new Map<string, Digest>();

beforeAll(async () => {
  registry = await startRegistry();
  const pushed = await pushTestImages(registry, [
    'busybox',
    'busybox-v2s2',
    'multiarch',
  ]);
  for (const { ref, digest } of pushed) {
    digests.set(ref.slice(registry.host.length + 1), digest as Digest);
  }
  client = createUpstreamClient({ url: registry.url, logger });
});

afterAll(async () => {
  await client?.close();
  await registry?.stop();
});

function digestOf(ref: string): Digest {
  const digest = digests.get(ref);
  if (digest === undefined) throw new Error(`${ref} was not pushed`);
  return digest;
}

function sha256(bytes: Buffer): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('getManifest', () => {
  it('reads an OCI manifest by tag, verified against Docker-Content-Digest', async () => {
    const result = await client.getManifest(BUSYBOX, '1.35.0');
    expect(result.digest).toBe(digestOf(`${BUSYBOX}:1.35.0`));
    expect(result.mediaType).toBe(MediaTypes.ociManifest);
    expect(sha256(result.body)).toBe(result.digest);
    expect(JSON.parse(result.body.toString()).layers).toHaveLength(1);
  });

  it('reads an OCI manifest by digest', async () => {
    const digest = digestOf(`${BUSYBOX}:1.35.0`);
    const result = await client.getManifest(BUSYBOX, digest);
    expect({ digest: result.digest, mediaType: result.mediaType }).toEqual({
      digest,
      mediaType: MediaTypes.ociManifest,
    });
    expect(sha256(result.body)).toBe(digest);
  });

  it('reads a Docker schema 2 manifest by tag and by digest', async () => {
    const digest = digestOf(`${BUSYBOX}:1.35.0-v2s2`);
    const byTag = await client.getManifest(BUSYBOX, '1.35.0-v2s2');
    const byDigest = await client.getManifest(BUSYBOX, digest);
    expect(byTag.digest).toBe(digest);
    expect(byTag.mediaType).toBe(MediaTypes.dockerManifest);
    expect(byDigest.body.equals(byTag.body)).toBe(true);
  });

  it('reads an OCI index and the platform manifests it lists', async () => {
    const index = await client.getManifest(MULTIARCH, '1.0');
    expect(index.digest).toBe(digestOf(`${MULTIARCH}:1.0`));
    expect(index.mediaType).toBe(MediaTypes.ociIndex);
    const { manifests } = JSON.parse(index.body.toString()) as {
      manifests: Descriptor[];
    };
    expect(manifests).toHaveLength(2);
    for (const descriptor of manifests) {
      const child = await client.getManifest(MULTIARCH, descriptor.digest);
      expect(child.body.length).toBe(descriptor.size);
      expect(child.mediaType).toBe(MediaTypes.ociManifest);
    }
  });

  it('fails with UPSTREAM_NOT_FOUND (details.upstream 404) for a missing tag or repository', async () => {
    await expect(
      client.getManifest(BUSYBOX, 'no-such-tag'),
    ).rejects.toMatchObject({
      name: 'UpstreamError',
      code: 'UPSTREAM_NOT_FOUND',
      details: { upstream: 404, repository: BUSYBOX, reference: 'no-such-tag' },
    });
    await expect(
      client.getManifest('test/nothing-here', 'latest'),
    ).rejects.toMatchObject({
      code: 'UPSTREAM_NOT_FOUND',
    });
  });

  it('rejects invalid names and references before any request', async () => {
    await expect(client.getManifest('../etc', 'latest')).rejects.toBeInstanceOf(
      ReferenceError,
    );
    await expect(
      client.getManifest(BUSYBOX, 'sha256:zz'),
    ).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    await expect(client.getManifest(BUSYBOX, 'a/b')).rejects.toMatchObject({
      code: 'REFERENCE_INVALID',
    });
  });
});

describe('headManifest', () => {
  it('reports digest, media type and size by tag and by digest', async () => {
    const digest = digestOf(`${BUSYBOX}:1.35.0`);
    const { body } = await client.getManifest(BUSYBOX, digest);
    const expected = {
      digest,
      mediaType: MediaTypes.ociManifest,
      size: body.length,
    };
    expect(await client.headManifest(BUSYBOX, '1.35.0')).toEqual(expected);
    expect(await client.headManifest(BUSYBOX, digest)).toEqual(expected);
  });

  it('reports an index', async () => {
    const head = await client.headManifest(MULTIARCH, '1.0');
    expect(head).toMatchObject({
      digest: digestOf(`${MULTIARCH}:1.0`),
      mediaType: MediaTypes.ociIndex,
    });
  });

  it('returns undefined for a missing manifest', async () => {
    expect(await client.headManifest(BUSYBOX, 'no-such-tag')).toBeUndefined();
    const missing = `sha256:${'0'.repeat(64)}` as Digest;
    expect(await client.headManifest(BUSYBOX, missing)).toBeUndefined();
  });
});

describe('blobs', () => {
  async function layersOf(ref: string): Promise<Descriptor[]> {
    const { body } = await client.getManifest(
      ref.split(':')[0]!,
      ref.split(':')[1]!,
    );
    const manifest = JSON.parse(body.toString()) as {
      config: Descriptor;
      layers: Descriptor[];
    };
    return [manifest.config, ...manifest.layers];
  }

  it('streams layer and config blobs whose bytes hash to their digest', async () => {
    for (const descriptor of await layersOf(`${BUSYBOX}:1.35.0`)) {
      const { size, stream } = await client.getBlob(BUSYBOX, descriptor.digest);
      const bytes = await collect(stream);
      expect(size).toBe(descriptor.size);
      expect(bytes.length).toBe(descriptor.size);
      expect(sha256(bytes)).toBe(descriptor.digest);
    }
  });

  it('serves many concurrent blob reads over the pool', async () => {
    const [config, layer] = await layersOf(`${BUSYBOX}:1.35.0`);
    const reads = Array.from({ length: 12 }, async (_, i) => {
      const descriptor = i % 2 === 0 ? layer! : config!;
      const { stream } = await client.getBlob(BUSYBOX, descriptor.digest);
      return sha256(await collect(stream)) === descriptor.digest;
    });
    expect(await Promise.all(reads)).toEqual(Array(12).fill(true));
  });

  it('keeps working after a consumer destroys a blob stream early', async () => {
    const [, layer] = await layersOf(`${BUSYBOX}:1.35.0`);
    const first = await client.getBlob(BUSYBOX, layer!.digest);
    first.stream.destroy();
    const second = await client.getBlob(BUSYBOX, layer!.digest);
    expect(sha256(await collect(second.stream))).toBe(layer!.digest);
  });

  it('reports blob sizes with HEAD and undefined for a missing blob', async () => {
    const [, layer] = await layersOf(`${BUSYBOX}:1.35.0`);
    expect(await client.headBlob(BUSYBOX, layer!.digest)).toEqual({
      size: layer!.size,
    });
    const missing = `sha256:${'1'.repeat(64)}` as Digest;
    expect(await client.headBlob(BUSYBOX, missing)).toBeUndefined();
    await expect(client.getBlob(BUSYBOX, missing)).rejects.toMatchObject({
      code: 'UPSTREAM_NOT_FOUND',
      details: { upstream: 404, digest: missing },
    });
  });
});

describe('ping and unreachable upstreams', () => {
  it('pings an anonymous registry', async () => {
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it('fails fast with UPSTREAM_UNAVAILABLE when nothing listens', async () => {
    const port = await freePort(); // closed again: connections are refused
    const down = createUpstreamClient({
      url: `http://127.0.0.1:${port}`,
      logger,
    });
    const started = performance.now();
    const err = await down
      .getManifest(BUSYBOX, '1.35.0')
      .catch((e: unknown) => e);
    const elapsedMs = performance.now() - started;
    await down.close();
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      details: { upstream: 'ECONNREFUSED', attempts: 3 },
    });
    expect(elapsedMs).toBeLessThan(2_000);
  });

  it('fails with UPSTREAM_UNAVAILABLE after close()', async () => {
    const closed = createUpstreamClient({ url: registry.url, logger });
    await closed.close();
    await expect(closed.ping()).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
  });
});
