/**
 * Verification faults no real registry produces on demand (wrong bytes, a
 * cut-off body, oversized manifests, a HEAD without Docker-Content-Digest,
 * a storage redirect), served over real sockets by test/helpers/fault-server.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import {
  MANIFEST,
  REPO,
  manifestHeaders,
  scriptedUpstreams,
  sha256,
} from '../../../test/helpers/scripted-upstream.js';
import { MediaTypes } from '../../core/media-types.js';

const { fake, client } = scriptedUpstreams();

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

  it('refuses a redirect to a host that is not allowed, and follows it once allowed', async () => {
    const blob = Buffer.from('layer bytes');
    const storage = await fake((_req, res) =>
      res.writeHead(200, { 'content-length': blob.length }).end(blob),
    );
    // The upstream is reached as 127.0.0.1; the storage as "localhost".
    const elsewhere = storage.url.replace('127.0.0.1', 'localhost');
    const upstream = await fake((_req, res) =>
      res.writeHead(307, { location: `${elsewhere}/bucket/blob` }).end(),
    );
    await expect(
      client(upstream.url).getBlob(REPO, sha256(blob)),
    ).rejects.toMatchObject({
      code: 'UPSTREAM_BAD_RESPONSE',
      details: { redirectHost: new URL(elsewhere).host },
    });
    expect(storage.requests).toHaveLength(0);
    const { stream } = await client(upstream.url, {
      allowedHosts: ['localhost'],
    }).getBlob(REPO, sha256(blob));
    stream.resume();
    await new Promise((r) => stream.on('end', r));
    expect(storage.requests).toHaveLength(1);
  });

  it('keeps the Authorization won by a challenge on a same-origin redirect', async () => {
    const blob = Buffer.from('same-origin storage');
    const basic = `Basic ${Buffer.from('u:p').toString('base64')}`;
    const upstream = await fake((req, res) => {
      if (req.headers.authorization !== basic) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
      } else if (req.url?.startsWith('/v2/') === true) {
        res.writeHead(307, { location: '/storage/blob' }).end();
      } else {
        res.writeHead(200, { 'content-length': blob.length }).end(blob);
      }
    });
    const c = client(upstream.url, { username: 'u', password: 'p' });
    const { stream } = await c.getBlob(REPO, sha256(blob));
    stream.resume();
    await new Promise((resolve) => stream.on('end', resolve));
    expect(
      upstream.requests.map((r) => [
        r.url.split('/')[1],
        r.headers.authorization,
      ]),
    ).toEqual([
      ['v2', undefined],
      ['v2', basic],
      ['storage', basic],
    ]);
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
