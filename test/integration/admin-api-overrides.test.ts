/**
 * The admin API contract for exceptions, break-glass and the audit log,
 * as the dashboard uses it: shapes, roles, validation, preview, export.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminToken } from '../../lib/access/admin-tokens.js';
import type { Digest } from '../../lib/core/digest.js';
import { configSchema } from '../../lib/config/schema.js';
import { createLogger } from '../../lib/log/create-logger.js';
import { judgeImage } from '../../lib/policy/judge.js';
import { createApp } from '../../services/customs/app.js';
import { buildDeps, type Deps } from '../../services/customs/deps.js';
import {
  digestOf,
  storeImageWithHighFinding,
} from '../helpers/stored-images.js';

const IMAGE = { repository: 'team/api', digest: digestOf('api-overrides') };
const HOUR = 3_600_000;
const later = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('admin API: exceptions, break-glass, audit', () => {
  let work: string;
  let deps: Deps;
  let app: ReturnType<typeof createApp>;
  const token: Record<string, string> = {};
  const call = (role: string) => ({
    get: (path: string) =>
      supertest(app).get(path).set('Authorization', `Bearer ${token[role]}`),
    post: (path: string, body: object) =>
      supertest(app)
        .post(path)
        .set('Authorization', `Bearer ${token[role]}`)
        .send(body),
    delete: (path: string) =>
      supertest(app).delete(path).set('Authorization', `Bearer ${token[role]}`),
  });
  const prodStatus = async () =>
    (await deps.stores.verdicts.get(IMAGE.repository, IMAGE.digest, 'prod'))
      ?.status;
  const exception = {
    advisoryId: 'CVE-2020-8203',
    scope: { repository: 'team/*', environments: ['prod'] },
    owner: 'team-api',
    justification: 'not reachable from user input',
    expiresAt: later(HOUR),
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-api-overrides-'));
    writeFileSync(
      join(work, 'rules.yaml'),
      'version: 1\nenvironments:\n  dev: {}\n  prod:\n    vulnerabilities: { maxSeverity: medium }\n',
    );
    const config = configSchema.parse({
      version: 1,
      dataDir: work,
      upstream: { url: 'http://127.0.0.1:9' },
      rules: { file: join(work, 'rules.yaml') },
      log: { level: 'silent' },
    });
    deps = await buildDeps(config, createLogger({ level: 'silent' }), {
      work: false,
    });
    app = createApp(deps, { localToken: 'l'.repeat(32) });
    for (const role of ['viewer', 'operator']) {
      token[role] = (
        await createAdminToken(deps.stores, { name: role, role }, 'test')
      ).token;
    }
    await storeImageWithHighFinding(deps.stores, IMAGE);
    await judgeImage(deps.policy.judge, IMAGE, 'scan: test');
  });
  afterAll(async () => {
    await deps?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('shows when each finding was first seen, and first seen with a fix', async () => {
    const res = await call('viewer').get(
      `/api/v1/images/${IMAGE.repository}@${IMAGE.digest}`,
    );
    expect(res.status).toBe(200);
    const [finding] = (
      res.body as {
        findings: Array<{ firstSeenAt: string; fixAvailableSince: string }>;
      }
    ).findings;
    expect(Date.now() - Date.parse(finding!.firstSeenAt)).toBeLessThan(HOUR);
    // Stored with its fix: fixable since it was first seen.
    expect(finding!.fixAvailableSince).toBe(finding!.firstSeenAt);
  });

  it('previews, creates, lists and deletes an exception (operator role)', async () => {
    expect(await prodStatus()).toBe('ineligible');
    const preview = await call('operator').post(
      '/api/v1/exceptions/preview',
      exception,
    );
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      changes: [
        {
          ...IMAGE,
          environment: 'prod',
          from: 'ineligible',
          to: 'eligible',
          reasons: ['POLICY_PASSED', 'EXCEPTION_APPLIED'],
        },
      ],
    });
    expect(
      (await call('viewer').post('/api/v1/exceptions', exception)).status,
    ).toBe(403);
    const created = await call('operator').post(
      '/api/v1/exceptions',
      exception,
    );
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number) as number,
      advisoryId: 'CVE-2020-8203',
      package: null,
      scope: exception.scope,
      owner: 'team-api',
      justification: exception.justification,
      expiresAt: new Date(exception.expiresAt).toISOString(),
      createdBy: 'operator',
      createdAt: expect.any(String) as string,
      revokedAt: null,
    });
    expect(await prodStatus()).toBe('eligible');
    const id = (created.body as { id: number }).id;
    const listed = await call('viewer').get('/api/v1/exceptions?active=true');
    expect(listed.body).toEqual({ exceptions: [created.body] });
    expect(
      (await call('operator').delete(`/api/v1/exceptions/${id}`)).status,
    ).toBe(204);
    expect(await prodStatus()).toBe('ineligible');
    expect(
      (await call('viewer').get('/api/v1/exceptions?active=true')).body,
    ).toEqual({ exceptions: [] });
    expect(
      (
        (await call('viewer').get('/api/v1/exceptions')).body as {
          exceptions: Array<{ revokedAt: string | null }>;
        }
      ).exceptions[0]?.revokedAt,
    ).toEqual(expect.any(String));
    expect(
      (await call('operator').delete('/api/v1/exceptions/999')).status,
    ).toBe(404);
    expect(
      (await call('operator').delete('/api/v1/exceptions/abc')).status,
    ).toBe(400);
  });

  it('answers bad bodies with 400 BODY_INVALID naming the field', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ ...exception, expiresAt: 'tomorrow' }, /^expiresAt: /],
      [{ ...exception, scope: { digest: 'sha256:xyz' } }, /^scope\.digest: /],
      [{ ...exception, owner: undefined }, /^owner: /],
      [{ ...exception, extra: 1 }, /extra/],
      [{ ...exception, scope: { environments: ['staging'] } }, /staging/],
      [
        { ...exception, expiresAt: '2001-01-01T00:00:00Z' },
        /not in the future/,
      ],
    ];
    for (const [body, problem] of cases) {
      const res = await call('operator').post('/api/v1/exceptions', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'BODY_INVALID' } });
      expect(
        (res.body as { error: { message: string } }).error.message,
      ).toMatch(problem);
    }
    const grant = await call('operator').post('/api/v1/break-glass', {
      ...IMAGE,
      environment: 'prod',
      ticket: 'INC-1',
    });
    expect(grant.status).toBe(400);
    expect(grant.body).toMatchObject({
      error: {
        code: 'BODY_INVALID',
        details: {
          problems: expect.arrayContaining([
            expect.stringMatching(/^reason: /),
            expect.stringMatching(/^expiresAt: /),
          ]) as string[],
        },
      },
    });
  });

  it('grants and revokes break-glass for one digest in one environment', async () => {
    const body = {
      ...IMAGE,
      environment: 'prod',
      ticket: 'INC-7',
      reason: 'hotfix during an outage',
      expiresAt: later(HOUR),
    };
    expect(
      (await call('viewer').post('/api/v1/break-glass', body)).status,
    ).toBe(403);
    const created = await call('operator').post('/api/v1/break-glass', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(Number) as number,
      ...body,
      expiresAt: new Date(body.expiresAt).toISOString(),
      createdBy: 'operator',
      revokedAt: null,
    });
    expect(await prodStatus()).toBe('eligible');
    expect(
      (await deps.stores.verdicts.get(IMAGE.repository, IMAGE.digest, 'dev'))
        ?.reasons[0]?.code,
    ).not.toBe('BREAK_GLASS');
    const listed = await call('viewer').get('/api/v1/break-glass?active=true');
    expect(listed.body).toEqual({ grants: [created.body] });
    const id = (created.body as { id: number }).id;
    expect(
      (await call('operator').delete(`/api/v1/break-glass/${id}`)).status,
    ).toBe(204);
    expect(await prodStatus()).toBe('ineligible');
  });

  it('queries the audit log with filters and a cursor, and exports ndjson and csv', async () => {
    const page = await call('viewer').get(
      '/api/v1/audit?actor=operator&limit=2',
    );
    expect(page.status).toBe(200);
    const body = page.body as {
      entries: Array<{
        id: number;
        actor: string;
        action: string;
        at: string;
        target: string;
        before: unknown;
        after: unknown;
      }>;
      next: number | null;
    };
    expect(body.entries.map((e) => e.action)).toEqual([
      'break-glass.revoke',
      'break-glass.grant',
    ]);
    expect(body.next).toEqual(expect.any(Number));
    const rest = await call('viewer').get(
      `/api/v1/audit?actor=operator&limit=10&cursor=${body.next}`,
    );
    expect((rest.body as typeof body).entries.map((e) => e.action)).toEqual([
      'exception.revoke',
      'exception.create',
    ]);
    const changes = await call('viewer').get(
      '/api/v1/audit?action=verdict.change',
    );
    expect((changes.body as typeof body).entries[0]).toMatchObject({
      actor: 'customs',
      target: `${IMAGE.repository}@${IMAGE.digest}/prod`,
      before: { status: 'eligible' },
      after: { status: 'ineligible' },
    });
    const ndjson = await call('viewer').get(
      '/api/v1/audit?actor=operator&format=ndjson',
    );
    expect(ndjson.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = ndjson.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string });
    expect(lines.map((l) => l.action)).toEqual([
      'break-glass.revoke',
      'break-glass.grant',
      'exception.revoke',
      'exception.create',
    ]);
    const csv = await call('viewer').get(
      '/api/v1/audit?actor=operator&format=csv',
    );
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = csv.text.trim().split('\n');
    expect(rows[0]).toBe('id,at,actor,action,target,before,after');
    expect(rows).toHaveLength(5);
    expect(rows[1]).toMatch(
      /,operator,break-glass\.revoke,break-glass\/\d+,"\{""id"":/,
    );
    const bad = await call('viewer').get('/api/v1/audit?since=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'QUERY_INVALID' } });
  });

  it('lets a grant or an exception naming a multi-arch index cover its platform images', async () => {
    const platform = { repository: 'team/multi', digest: digestOf('arm64') };
    const index = digestOf('index');
    await storeImageWithHighFinding(deps.stores, platform);
    await deps.stores.manifests.save(
      {
        digest: index,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        kind: 'index',
        body: Buffer.from(JSON.stringify({ schemaVersion: 2, index: true })),
        references: [
          {
            role: 'manifest',
            digest: platform.digest,
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            sizeBytes: 100,
            platform: 'linux/arm64',
          },
        ],
      },
      platform.repository,
    );
    await judgeImage(deps.policy.judge, platform, 'scan: test');
    await judgeImage(
      deps.policy.judge,
      { repository: platform.repository, digest: index },
      'scan: test',
    );
    const prod = async (digest: Digest) =>
      (await deps.stores.verdicts.get(platform.repository, digest, 'prod'))
        ?.status;
    expect([await prod(platform.digest), await prod(index)]).toEqual([
      'ineligible',
      'ineligible',
    ]);

    const granted = await call('operator').post('/api/v1/break-glass', {
      repository: platform.repository,
      digest: index,
      environment: 'prod',
      ticket: 'INC-9',
      reason: 'multi-arch hotfix',
      expiresAt: later(HOUR),
    });
    expect(granted.status).toBe(201);
    // The platform image too, or the index could not be pulled.
    expect([await prod(platform.digest), await prod(index)]).toEqual([
      'eligible',
      'eligible',
    ]);
    const grantId = (granted.body as { id: number }).id;
    await call('operator').delete(`/api/v1/break-glass/${grantId}`);
    expect([await prod(platform.digest), await prod(index)]).toEqual([
      'ineligible',
      'ineligible',
    ]);

    const excepted = await call('operator').post('/api/v1/exceptions', {
      ...exception,
      scope: { digest: index },
    });
    expect(excepted.status).toBe(201);
    expect([await prod(platform.digest), await prod(index)]).toEqual([
      'eligible',
      'eligible',
    ]);
    await call('operator').delete(
      `/api/v1/exceptions/${(excepted.body as { id: number }).id}`,
    );
    expect(await prod(platform.digest)).toBe('ineligible');
  });
});
