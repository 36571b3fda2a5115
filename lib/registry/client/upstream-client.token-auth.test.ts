/**
 * The Docker token flow against a REAL docker-registry configured with
 * `auth: token`, trusting a test token server that signs real ES256 JWTs
 * (test/helpers/token-registry.ts). The registry itself validates every token.
 */
import { createHash } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImages } from '../../../test/helpers/registry.js';
import {
  startTokenAuthRegistry,
  TOKEN_SERVICE,
  type TokenAuthRegistry,
} from '../../../test/helpers/token-registry.js';
import type { Digest } from '../../core/digest.js';
import { UpstreamError } from '../../core/errors.js';
import {
  createUpstreamClient,
  type UpstreamClientOptions,
} from './upstream-client.js';

const logger = pino({ level: 'silent' });
const USER = 'alice';
const PASSWORD = 'wonderland-42';
const BUSYBOX = 'test/busybox-static';
const MULTIARCH = 'test/multiarch';
const scopeOf = (repo: string): string => `repository:${repo}:pull`;

async function withClient<T>(
  options: Omit<UpstreamClientOptions, 'logger'>,
  body: (client: ReturnType<typeof createUpstreamClient>) => Promise<T>,
): Promise<T> {
  const client = createUpstreamClient({ ...options, logger });
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}

describe('bearer token flow (x5c-signed tokens, `token` field)', () => {
  let peer: TokenAuthRegistry;
  let busyboxDigest: Digest;

  beforeAll(async () => {
    peer = await startTokenAuthRegistry({
      users: { [USER]: PASSWORD },
      anonymousPull: true,
      keyForm: 'x5c',
    });
    const pushed = await pushTestImages(
      peer.registry,
      ['busybox', 'multiarch'],
      { creds: `${USER}:${PASSWORD}` },
    );
    busyboxDigest = pushed[0]!.digest as Digest;
  });
  afterAll(async () => {
    await peer?.registry.stop();
  });

  const tokenRequests = (): typeof peer.tokenServer.requests =>
    peer.tokenServer.requests;

  it('fetches an anonymous token for the challenged scope and retries with it', async () => {
    await withClient({ url: peer.registry.url }, async (client) => {
      const before = tokenRequests().length;
      const manifest = await client.getManifest(BUSYBOX, '1.35.0');
      expect(manifest.digest).toBe(busyboxDigest);
      expect(tokenRequests().slice(before)).toEqual([
        {
          service: TOKEN_SERVICE,
          scopes: [scopeOf(BUSYBOX)],
          user: undefined,
          status: 200,
        },
      ]);
    });
  });

  it('caches the token per scope and fetches one per new repository', async () => {
    await withClient({ url: peer.registry.url }, async (client) => {
      const before = tokenRequests().length;
      const manifest = await client.getManifest(BUSYBOX, '1.35.0');
      await client.headManifest(BUSYBOX, busyboxDigest);
      const layer = (
        JSON.parse(manifest.body.toString()) as {
          layers: Array<{ digest: Digest }>;
        }
      ).layers[0]!;
      const { stream } = await client.getBlob(BUSYBOX, layer.digest);
      const hash = createHash('sha256');
      for await (const chunk of stream as AsyncIterable<Buffer>)
        hash.update(chunk);
      expect(`sha256:${hash.digest('hex')}`).toBe(layer.digest);
      expect(await client.headBlob(BUSYBOX, layer.digest)).toBeDefined();
      expect(tokenRequests().length - before).toBe(1);
      await client.getManifest(MULTIARCH, '1.0');
      await client.getManifest(MULTIARCH, '1.0');
      expect(
        tokenRequests()
          .slice(before)
          .map((r) => r.scopes),
      ).toEqual([[scopeOf(BUSYBOX)], [scopeOf(MULTIARCH)]]);
    });
  });

  it('shares one token fetch between concurrent requests of a scope', async () => {
    await withClient({ url: peer.registry.url }, async (client) => {
      await client.ping(); // learn that the registry wants bearer tokens
      const before = tokenRequests().length;
      const heads = await Promise.all(
        Array.from({ length: 8 }, () => client.headManifest(MULTIARCH, '1.0')),
      );
      expect(heads.every((h) => h !== undefined)).toBe(true);
      expect(tokenRequests().length - before).toBe(1);
    });
  });

  it('pings through the token flow with an unscoped token', async () => {
    await withClient({ url: peer.registry.url }, async (client) => {
      const before = tokenRequests().length;
      await client.ping();
      expect(tokenRequests().slice(before)).toEqual([
        { service: TOKEN_SERVICE, scopes: [], user: undefined, status: 200 },
      ]);
    });
  });

  it('sends the configured credentials to the token endpoint', async () => {
    await withClient(
      { url: peer.registry.url, username: USER, password: PASSWORD },
      async (client) => {
        const before = tokenRequests().length;
        expect((await client.getManifest(BUSYBOX, busyboxDigest)).digest).toBe(
          busyboxDigest,
        );
        expect(
          tokenRequests()
            .slice(before)
            .map((r) => r.user),
        ).toEqual([USER]);
      },
    );
  });

  it('fails with UPSTREAM_UNAUTHORIZED when the token endpoint refuses the password, leaking nothing', async () => {
    const wrong = 'not-wonderland';
    await withClient(
      { url: peer.registry.url, username: USER, password: wrong },
      async (client) => {
        const err = await client
          .getManifest(BUSYBOX, '1.35.0')
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UpstreamError);
        expect(err).toMatchObject({
          code: 'UPSTREAM_UNAUTHORIZED',
          details: {
            upstream: 401,
            tokenEndpoint: peer.tokenServer.realm,
            scope: scopeOf(BUSYBOX),
          },
        });
        expect(JSON.stringify(err) + String(err)).not.toContain(wrong);
      },
    );
  });

  it('refuses a token realm on a host that is not allowed', async () => {
    // Same registry reached as "localhost": its realm (127.0.0.1) is another host.
    const url = `http://localhost:${peer.registry.port}`;
    const before = tokenRequests().length;
    await withClient(
      { url, username: USER, password: PASSWORD },
      async (client) => {
        await expect(
          client.getManifest(BUSYBOX, '1.35.0'),
        ).rejects.toMatchObject({
          code: 'UPSTREAM_BAD_RESPONSE',
          details: { realmHost: new URL(peer.tokenServer.realm).host },
        });
      },
    );
    expect(tokenRequests().length).toBe(before);
  });

  it('withholds credentials from an allowed plain-http realm on another host', async () => {
    // Same registry reached as "localhost": its realm (127.0.0.1) is another host.
    const url = `http://localhost:${peer.registry.port}`;
    await withClient(
      { url, username: USER, password: PASSWORD, allowedHosts: ['127.0.0.1'] },
      async (client) => {
        const before = tokenRequests().length;
        await client.getManifest(BUSYBOX, '1.35.0');
        expect(
          tokenRequests()
            .slice(before)
            .map((r) => r.user),
        ).toEqual([undefined]);
      },
    );
  });

  it('sends a static token as is and reports UPSTREAM_UNAUTHORIZED when the registry refuses it', async () => {
    const realm = new URL(peer.tokenServer.realm);
    realm.search = new URLSearchParams({
      service: TOKEN_SERVICE,
      scope: scopeOf(BUSYBOX),
    }).toString();
    const { token } = (await (await fetch(realm)).json()) as { token: string };
    const before = tokenRequests().length;
    await withClient({ url: peer.registry.url, token }, async (client) => {
      expect((await client.getManifest(BUSYBOX, '1.35.0')).digest).toBe(
        busyboxDigest,
      );
      await expect(client.getManifest(MULTIARCH, '1.0')).rejects.toMatchObject({
        code: 'UPSTREAM_UNAUTHORIZED',
        details: {
          upstream: 401,
          wwwAuthenticate: expect.stringContaining('insufficient_scope'),
        },
      });
    });
    expect(tokenRequests().length - before).toBe(0); // the client never asked for one
  });
});

