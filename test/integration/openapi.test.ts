import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../lib/config/schema.js';
import { createLogger } from '../../lib/log/create-logger.js';
import { createApp } from '../../services/customs/app.js';
import { buildDeps, type Deps } from '../../services/customs/deps.js';

interface Layer {
  route?: { path: string | RegExp; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every (method, path) the express app registers, nested routers included. */
function registeredRoutes(
  stack: Layer[],
): Array<{ method: string; path: string | RegExp }> {
  return stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods).map((method) => ({
          method,
          path: layer.route!.path,
        }))
      : registeredRoutes(layer.handle?.stack ?? []),
  );
}

/** A URL of a documented path, with a sample for each parameter. */
function sampleUrl(path: string): string {
  return path.replace(/\{(\w+)\}/g, `team/app@sha256:${'a'.repeat(64)}`);
}

describe('GET /api/v1/openapi.json', () => {
  let work: string;
  let deps: Deps;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-openapi-'));
    deps = await buildDeps(
      configSchema.parse({
        version: 1,
        dataDir: work,
        upstream: { url: 'http://127.0.0.1:9' },
        log: { level: 'silent' },
      }),
      createLogger({ level: 'silent' }),
      { work: false },
    );
    app = createApp(deps, { localToken: 'l'.repeat(32) });
  });
  afterAll(async () => {
    await deps?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('is served without a token and documents every /api/v1 route', async () => {
    const res = await supertest(app).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as {
      openapi: string;
      paths: Record<string, Record<string, { 'x-required-role': string }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const routes = registeredRoutes(
      (app as unknown as { router: { stack: Layer[] } }).router.stack,
    ).filter((r) =>
      typeof r.path === 'string'
        ? r.path.startsWith('/api/v1/')
        : r.path.source.startsWith('^\\/api\\/v1'),
    );
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes.filter(({ method, path }) => {
      if (typeof path === 'string') {
        const documented = path.replace(/:(\w+)/g, '{$1}');
        return doc.paths[documented]?.[method] === undefined;
      }
      return !Object.entries(doc.paths).some(
        ([p, ops]) => ops[method] !== undefined && path.test(sampleUrl(p)),
      );
    });
    expect(missing).toEqual([]);
    const documentedCount = Object.values(doc.paths).reduce(
      (n, ops) => n + Object.keys(ops).length,
      0,
    );
    expect(documentedCount).toBe(routes.length);
  });

  it('names each body field and the role of each write', async () => {
    const doc = (await supertest(app).get('/api/v1/openapi.json')).body as {
      paths: Record<
        string,
        Record<
          string,
          {
            'x-required-role': string;
            requestBody?: {
              content: {
                'application/json': { schema: { required: string[] } };
              };
            };
          }
        >
      >;
    };
    const post = doc.paths['/api/v1/exceptions']!.post!;
    expect(post['x-required-role']).toBe('operator');
    expect(
      post.requestBody!.content['application/json'].schema.required,
    ).toEqual(
      expect.arrayContaining([
        'advisoryId',
        'scope',
        'owner',
        'justification',
        'expiresAt',
      ]),
    );
    expect(doc.paths['/api/v1/rules']!.put!['x-required-role']).toBe('admin');
  });
});
