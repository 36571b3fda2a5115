/**
 * The client against a REAL docker-registry with htpasswd (Basic) auth.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pushTestImages,
  startRegistry,
  type RegistryHandle,
} from '../../../test/helpers/registry.js';
import type { Digest } from '../../core/digest.js';
import { UpstreamError } from '../../core/errors.js';
import { createUpstreamClient } from './upstream-client.js';

const USER = 'customs-reader';
const PASSWORD = 'correct horse:battery';
const REPO = 'test/busybox-static';

let registry: RegistryHandle;
let digest: Digest;

beforeAll(async () => {
  registry = await startRegistry({
    auth: { username: USER, password: PASSWORD },
  });
  const [pushed] = await pushTestImages(registry, ['busybox'], {
    creds: `${USER}:${PASSWORD}`,
  });
  digest = pushed!.digest as Digest;
});

afterAll(async () => {
  await registry?.stop();
});

/** A logger that keeps every line, to check what reaches the logs. */
function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { logger: pino({ level: 'trace' }, sink), lines };
}

describe('upstream client with Basic auth', () => {
  it('answers the Basic challenge with the configured credentials', async () => {
    const { logger } = capturingLogger();
    const client = createUpstreamClient({
      url: registry.url,
      username: USER,
      password: PASSWORD,
      logger,
    });
    try {
      await client.ping();
      const manifest = await client.getManifest(REPO, '1.35.0');
      expect(manifest.digest).toBe(digest);
      const layer = (
        JSON.parse(manifest.body.toString()) as {
          layers: Array<{ digest: Digest }>;
        }
      ).layers[0]!;
      const { stream } = await client.getBlob(REPO, layer.digest);
      const hash = createHash('sha256');
      for await (const chunk of stream as AsyncIterable<Buffer>)
        hash.update(chunk);
      expect(`sha256:${hash.digest('hex')}`).toBe(layer.digest);
      expect(await client.headManifest(REPO, digest)).toMatchObject({ digest });
    } finally {
      await client.close();
    }
  });

  it('fails with UPSTREAM_UNAUTHORIZED for a wrong password, keeping the challenge and no secret', async () => {
    const { logger, lines } = capturingLogger();
    const wrong = 'not-the-password';
    const client = createUpstreamClient({
      url: registry.url,
      username: USER,
      password: wrong,
      logger,
    });
    const err = await client
      .getManifest(REPO, '1.35.0')
      .catch((e: unknown) => e);
    await client.close();
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({
      code: 'UPSTREAM_UNAUTHORIZED',
      details: {
        upstream: 401,
        wwwAuthenticate: 'Basic realm="test-registry"',
      },
    });
    const exposed = [
      JSON.stringify(err),
      String(err),
      (err as Error).stack ?? '',
      ...lines,
    ].join('\n');
    for (const secret of [
      wrong,
      Buffer.from(`${USER}:${wrong}`).toString('base64'),
    ]) {
      expect(exposed).not.toContain(secret);
    }
  });

  it('fails with UPSTREAM_UNAUTHORIZED without credentials', async () => {
    const client = createUpstreamClient({
      url: registry.url,
      logger: pino({ level: 'silent' }),
    });
    await expect(client.headManifest(REPO, '1.35.0')).rejects.toMatchObject({
      code: 'UPSTREAM_UNAUTHORIZED',
      details: { upstream: 401 },
    });
    await client.close();
  });
});