describe('bearer token flow (kid-signed tokens, `access_token` field, no anonymous pulls)', () => {
  let peer: TokenAuthRegistry;

  beforeAll(async () => {
    peer = await startTokenAuthRegistry({
      users: { [USER]: PASSWORD },
      anonymousPull: false,
      keyForm: 'kid',
      tokenField: 'access_token',
      expiresInSeconds: 300,
    });
    await pushTestImages(peer.registry, ['busybox'], {
      creds: `${USER}:${PASSWORD}`,
    });
  });
  afterAll(async () => {
    await peer?.registry.stop();
  });

  it('reads access_token and pulls with credentials', async () => {
    await withClient(
      { url: peer.registry.url, username: USER, password: PASSWORD },
      async (client) => {
        const head = await client.headManifest(BUSYBOX, '1.35.0');
        expect(head?.mediaType).toBe(
          'application/vnd.oci.image.manifest.v1+json',
        );
      },
    );
  });

  it('fails with UPSTREAM_UNAUTHORIZED when anonymous tokens are refused', async () => {
    await withClient({ url: peer.registry.url }, async (client) => {
      await expect(client.getManifest(BUSYBOX, '1.35.0')).rejects.toMatchObject(
        {
          code: 'UPSTREAM_UNAUTHORIZED',
          details: { upstream: 401 },
        },
      );
    });
  });
});
