import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../log/create-logger.js';
import type { PullCredential } from '../../storage/ports.js';
import { CredentialsRefused, PullAuth } from './pull-auth.js';
import { hashSecret, verifySecret } from './secret-hash.js';

const request = (
  authorization?: string,
  host = 'customs.example:5000',
  url = '/token',
) => ({ url, headers: { authorization, host } }) as unknown as IncomingMessage;

async function tokenFrom(
  auth: PullAuth,
  authorization?: string,
  url = '/token',
): Promise<{ status: number; body: { token?: string } }> {
  let status = 0;
  let text = '';
  const res = {
    writeHead: (s: number) => {
      status = s;
      return res;
    },
    end: (b: Buffer) => {
      text = b.toString();
    },
  } as unknown as ServerResponse;
  await auth.serveToken(request(authorization, undefined, url), res);
  return { status, body: JSON.parse(text) as { token?: string } };
}

describe('PullAuth', async () => {
  const credential: PullCredential = {
    name: 'ci',
    kind: 'robot',
    secretHash: await hashSecret('s3cret-s3cret'),
    environment: 'prod',
    pushRepositories: ['team/*'],
    expiresAt: undefined,
    createdAt: '2026-01-01T00:00:00Z',
    revokedAt: undefined,
  };
  let clock = Date.parse('2026-06-01T00:00:00Z');
  const auth = (anonymous = true) =>
    new PullAuth({
      credentials: {
        find: (name) => Promise.resolve(name === 'ci' ? credential : undefined),
      },
      signingKey: 'k'.repeat(43),
      tokenTtlSeconds: 300,
      anonymous,
      publicUrl: undefined,
      // As the door does: `prod/…` names the prod environment.
      repositoryOf: (name) => name.replace(/^prod\//, ''),
      logger: createLogger({ level: 'silent' }),
      now: () => clock,
    });
  const basic = (secret: string) =>
    `Basic ${Buffer.from(`ci:${secret}`).toString('base64')}`;

  it('binds Basic credentials to their environment and refuses a wrong secret', async () => {
    expect(await auth().authenticate(request(basic('s3cret-s3cret')))).toEqual({
      bound: 'prod',
      name: 'ci',
      push: ['team/*'],
    });
    await expect(
      auth().authenticate(request(basic('nope'))),
    ).rejects.toBeInstanceOf(CredentialsRefused);
  });

  it('issues tokens that carry the binding and stop working at their expiry', async () => {
    const a = auth();
    const { status, body } = await tokenFrom(a, basic('s3cret-s3cret'));
    expect(status).toBe(200);
    expect(await a.authenticate(request(`Bearer ${body.token}`))).toEqual({
      bound: 'prod',
      name: 'ci',
      push: [],
    });
    clock += 301_000;
    await expect(
      a.authenticate(request(`Bearer ${body.token}`)),
    ).rejects.toThrow(/expired/);
  });

  it('grants push in a token only for asked repositories the credential may push to', async () => {
    const a = auth();
    const scopes = [
      'repository:prod/team/app:pull,push',
      'repository:team/lib:push',
      'repository:team/base:pull',
      'repository:other/app:pull,push',
      'repository:Bad:push',
    ];
    const url = `/token?service=customs&${scopes.map((s) => `scope=${encodeURIComponent(s)}`).join('&')}`;
    const { body } = await tokenFrom(a, basic('s3cret-s3cret'), url);
    expect(await a.authenticate(request(`Bearer ${body.token}`))).toEqual({
      bound: 'prod',
      name: 'ci',
      push: ['team/app', 'team/lib'],
    });
    const anonymous = await tokenFrom(a, undefined, url);
    expect(
      await a.authenticate(request(`Bearer ${anonymous.body.token}`)),
    ).toEqual({ bound: undefined, name: 'anonymous', push: [] });
  });

  it('issues anonymous tokens only while anonymous pulls are on', async () => {
    expect((await tokenFrom(auth(true))).status).toBe(200);
    expect((await tokenFrom(auth(false))).status).toBe(401);
    const anon = (await tokenFrom(auth(true))).body.token!;
    await expect(
      auth(false).authenticate(request(`Bearer ${anon}`)),
    ).rejects.toBeInstanceOf(CredentialsRefused);
  });

  it('names the token realm after the host the client used', () => {
    expect(auth().challenge(request())).toBe(
      'Bearer realm="http://customs.example:5000/token",service="customs"',
    );
    expect(auth().challenge(request(), 'repository:team/app:pull,push')).toBe(
      'Bearer realm="http://customs.example:5000/token",service="customs",scope="repository:team/app:pull,push"',
    );
  });
});

describe('secret hashes', () => {
  it('verify only the secret they were made from', async () => {
    const hash = await hashSecret('correct horse');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifySecret('correct horse', hash)).toBe(true);
    expect(await verifySecret('correct hors', hash)).toBe(false);
    expect(await verifySecret('x', 'plain')).toBe(false);
  });
});
