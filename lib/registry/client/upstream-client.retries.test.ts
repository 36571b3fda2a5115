/**
 * Retry, timeout, abort and status-mapping behaviour against scripted
 * upstreams (test/helpers/fault-server), over real sockets.
 */
import { describe, expect, it } from 'vitest';
import {
  MANIFEST,
  REPO,
  manifestHeaders,
  scriptedUpstreams,
  sha256,
} from '../../../test/helpers/scripted-upstream.js';

const { fake, client } = scriptedUpstreams();

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
    expect((err as Error).name).toBe('AbortError');
    expect(upstream.requests).toHaveLength(1);
  });

  it('ends a blob stream with the abort error when the caller aborts mid-body', async () => {
    const upstream = await fake((_req, res) => {
      res.writeHead(200, { 'content-length': 1_000_000 });
      res.write(Buffer.alloc(1000));
    });
    const controller = new AbortController();
    const { stream } = await client(upstream.url).getBlob(
      REPO,
      sha256('never complete'),
      { signal: controller.signal },
    );
    stream.once('data', () => controller.abort());
    const err = await new Promise((resolve) => {
      stream.on('error', resolve);
      stream.resume();
    });
    expect((err as Error).name).toBe('AbortError');
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
