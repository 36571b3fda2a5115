/**
 * Replays the real notification requests docker-registry 2.8 sent
 * (../shared/fixtures/distribution-notifications) against the express app
 * on a real PGlite database and pg-boss queue.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../lib/config/schema.js';
import { createLogger } from '../../lib/log/create-logger.js';
import { createApp } from '../../services/customs/app.js';
import { buildDeps, type Deps } from '../../services/customs/deps.js';

const FIXTURES = new URL(
  '../../../shared/fixtures/distribution-notifications/',
  import.meta.url,
).pathname;

interface CapturedRequest {
  authorized: boolean;
  headers: Record<string, string>;
  rawBody: string;
  body: {
    events: Array<{
      id: string;
      action: string;
      target: {
        mediaType?: string;
        repository: string;
        digest?: string;
        tag?: string;
      };
    }>;
  };
}

function captured(): Array<{ file: string; req: CapturedRequest }> {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .flatMap((dir) =>
      readdirSync(join(FIXTURES, dir))
        .sort()
        .map((f) => ({
          file: `${dir}/${f}`,
          req: JSON.parse(
            readFileSync(join(FIXTURES, dir, f), 'utf8'),
          ) as CapturedRequest,
        })),
    );
}

const MANIFEST_RE = /manifest|index/;

describe('POST /webhooks/distribution with real registry notifications', () => {
  let work: string;
  let deps: Deps;
  let app: ReturnType<typeof createApp>;
  const all = captured();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-webhooks-'));
    const config = configSchema.parse({
      version: 1,
      dataDir: work,
      intake: { secret: 'fixture-shared-secret' },
      upstream: { url: 'http://127.0.0.1:9' },
      log: { level: 'silent' },
    });
    deps = await buildDeps(config, createLogger({ level: 'silent' }), {
      work: false,
    });
    app = createApp(deps, { localToken: 'x'.repeat(32) });
  });
  afterAll(async () => {
    await deps?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const send = (req: CapturedRequest) =>
    request(app)
      .post('/webhooks/distribution')
      .set('Content-Type', req.headers['content-type'] ?? '')
      .set('Authorization', req.headers.authorization ?? '')
      .send(req.rawBody);

  it('stores each manifest push and delete once and queues one job per image', async () => {
    expect(all.length).toBeGreaterThan(30);
    for (const { file, req } of all) {
      const res = await send(req);
      expect(res.status, `${file}: ${JSON.stringify(res.body)}`).toBe(
        req.authorized ? 202 : 401,
      );
    }
    const pushes = all
      .filter(({ req }) => req.authorized)
      .flatMap(({ req }) => req.body.events)
      .filter(
        (e) =>
          e.action === 'push' && MANIFEST_RE.test(e.target.mediaType ?? ''),
      );
    const deletes = all
      .filter(({ req }) => req.authorized)
      .flatMap(({ req }) => req.body.events)
      .filter((e) => e.action === 'delete');
    expect(deletes.length).toBeGreaterThanOrEqual(2);
    const stored = await deps.stores.events.recent(1000);
    expect(stored.map((e) => e.eventId).sort()).toEqual(
      [...pushes, ...deletes].map((e) => e.id).sort(),
    );
    expect(
      stored
        .filter((e) => e.outcome === 'delete')
        .map((e) => e.eventId)
        .sort(),
    ).toEqual(deletes.map((e) => e.id).sort());
    // The deleted tag no longer points anywhere.
    for (const e of deletes.filter((d) => d.target.tag)) {
      expect(
        await deps.stores.serving.tagged(e.target.repository, e.target.tag!),
      ).toBeUndefined();
    }
    expect(
      stored.filter((e) => e.outcome === 'reevaluate').map((e) => e.tag),
    ).toEqual([
      'sha256-36e75d6e573a236df7ff1a11a3acd2364a0c1b2554070c87de335d9de994fc1f.sig',
    ]);
    const images = new Set(
      pushes
        .filter((e) => !e.target.tag?.endsWith('.sig'))
        .map((e) => `${e.target.repository}@${e.target.digest}`),
    );
    expect(await deps.jobs.depth()).toEqual({
      scan: images.size,
      reevaluate: 1,
      rematch: 0,
      reconcile: 0,
    });
    // Tags pushed with a manifest point at its digest.
    expect(
      await deps.stores.manifests.tagsOf(
        'fixtures/busybox',
        'sha256:36e75d6e573a236df7ff1a11a3acd2364a0c1b2554070c87de335d9de994fc1f',
      ),
    ).toEqual(expect.arrayContaining(['1.35.0', 'latest']));
  });

  it('answers a redelivered event 2xx and does nothing twice', async () => {
    const before = await deps.stores.events.recent(1000);
    const { req } = all.find((c) => c.file.startsWith('01-push-by-tag/03'))!;
    const res = await send(req);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 0, duplicates: 1, ignored: 0 });
    expect(await deps.stores.events.recent(1000)).toHaveLength(before.length);
  });

  it('refuses a wrong or missing secret before reading the body, storing nothing', async () => {
    const { req } = all.find((c) => c.file.startsWith('10-push'))!;
    const body = req.rawBody.replaceAll(req.body.events[0]!.id, 'never-stored');
    for (const auth of ['Bearer wrong', '', 'Basic Zm9vOmJhcg==']) {
      const res = await request(app)
        .post('/webhooks/distribution')
        .set('Authorization', auth)
        .send(body);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        error: { code: 'WEBHOOK_SIGNATURE_INVALID' },
      });
    }
    expect(
      (await deps.stores.events.recent(1000)).some(
        (e) => e.eventId === 'never-stored',
      ),
    ).toBe(false);
  });

  it.each([
    ['not JSON', '{"events": [', /not valid JSON/],
    ['no events array', '{"foo": 1}', /events: /],
    [
      'an event without id',
      '{"events":[{"action":"push","target":{"repository":"a/b"}}]}',
      /events\.0\.id/,
    ],
    [
      'a bad digest',
      '{"events":[{"id":"x","action":"push","target":{"repository":"a/b","digest":"sha256:nothex"}}]}',
      /invalid digest/,
    ],
    [
      'a bad repository name',
      '{"events":[{"id":"x","action":"push","target":{"repository":"A/../b"}}]}',
      /invalid repository name/,
    ],
  ])('answers 400 with the reason for %s', async (_name, body, reason) => {
    const res = await request(app)
      .post('/webhooks/distribution')
      .set('Authorization', 'Bearer fixture-shared-secret')
      .set('Content-Type', 'application/vnd.docker.distribution.events.v2+json')
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ENVELOPE_INVALID');
    expect(res.body.error.message).toMatch(reason);
  });

  it('refuses a body over the size limit', async () => {
    const res = await request(app)
      .post('/webhooks/distribution')
      .set('Authorization', 'Bearer fixture-shared-secret')
      .send(`{"events":[],"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    expect(res.status).toBe(413);
  });
});
