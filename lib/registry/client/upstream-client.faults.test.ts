/**
 * Faults no real registry produces on demand (wrong bytes, 5xx, 403, stalls,
 * redirects, a HEAD without Docker-Content-Digest), served by small
 * node:http servers over real sockets.
 */
import { createHash } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Digest } from '../../core/digest.js';
import { MediaTypes } from '../../core/media-types.js';
import {
  createUpstreamClient,
  type UpstreamClient,
  type UpstreamClientOptions,
} from './upstream-client.js';

const logger = pino({ level: 'silent' });
const REPO = 'library/app';

interface FakeRegistry {
  url: string;
  requests: Array<{
    method: string;
    url: string;
    headers: IncomingHttpHeaders;
  }>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(
  handler: (req: IncomingMessage, res: ServerResponse, n: number) => void,
): Promise<FakeRegistry> {
  const requests: FakeRegistry['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
    });
    handler(req, res, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
  };
}

function client(
  url: string,
  options: Partial<UpstreamClientOptions> = {},
): UpstreamClient {
  const c = createUpstreamClient({ url, logger, ...options });
  cleanups.push(() => c.close());
  return c;
}

function sha256(bytes: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    layers: [],
  }),
);
const manifestHeaders = {
  'content-type': MediaTypes.ociManifest,
  'docker-content-digest': sha256(MANIFEST),
};

describe('getBlob digest verification', () => {
  it('errors at the end with UPSTREAM_DIGEST_MISMATCH instead of ending when bytes are wrong', async () => {
    const wanted = Buffer.alloc(300_000, 'a');
    const served = Buffer.alloc(300_000, 'b');
    const upstream = await fake((_req, res) =>
      res.writeHead(200, { 'content-length': served.length }).end(served),
    );
    const { size, stream } = await client(upstream.url).getBlob(
      REPO,
      sha256(wanted),
    );
    expect(size).toBe(served.length);
    let received = 0;
    let ended = false;
    stream.on('end', () => (ended = true));
    const sink = new Writable({
      write: (chunk: Buffer, _e, cb) => ((received += chunk.length), cb()),
    });
    await expect(pipeline(stream, sink)).rejects.toMatchObject({
      name: 'UpstreamError',
      code: 'UPSTREAM_DIGEST_MISMATCH',
      details: {
        upstream: 200,
        expected: sha256(wanted),
        actual: sha256(served),
        receivedBytes: served.length,
      },
    });
    expect(ended).toBe(false);
    expect(received).toBeLessThanOrEqual(served.length);
  });

  it('errors with UPSTREAM_UNAVAILABLE when the body is cut short', async () => {
    const blob = Buffer.alloc(100_000, 'c');
    const upstream = await fake((_req, res) => {
      res.writeHead(200, { 'content-length': blob.length });
      res.write(blob.subarray(0, 40_000), () => res.destroy());
    });
    const { stream } = await client(upstream.url).getBlob(REPO, sha256(blob));
    await expect(
      pipeline(stream, new Writable({ write: (_c, _e, cb) => cb() })),
    ).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
  });

  it('follows a redirect to storage without sending our Authorization there', async () => {
    const blob = Buffer.from('layer bytes');
    const storage = await fake((_req, res) =>
      res.writeHead(200, { 'content-length': blob.length }).end(blob),
    );
    const upstream = await fake((_req, res) =>
      res
        .writeHead(307, {
          location: `${storage.url}/bucket/blob?X-Amz-Signature=abc`,
        })
        .end(),
    );
    const { stream } = await client(upstream.url, {
      token: 'static-secret',
    }).getBlob(REPO, sha256(blob));
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>)
      chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(blob)).toBe(true);
    expect(upstream.requests[0]?.headers.authorization).toBe(
      'Bearer static-secret',
    );
    expect(storage.requests[0]?.url).toBe('/bucket/blob?X-Amz-Signature=abc');
    expect(storage.requests[0]?.headers.authorization).toBeUndefined();
  });
});

