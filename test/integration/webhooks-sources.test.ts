/**
 * Harbor (Default JSON and CloudEvents) and zot (CloudEvents, binary mode)
 * webhooks, from the shared fixtures, on a real PGlite database and
 * pg-boss queue; each source authenticated its own way.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../lib/config/schema.js';
import { createLogger } from '../../lib/log/create-logger.js';
import { createApp } from '../../services/customs/app.js';
import { buildDeps, type Deps } from '../../services/customs/deps.js';

const FIXTURES = new URL(
  '../../../shared/fixtures/harbor-webhooks/',
  import.meta.url,
).pathname;
const fixture = (p: string) => readFileSync(join(FIXTURES, p), 'utf8');
const HARBOR_AUTH = 'Basic aGFyYm9yOnMzY3JldA==';
const ZOT_KEY = 'zot-hmac-key';
const DIGEST = `sha256:${'e'.repeat(64)}` as const;

describe('webhooks from Harbor and zot', () => {
  let work: string;
  let deps: Deps;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-sources-'));
    const config = configSchema.parse({
      version: 1,
      dataDir: work,
      upstream: { url: 'http://127.0.0.1:9' },
      intake: {
        sources: {
          harbor: {
            kind: 'harbor',
            auth: 'header',
            header: 'Authorization',
            secret: HARBOR_AUTH,
          },
          zot: {
            kind: 'zot',
            auth: 'hmac',
            header: 'X-Zot-Signature',
            secret: ZOT_KEY,
          },
        },
      },
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

  const harbor = (body: string, contentType: string, auth = HARBOR_AUTH) =>
    request(app)
      .post('/webhooks/harbor')
      .set('Content-Type', contentType)
      .set('Authorization', auth)
      .send(body);

  it('queues a scan for an artifact push in either Harbor format, once', async () => {
    const push = fixture('harbor/default/PUSH_ARTIFACT.json');
    const first = await harbor(push, 'application/json');
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect((await harbor(push, 'application/json')).body).toEqual({
      accepted: 0,
      duplicates: 1,
      ignored: 0,
    });
    const ce = await harbor(
      fixture('harbor/cloudevents/harbor.artifact.pushed.json'),
      'application/cloudevents+json',
    );
    expect(ce.body).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    const stored = await deps.stores.events.recent(10);
    expect(
      stored
        .filter((e) => e.source === 'harbor')
        .map((e) => [e.repository, e.digest, e.tag, e.outcome]),
    ).toEqual([
      [
        'harbor/alpine',
        'sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4',
        undefined,
        'scan',
      ],
      [
        'harbor/alpine',
        'sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4',
        undefined,
        'scan',
      ],
    ]);
    // Same image twice: one queued job.
    expect((await deps.jobs.depth()).scan).toBe(1);
  });

  it('forgets a deleted artifact and its tag, the upstream being unreachable', async () => {
    const gone =
      'sha256:2bb501e6173d9d006e56de5bce2720eb06396803300fe1687b58a7ff32bf4c14' as const;
    await deps.stores.manifests.setTag('harbor/alpine', '3.8', gone);
    const res = await harbor(
      fixture('harbor/default/DELETE_ARTIFACT.json'),
      'application/json',
    );
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect(await deps.stores.serving.tagged('harbor/alpine', '3.8')).toBe(
      undefined,
    );
    const stored = await deps.stores.events.recent(50);
    expect(
      stored.find((e) => e.digest === gone && e.source === 'harbor'),
    ).toMatchObject({ action: 'delete', outcome: 'delete', tag: '3.8' });
  });

  it.each([
    'default/PULL_ARTIFACT.json',
    'default/SCANNING_COMPLETED.json',
    'default/QUOTA_EXCEED.json',
    'default/REPLICATION.json',
    'default/TAG_RETENTION.json',
    'cloudevents/harbor.artifact.pulled.json',
    'cloudevents/harbor.scan.failed.json',
    'cloudevents/harbor.quota.warned.json',
  ])('accepts and ignores harbor/%s', async (file) => {
    const res = await harbor(
      fixture(`harbor/${file}`),
      file.startsWith('cloud')
        ? 'application/cloudevents+json'
        : 'application/json',
    );
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(0);
  });

  it('refuses Harbor events without its auth header, and malformed ones with the reason', async () => {
    expect(
      (
        await harbor(
          fixture('harbor/default/PUSH_ARTIFACT.json'),
          'application/json',
          'Basic other',
        )
      ).status,
    ).toBe(401);
    const bad = await harbor(
      '{"type":"PUSH_ARTIFACT","occur_at":1,"event_data":{"resources":[],"repository":{"repo_full_name":"Bad Name"}}}',
      'application/json',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(
      /event_data\.repository\.repo_full_name: invalid repository name/,
    );
  });

  it('queues a scan for a zot image update signed with the source key', async () => {
    const data = JSON.parse(fixture('zot/image-updated.data.json')) as Record<
      string,
      unknown
    >;
    const body = JSON.stringify({ ...data, digest: DIGEST });
    const send = (b: string, signature: string) =>
      request(app)
        .post('/webhooks/zot')
        .set('Content-Type', 'application/json')
        .set('Ce-Specversion', '1.0')
        .set('Ce-Id', 'c0ffee')
        .set('Ce-Type', 'zotregistry.image.updated')
        .set('Ce-Source', 'zotregistry.dev')
        .set('X-Zot-Signature', signature)
        .send(b);
    const sign = (b: string) =>
      `sha256=${createHmac('sha256', ZOT_KEY).update(b).digest('hex')}`;
    const res = await send(body, sign(body));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    const event = (await deps.stores.events.recent(20)).find(
      (e) => e.source === 'zot',
    );
    expect(event).toMatchObject({
      repository: 'space/my-image',
      digest: DIGEST,
      tag: 'latest',
      outcome: 'scan',
    });
    expect(
      await deps.stores.manifests.tagsOf('space/my-image', DIGEST),
    ).toEqual(['latest']);
    // A body changed after signing is refused.
    expect(
      (await send(body.replace('latest', 'evil'), sign(body))).status,
    ).toBe(401);
    // The documentation example's placeholder digest is refused, naming the field.
    const placeholder = fixture('zot/image-updated.data.json');
    const invalid = await send(placeholder, sign(placeholder));
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toMatch(/digest: invalid digest/);
  });

  it('answers 404 for a source that is not configured', async () => {
    expect((await request(app).post('/webhooks/quay').send('{}')).status).toBe(
      404,
    );
  });
});
