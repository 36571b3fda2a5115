import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashAdminToken } from '../../lib/access/admin-tokens.js';
import { configSchema } from '../../lib/config/schema.js';
import { createLogger } from '../../lib/log/create-logger.js';
import { createApp } from '../../services/customs/app.js';
import { buildDeps, type Deps } from '../../services/customs/deps.js';

const LOCAL = 'l'.repeat(32);
const BOOTSTRAP = 'bootstrap-token-of-the-test';

describe('admin API access: tokens with roles', () => {
  let work: string;
  let deps: Deps;
  let app: ReturnType<typeof createApp>;
  const tokens: Record<string, string> = {};

  const as = (token: string | undefined) => ({
    get: (path: string) => auth(supertest(app).get(path), token),
    post: (path: string, body: object) =>
      auth(supertest(app).post(path), token).send(body),
    delete: (path: string) => auth(supertest(app).delete(path), token),
  });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-admin-auth-'));
    const config = configSchema.parse({
      version: 1,
      dataDir: work,
      upstream: { url: 'http://127.0.0.1:9' },
      admin: { bootstrapToken: BOOTSTRAP },
      log: { level: 'silent' },
    });
    deps = await buildDeps(config, createLogger({ level: 'silent' }), {
      work: false,
    });
    app = createApp(deps, { localToken: LOCAL });
    for (const role of ['viewer', 'operator', 'admin']) {
      const res = await as(LOCAL).post('/api/v1/admin-tokens', {
        name: `${role}-1`,
        role,
        expiresIn: '30d',
      });
      expect(res.status).toBe(201);
      tokens[role] = (res.body as { token: string }).token;
    }
  });
  afterAll(async () => {
    await deps?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses every /api/v1 call without a valid token with 401 UNAUTHORIZED', async () => {
    for (const path of [
      '/api/v1/vulndb',
      '/api/v1/whoami',
      `/api/v1/images/a/b@sha256:${'0'.repeat(64)}`,
      '/api/v1/admin-tokens',
      '/api/v1/pull-credentials',
    ]) {
      for (const token of [undefined, 'not-a-token']) {
        const res = await as(token).get(path);
        expect(res.status, `${path} with ${token}`).toBe(401);
        expect(res.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      }
    }
    const post = await as(undefined).post('/api/v1/admin-tokens', {
      name: 'x',
      role: 'admin',
    });
    expect(post.status).toBe(401);
  });

  it('tells each token who it is', async () => {
    for (const role of ['viewer', 'operator', 'admin']) {
      const res = await as(tokens[role]).get('/api/v1/whoami');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ name: `${role}-1`, role });
    }
    expect((await as(LOCAL).get('/api/v1/whoami')).body).toEqual({
      name: 'local-cli',
      role: 'admin',
    });
    expect((await as(BOOTSTRAP).get('/api/v1/whoami')).body).toEqual({
      name: 'bootstrap',
      role: 'admin',
    });
  });

  it('lets viewers read and refuses them (and operators) admin writes with 403 FORBIDDEN', async () => {
    expect((await as(tokens.viewer).get('/api/v1/vulndb')).status).toBe(200);
    for (const role of ['viewer', 'operator']) {
      const res = await as(tokens[role]).post('/api/v1/admin-tokens', {
        name: `made-by-${role}`,
        role: 'admin',
      });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
      expect((await as(tokens[role]).get('/api/v1/admin-tokens')).status).toBe(
        403,
      );
      expect(
        (await as(tokens[role]).get('/api/v1/pull-credentials')).status,
      ).toBe(403);
    }
    const listed = await as(tokens.admin).get('/api/v1/admin-tokens');
    expect(listed.status).toBe(200);
    const names = (listed.body as { tokens: Array<{ name: string }> }).tokens;
    expect(names.map((t) => t.name)).toEqual([
      'admin-1',
      'operator-1',
      'viewer-1',
    ]);
    expect(JSON.stringify(listed.body)).not.toContain('tokenHash');
  });

  it('refuses expired and revoked tokens', async () => {
    await deps.stores.adminTokens.create({
      name: 'old',
      role: 'admin',
      tokenHash: hashAdminToken('old-token'),
      createdBy: 'test',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    const expired = await as('old-token').get('/api/v1/whoami');
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({
      error: {
        code: 'UNAUTHORIZED',
        message: expect.stringContaining('expired') as string,
      },
    });
    const made = await as(tokens.admin).post('/api/v1/admin-tokens', {
      name: 'short-lived',
      role: 'viewer',
    });
    const token = (made.body as { token: string }).token;
    expect((await as(token).get('/api/v1/whoami')).status).toBe(200);
    expect(
      (await as(tokens.admin).delete('/api/v1/admin-tokens/short-lived'))
        .status,
    ).toBe(204);
    expect((await as(token).get('/api/v1/whoami')).status).toBe(401);
    expect(
      (await as(tokens.admin).delete('/api/v1/admin-tokens/nobody')).status,
    ).toBe(404);
  });

  it('answers a bad token request with 400 BODY_INVALID naming the field', async () => {
    const res = await as(tokens.admin).post('/api/v1/admin-tokens', {
      name: 'x',
      role: 'root',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: {
        code: 'BODY_INVALID',
        details: { problems: [expect.stringMatching(/^role: /) as string] },
      },
    });
    const dup = await as(tokens.admin).post('/api/v1/admin-tokens', {
      name: 'admin-1',
      role: 'viewer',
    });
    expect(dup.status).toBe(400);
    const past = await as(tokens.admin).post('/api/v1/admin-tokens', {
      name: 'past',
      role: 'viewer',
      expiresIn: '2001-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);
  });

  it('audits token creation and revocation with the actor', async () => {
    const { entries } = await deps.stores.audit.query({
      limit: 100,
      action: 'admin-token.create',
    });
    expect(entries.map((e) => [e.actor, e.target]).reverse()).toEqual(
      expect.arrayContaining([
        ['local-cli', 'admin-token/viewer-1'],
        ['admin-1', 'admin-token/short-lived'],
      ]),
    );
    const pull = await as(tokens.admin).post('/api/v1/pull-credentials', {
      name: 'ci',
      environment: 'prod',
      push: ['team/*'],
    });
    expect(pull.status).toBe(201);
    expect(pull.body).toMatchObject({ name: 'ci', push: ['team/*'] });
    expect(
      (await deps.stores.audit.query({ limit: 1, actor: 'admin-1' }))
        .entries[0],
    ).toMatchObject({
      action: 'pull-credential.create',
      target: 'pull-credential/ci',
      after: { environment: 'prod', push: ['team/*'] },
    });
    const badPush = await as(tokens.admin).post('/api/v1/pull-credentials', {
      name: 'ci-2',
      environment: 'prod',
      push: ['team/'],
    });
    expect(badPush.status).toBe(400);
    expect(badPush.body).toMatchObject({
      error: {
        code: 'REQUEST_INVALID',
        message:
          'invalid push repository "team/" (a repository name, name/* or *)',
      },
    });
    const listed = await as(tokens.admin).get('/api/v1/pull-credentials');
    expect(listed.body).toEqual([
      expect.objectContaining({ name: 'ci', pushRepositories: ['team/*'] }),
    ]);
    const revoked = await deps.stores.audit.query({
      limit: 10,
      action: 'admin-token.revoke',
    });
    expect(revoked.entries[0]).toMatchObject({
      actor: 'admin-1',
      target: 'admin-token/short-lived',
    });
  });
});

function auth(test: supertest.Test, token: string | undefined): supertest.Test {
  return token === undefined
    ? test
    : test.set('Authorization', `Bearer ${token}`);
}
