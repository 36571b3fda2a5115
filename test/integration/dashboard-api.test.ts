import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../lib/config/schema.js';
import { createLogger } from '../../lib/log/create-logger.js';
import { createApp } from '../../services/customs/app.js';
import { buildDeps, type Deps } from '../../services/customs/deps.js';

const TOKEN = 'dashboard-api-test-token';
const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

describe('dashboard API and UI files', () => {
  let work: string;
  let deps: Deps;
  let app: ReturnType<typeof createApp>;
  const get = (path: string, token: string | null = TOKEN) => {
    const req = supertest(app).get(path);
    return token ? req.set('Authorization', `Bearer ${token}`) : req;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-dashboard-api-'));
    const config = configSchema.parse({
      version: 1,
      dataDir: work,
      upstream: { url: 'http://127.0.0.1:9' },
      admin: { bootstrapToken: TOKEN },
      log: { level: 'silent' },
    });
    deps = await buildDeps(config, createLogger({ level: 'silent' }), {
      work: false,
    });
    app = createApp(deps, { localToken: 'l'.repeat(32) });
    for (const n of [1, 2, 3]) {
      await deps.stores.manifests.save(
        {
          digest: d(n) as `sha256:${string}`,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          kind: 'image',
          body: Buffer.from(`{"n":${n}}`),
          references: [],
        },
        'team/app',
      );
    }
  });
  afterAll(async () => {
    await deps?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('needs an admin token', async () => {
    for (const path of [
      '/api/v1/repositories',
      '/api/v1/images',
      '/api/v1/intake/status',
    ]) {
      const res = await get(path, null);
      expect(res.status, path).toBe(401);
    }
  });

  it('lists repositories and pages through images', async () => {
    expect((await get('/api/v1/repositories')).body).toEqual({
      repositories: [
        {
          repository: 'team/app',
          images: 3,
          lastSeenAt: expect.any(String) as string,
        },
      ],
    });
    const first = await get('/api/v1/images?limit=2');
    expect(first.status).toBe(200);
    const body = first.body as {
      environments: string[];
      images: Array<{ digest: string }>;
      next: string;
    };
    expect(body.environments).toEqual(['dev', 'test', 'prod']);
    expect(body.images.map((i) => i.digest)).toEqual([d(1), d(2)]);
    const second = await get(
      `/api/v1/images?limit=2&cursor=${encodeURIComponent(body.next)}`,
    );
    expect(
      (second.body as { images: Array<{ digest: string }> }).images.map(
        (i) => i.digest,
      ),
    ).toEqual([d(3)]);
  });

  it('answers a bad query with 400 and a named code', async () => {
    for (const [path, code] of [
      ['/api/v1/images?limit=0', 'REQUEST_INVALID'],
      ['/api/v1/images?limit=x', 'REQUEST_INVALID'],
      ['/api/v1/images?sort=up', 'REQUEST_INVALID'],
      ['/api/v1/images?cursor=garbage', 'CURSOR_INVALID'],
      ['/api/v1/intake/status?limit=1000', 'REQUEST_INVALID'],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(res.body, path).toMatchObject({ error: { code } });
    }
  });

  it('reports intake status', async () => {
    const res = await get('/api/v1/intake/status?limit=5');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ events: [], failures: [] });
    expect(Array.isArray((res.body as { queues: unknown }).queues)).toBe(true);
  });

  it('serves the dashboard under /ui/ with a strict content policy', async () => {
    expect((await get('/', null)).headers['location']).toBe('/ui/');
    const page = await get('/ui/', null);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script type="module" src="js/main.js">');
    expect(page.headers['content-security-policy']).toContain(
      "script-src 'self'",
    );
    const script = await get('/ui/js/main.js', null);
    expect(script.status, 'run `npm run build` first').toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
  });
});