describe('getManifest verification and limits', () => {
  it('fails with UPSTREAM_DIGEST_MISMATCH when a manifest fetched by digest has other bytes', async () => {
    const upstream = await fake((_req, res) =>
      res.writeHead(200, manifestHeaders).end(MANIFEST),
    );
    const wanted = sha256('something else');
    await expect(
      client(upstream.url).getManifest(REPO, wanted),
    ).rejects.toMatchObject({
      code: 'UPSTREAM_DIGEST_MISMATCH',
      details: { upstream: 200, expected: wanted, actual: sha256(MANIFEST) },
    });
  });

  it('fails with UPSTREAM_DIGEST_MISMATCH when a tag body does not match Docker-Content-Digest', async () => {
    const announced = sha256('announced');
    const upstream = await fake((_req, res) =>
      res
        .writeHead(200, {
          ...manifestHeaders,
          'docker-content-digest': announced,
        })
        .end(MANIFEST),
    );
    await expect(
      client(upstream.url).getManifest(REPO, 'latest'),
    ).rejects.toMatchObject({
      code: 'UPSTREAM_DIGEST_MISMATCH',
      details: { expected: announced, actual: sha256(MANIFEST) },
    });
  });

  it('computes the digest of a tag when the registry sends none, and sends the default Accept', async () => {
    const upstream = await fake((_req, res) =>
      res
        .writeHead(200, {
          'content-type': `${MediaTypes.ociManifest}; charset=utf-8`,
        })
        .end(MANIFEST),
    );
    const result = await client(upstream.url).getManifest(REPO, 'latest');
    expect(result).toEqual({
      digest: sha256(MANIFEST),
      mediaType: MediaTypes.ociManifest,
      body: MANIFEST,
    });
    expect(upstream.requests[0]?.headers.accept).toBe(
      [
        MediaTypes.ociIndex,
        MediaTypes.ociManifest,
        MediaTypes.dockerManifestList,
        MediaTypes.dockerManifest,
      ].join(', '),
    );
  });

  it('fails with UPSTREAM_TOO_LARGE by Content-Length and by counted bytes', async () => {
    const big = Buffer.alloc(2048, ' ');
    const byLength = await fake((_req, res) =>
      res.writeHead(200, manifestHeaders).end(big),
    );
    const chunked = await fake((_req, res) => {
      res.writeHead(200, manifestHeaders);
      res.write(big.subarray(0, 1024));
      res.end(big.subarray(1024));
    });
    for (const upstream of [byLength, chunked]) {
      await expect(
        client(upstream.url, { maxManifestBytes: 1000 }).getManifest(
          REPO,
          'latest',
        ),
      ).rejects.toMatchObject({
        code: 'UPSTREAM_TOO_LARGE',
        details: { limit: 1000 },
      });
    }
  });

  it('falls back to GET when HEAD carries no Docker-Content-Digest', async () => {
    const upstream = await fake((req, res) =>
      res
        .writeHead(200, {
          'content-type': MediaTypes.ociManifest,
          'content-length': MANIFEST.length,
        })
        .end(req.method === 'HEAD' ? undefined : MANIFEST),
    );
    const head = await client(upstream.url).headManifest(REPO, 'latest');
    expect(head).toEqual({
      digest: sha256(MANIFEST),
      mediaType: MediaTypes.ociManifest,
      size: MANIFEST.length,
    });
    expect(upstream.requests.map((r) => r.method)).toEqual(['HEAD', 'GET']);
  });
});

describe('retries and status mapping', () => {
  it('retries 503 and succeeds, honouring Retry-After', async () => {
    const upstream = await fake((_req, res, n) => {
      if (n === 1) res.writeHead(503, { 'retry-after': '1' }).end();
      else res.writeHead(200, manifestHeaders).end(MANIFEST);
    });
    const started = performance.now();
    const result = await client(upstream.url).getManifest(REPO, 'latest');
    expect(result.digest).toBe(sha256(MANIFEST));
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(upstream.requests).toHaveLength(2);
  });

  it('gives up after `retries` with UPSTREAM_UNAVAILABLE and the last status', async () => {
    const upstream = await fake((_req, res) => res.writeHead(500).end('boom'));
    await expect(
      client(upstream.url).getManifest(REPO, 'latest'),
    ).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      details: { upstream: 500, attempts: 3 },
    });
    expect(upstream.requests).toHaveLength(3);
    const once = await fake((_req, res) => res.writeHead(502).end());
    await expect(
      client(once.url, { retries: 0 }).headBlob(REPO, sha256('x')),
    ).rejects.toMatchObject({
      details: { upstream: 502, attempts: 1 },
    });
    expect(once.requests).toHaveLength(1);
  });

  it('does not wait out a long Retry-After and reports it', async () => {
    const upstream = await fake((_req, res) =>
      res.writeHead(429, { 'retry-after': '120' }).end(),
    );
    await expect(client(upstream.url).ping()).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      details: { upstream: 429, retryAfterMs: 120_000, attempts: 1 },
    });
  });

  it.each([
    [403, 'UPSTREAM_DENIED'],
    [400, 'UPSTREAM_BAD_RESPONSE'],
    [405, 'UPSTREAM_BAD_RESPONSE'],
  ])('maps %i to %s without retrying', async (status, code) => {
    const upstream = await fake((_req, res) =>
      res.writeHead(status).end('{"errors":[]}'),
    );
    await expect(
      client(upstream.url).getManifest(REPO, 'latest'),
    ).rejects.toMatchObject({
      code,
      details: { upstream: status, repository: REPO, reference: 'latest' },
    });
    expect(upstream.requests).toHaveLength(1);
  });

  it('times out a stalled upstream with UPSTREAM_UNAVAILABLE', async () => {
    const upstream = await fake(() => undefined); // never answers
    await expect(
      client(upstream.url, { timeoutMs: 200, retries: 0 }).ping(),
    ).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      details: { upstream: 'UND_ERR_HEADERS_TIMEOUT' },
    });
  });

  it('stops at once when the caller aborts, without retrying', async () => {
    const upstream = await fake(() => undefined);
    const controller = new AbortController();
    const pending = client(upstream.url).getManifest(REPO, 'latest', {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).not.toBe('UpstreamError');
    expect(upstream.requests).toHaveLength(1);
  });
});

describe('Basic challenge learning', () => {
  it('answers the first challenge, then sends Basic up front', async () => {
    const expected = `Basic ${Buffer.from('u:p').toString('base64')}`;
    const upstream = await fake((req, res) => {
      if (req.headers.authorization === expected) res.writeHead(200).end('{}');
      else
        res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' }).end();
    });
    const c = client(upstream.url, { username: 'u', password: 'p' });
    await c.ping();
    await c.ping();
    expect(upstream.requests.map((r) => r.headers.authorization)).toEqual([
      undefined,
      expected,
      expected,
    ]);
  });
});
