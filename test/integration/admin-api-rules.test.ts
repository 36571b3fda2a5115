/**
 * Trust rules through the admin API (API mode) and from a watched file
 * (GitOps mode): validated, versioned, previewed, and every verdict
 * re-judged; a bad rule never replaces a good one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../lib/config/schema.js';
import { createLogger } from '../../lib/log/create-logger.js';
import { judgeImage } from '../../lib/policy/judge.js';
import { createApp } from '../../services/customs/app.js';
import { buildDeps, type Deps } from '../../services/customs/deps.js';
import { waitUntil } from '../helpers/customs-api.js';
import {
  digestOf,
  storeImageWithHighFinding,
} from '../helpers/stored-images.js';

const LOCAL = 'l'.repeat(32);
const IMAGE = { repository: 'team/rules', digest: digestOf('rules-image') };
const STRICT_DEV =
  'version: 1\nenvironments:\n  dev:\n    vulnerabilities: { maxSeverity: medium }\n  prod: {}\n';
const work = mkdtempSync(join(tmpdir(), 'customs-api-rules-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function start(name: string, rulesFile: string): Promise<Deps> {
  const config = configSchema.parse({
    version: 1,
    dataDir: join(work, name),
    upstream: { url: 'http://127.0.0.1:9' },
    rules: { file: rulesFile, pollIntervalMs: 50 },
    log: { level: 'silent' },
  });
  const deps = await buildDeps(config, createLogger({ level: 'silent' }), {
    work: false,
  });
  await storeImageWithHighFinding(deps.stores, IMAGE);
  await judgeImage(deps.policy.judge, IMAGE, 'scan: test');
  return deps;
}

const devStatus = async (deps: Deps) =>
  (await deps.stores.verdicts.get(IMAGE.repository, IMAGE.digest, 'dev'))
    ?.status;

describe('rules through the API (no rules.file)', () => {
  let deps: Deps;
  const api = () => supertest(createApp(deps, { localToken: LOCAL }));
  afterAll(async () => deps?.close());

  it('serves the built-in rules as version 1, previews and puts a new version', async () => {
    deps = await start('api', '');
    const first = await api()
      .get('/api/v1/rules')
      .set('Authorization', `Bearer ${LOCAL}`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      version: 1,
      source: 'file',
      mode: 'api',
      createdBy: 'customs',
      yaml: expect.stringContaining('environments:') as string,
    });
    expect(await devStatus(deps)).toBe('eligible');

    const bad = await api()
      .put('/api/v1/rules')
      .set('Authorization', `Bearer ${LOCAL}`)
      .send({ yaml: 'version: 1\nenvironments:\n  dev: { mode: loud }\n' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      error: { code: 'RULES_INVALID' },
      problems: [expect.stringMatching(/^environments\.dev\.mode: /) as string],
    });
    expect(deps.rules().environments.dev?.mode).toBe('enforce');

    const preview = await api()
      .post('/api/v1/rules/preview')
      .set('Authorization', `Bearer ${LOCAL}`)
      .send({ yaml: STRICT_DEV });
    expect(preview.body).toEqual({
      changes: [
        {
          ...IMAGE,
          environment: 'dev',
          from: 'eligible',
          to: 'ineligible',
          reasons: ['SEVERITY_EXCEEDED'],
        },
        // The built-in prod rules ask for a signature; `prod: {}` does not.
        {
          ...IMAGE,
          environment: 'prod',
          from: 'ineligible',
          to: 'eligible',
          reasons: ['POLICY_PASSED'],
        },
      ],
    });
    expect(await devStatus(deps)).toBe('eligible');

    const put = await api()
      .put('/api/v1/rules')
      .set('Authorization', `Bearer ${LOCAL}`)
      .send({ yaml: STRICT_DEV });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      version: 2,
      source: 'api',
      createdBy: 'local-cli',
      yaml: STRICT_DEV,
    });
    await waitUntil(
      'dev verdict re-judged',
      async () => (await devStatus(deps)) === 'ineligible',
      () => 'dev still eligible',
      10_000,
    );
    const versions = await api()
      .get('/api/v1/rules/versions')
      .set('Authorization', `Bearer ${LOCAL}`);
    expect(
      (versions.body as { versions: Array<{ version: number }> }).versions.map(
        (v) => v.version,
      ),
    ).toEqual([2, 1]);
  });
});

describe('denied packages through a preview', () => {
  it('reads the packages of stored images when rules deny one', async () => {
    const deps = await start('packages', '');
    try {
      const preview = await supertest(createApp(deps, { localToken: LOCAL }))
        .post('/api/v1/rules/preview')
        .set('Authorization', `Bearer ${LOCAL}`)
        .send({
          yaml: 'version: 1\nenvironments:\n  dev:\n    packages: { deny: [{ name: lodash, ecosystem: npm, below: 4.17.21 }] }\n',
        });
      expect(preview.body).toEqual({
        changes: [
          {
            ...IMAGE,
            environment: 'dev',
            from: 'eligible',
            to: 'ineligible',
            reasons: ['PACKAGE_DENIED'],
          },
        ],
      });
    } finally {
      await deps.close();
    }
  });
});

describe('rules from a watched file (GitOps)', () => {
  let deps: Deps;
  const file = join(work, 'rules.yaml');
  afterAll(async () => deps?.close());

  it('refuses API writes with 409, picks up a file change, and keeps good rules over a bad file', async () => {
    writeFileSync(file, 'version: 1\nenvironments:\n  dev: {}\n  prod: {}\n');
    deps = await start('file', file);
    await deps.policy.start();
    const api = supertest(createApp(deps, { localToken: LOCAL }));
    const put = await api
      .put('/api/v1/rules')
      .set('Authorization', `Bearer ${LOCAL}`)
      .send({ yaml: STRICT_DEV });
    expect(put.status).toBe(409);
    expect(put.body).toMatchObject({ error: { code: 'RULES_FILE_MODE' } });
    expect(await devStatus(deps)).toBe('eligible');

    writeFileSync(file, STRICT_DEV);
    await waitUntil(
      'the file change re-judged',
      async () => (await devStatus(deps)) === 'ineligible',
      () => JSON.stringify(deps.policy.holder.info()),
      10_000,
    );
    expect(deps.policy.holder.info()).toMatchObject({
      version: 2,
      source: 'file',
    });
    writeFileSync(file, 'version: 1\nenvironments:\n  dev: { mode: loud }\n');
    await new Promise((r) => setTimeout(r, 300));
    expect(deps.policy.holder.info()?.version).toBe(2);
    expect(deps.rules().environments.dev?.vulnerabilities.maxSeverity).toBe(
      'medium',
    );
  });
});
