/**
 * Forwarded writes (pass-through) against REAL docker-registries that need
 * credentials, Basic and the Docker token flow: the first request of a
 * client carries a body, which cannot be sent twice, so the client must
 * learn the registry's scheme before sending it.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startRegistry,
  type RegistryHandle,
} from '../../../test/helpers/registry.js';
import { startTokenAuthRegistry } from '../../../test/helpers/token-registry.js';
import type { Digest } from '../../core/digest.js';
import { UpstreamError } from '../../core/errors.js';
import {
  createUpstreamClient,
  type UpstreamClient,
  type UpstreamClientOptions,
} from './upstream-client.js';

const USER = 'pusher';
const PASSWORD = 'correct horse:battery';
const REPO = 'team/app';
const logger = pino({ level: 'silent' });

const sha256 = (data: Buffer): Digest =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** `rest` and `query` of the upload Location the registry sent. */
function uploadAt(location: string): { rest: string; query: string } {
  const url = new URL(location, 'http://registry');
  return {
    rest: url.pathname.slice(`/v2/${REPO}/`.length),
    query: url.search.slice(1),
  };
}

/** Starts with a body, PATCHes the rest, closes with PUT; returns the digest. */
async function chunkedUpload(client: UpstreamClient): Promise<Digest> {
  const blob = Buffer.from('0123456789'.repeat(1000));
  const first = blob.subarray(0, 4000);
  const start = await client.forwardWrite({
    method: 'POST',
    repository: REPO,
    rest: 'blobs/uploads/',
    query: '',
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': '0',
    },
  });
  expect(start.status).toBe(202);
  start.body.resume();
  let at = uploadAt(String(start.headers['location']));
  for (const [from, to] of [
    [0, first.length],
    [first.length, blob.length],
  ] as const) {
    const patch = await client.forwardWrite({
      method: 'PATCH',
      repository: REPO,
      ...at,
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(to - from),
        'content-range': `${from}-${to - 1}`,
      },
      body: Readable.from([blob.subarray(from, to)]),
    });
    expect(patch.status).toBe(202);
    expect(patch.headers['range']).toBe(`0-${to - 1}`);
    patch.body.resume();
    at = uploadAt(String(patch.headers['location']));
  }
  const digest = sha256(blob);
  const close = await client.forwardWrite({
    method: 'PUT',
    repository: REPO,
    rest: at.rest,
    query: `${at.query}&digest=${digest}`,
    headers: {},
  });
  expect(close.status).toBe(201);
  close.body.resume();
  const stored = await client.getBlob(REPO, digest);
  const chunks: Buffer[] = [];
  for await (const c of stored.stream) chunks.push(c as Buffer);
  expect(Buffer.concat(chunks)).toEqual(blob);
  return digest;
}

/** A manifest PUT whose body is sent on the client's very first request. */
async function putManifestFirst(client: UpstreamClient): Promise<unknown> {
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${'0'.repeat(64)}`,
        size: 2,
      },
      layers: [],
    }),
  );
  return client
    .forwardWrite({
      method: 'PUT',
      repository: REPO,
      rest: 'manifests/v1',
      query: '',
      headers: {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        'content-length': String(manifest.length),
      },
      body: Readable.from([manifest]),
    })
    .catch((err: unknown) => err);
}

function describeWrites(
  name: string,
  start: () => Promise<{ registry: RegistryHandle }>,
): void {
  describe(`forwarded writes to a registry with ${name}`, () => {
    let registry: RegistryHandle;
    const client = (o: Partial<UpstreamClientOptions> = {}) =>
      createUpstreamClient({
        url: registry.url,
        username: USER,
        password: PASSWORD,
        logger,
        ...o,
      });
    beforeAll(async () => {
      ({ registry } = await start());
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it('authenticates before the first body, and keeps a chunked upload together', async () => {
      const c = client();
      try {
        // The registry's own OCI error, not a 401: the credentials went first.
        const refused = await putManifestFirst(c);
        expect(refused).toBeInstanceOf(UpstreamError);
        expect(refused).toMatchObject({
          code: 'UPSTREAM_REFUSED',
          details: { upstream: 400, ociCode: 'MANIFEST_BLOB_UNKNOWN' },
        });
        await chunkedUpload(c);
      } finally {
        await c.close();
      }
    });

    it('reports refused credentials as UPSTREAM_UNAUTHORIZED', async () => {
      const c = client({ password: 'wrong' });
      try {
        await expect(putManifestFirst(c)).resolves.toMatchObject({
          code: 'UPSTREAM_UNAUTHORIZED',
          details: { upstream: 401 },
        });
      } finally {
        await c.close();
      }
    });
  });
}

describeWrites('Basic auth', async () => ({
  registry: await startRegistry({
    auth: { username: USER, password: PASSWORD },
  }),
}));
describeWrites('the token flow', () =>
  startTokenAuthRegistry({
    users: { [USER]: PASSWORD },
    anonymousPull: false,
  }),
);
