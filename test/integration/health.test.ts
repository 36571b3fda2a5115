import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../lib/config/schema.js';
import { createLogger } from '../../lib/log/create-logger.js';
import { createApp } from '../../services/customs/app.js';
import { buildDeps, type Deps } from '../../services/customs/deps.js';

describe('/healthz and /readyz', () => {
  let work: string;
  let deps: Deps;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-health-'));
    const config = configSchema.parse({
      version: 1,
      dataDir: work,
      upstream: { url: 'http://127.0.0.1:9' },
      log: { level: 'silent' },
    });
    deps = await buildDeps(config, createLogger({ level: 'silent' }), {
      work: false,
    });
    app = createApp(deps, { localToken: 'l'.repeat(32) });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is live, and ready once every migration is applied', async () => {
    expect((await supertest(app).get('/healthz')).body).toEqual({
      status: 'ok',
    });
    const ready = await supertest(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', database: 'pglite' });
  });

  it('is not ready while a migration is pending', async () => {
    const { rows } = await deps.db.query<{ version: number }>(
      'DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations) RETURNING version',
    );
    expect(rows).toHaveLength(1);
    const res = await supertest(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'migrating' });
    expect((res.body as { pending: string[] }).pending).toHaveLength(1);
  });

  it('is not ready when the database does not answer, but still live', async () => {
    await deps.close();
    const res = await supertest(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: 'unavailable',
      reason: 'database does not answer',
    });
    expect((await supertest(app).get('/healthz')).status).toBe(200);
  });
});
