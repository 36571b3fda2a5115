import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../../lib/core/digest.js';
import { JobQueue } from '../../lib/scan/jobs.js';
import type { Database } from '../../lib/storage/database.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import type { ManifestRecord, Stores } from '../../lib/storage/ports.js';

const d = (n: number): Digest => `sha256:${n.toString(16).padStart(64, '0')}`;
const OCI_IMAGE = 'application/vnd.oci.image.manifest.v1+json';

const manifest = (
  n: number,
  kind: ManifestRecord['kind'],
  extra: Partial<ManifestRecord> = {},
): ManifestRecord => ({
  digest: d(n),
  mediaType:
    kind === 'index' ? 'application/vnd.oci.image.index.v1+json' : OCI_IMAGE,
  kind,
  body: Buffer.from(`{"n":${n}}`),
  references: [],
  ...extra,
});

/**
 * Conformance of the dashboard's read store (`stores.overview`): the same
 * assertions on every database Customs runs on.
 */
export function describeOverviewStore(
  name: string,
  open: () => Promise<{ db: Database; cleanup: () => Promise<void> }>,
): void {
  describe(`overview store on ${name}`, () => {
    let db: Database;
    let stores: Stores;
    let jobs: JobQueue;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      ({ db, cleanup } = await open());
      await migrate(db);
      stores = createStores(db);
      jobs = await JobQueue.start(db, {
        logger: pino({ level: 'silent' }),
        retryLimit: 1,
        concurrency: 1,
        timeoutMs: 60_000,
      });
      await seed(stores);
    });
    afterAll(async () => {
      await jobs.stop();
      await db.close();
      await cleanup();
    });

    it('lists repositories with their image counts, without signatures or platform images', async () => {
      expect(
        (await stores.overview.repositories()).map(
          ({ repository, images }) => ({ repository, images }),
        ),
      ).toEqual([
        { repository: 'team/api', images: 2 },
        { repository: 'team/app', images: 2 },
      ]);
    });

    it('lists one row per image with tags, badges, scan, snapshot and signers', async () => {
      const { images, next } = await stores.overview.images({ limit: 10 });
      expect(next).toBeNull();
      expect(images.map((i) => `${i.repository}@${i.digest}`)).toEqual([
        `team/api@${d(1)}`,
        `team/api@${d(3)}`,
        `team/app@${d(1)}`,
        `team/app@${d(4)}`,
      ]);
      const app = images[2]!;
      expect(app).toMatchObject({
        kind: 'image',
        tags: ['latest', 'v1'],
        scan: { status: 'done', errorCode: null },
        snapshotId: null,
        signers: ['key:release'],
        verdicts: {
          dev: { status: 'eligible' },
          test: { status: 'break-glass' },
          prod: { status: 'ineligible' },
        },
      });
      expect(app.scan?.finishedAt).toMatch(/^\d{4}-/);
      expect(images[3]).toMatchObject({
        kind: 'index',
        tags: [],
        scan: null,
        verdicts: {},
        signers: [],
      });
    });

    it('pages with an opaque cursor and filters by repository', async () => {
      const first = await stores.overview.images({ limit: 2 });
      expect(first.images).toHaveLength(2);
      const second = await stores.overview.images({
        limit: 2,
        cursor: first.next!,
      });
      expect(second.images.map((i) => i.digest)).toEqual([d(1), d(4)]);
      expect(second.next).toBeNull();
      const api = await stores.overview.images({
        repository: 'team/api',
        limit: 10,
      });
      expect(api.images.map((i) => i.digest)).toEqual([d(1), d(3)]);
      await expect(
        stores.overview.images({ limit: 2, cursor: 'bm9wZQ' }),
      ).rejects.toMatchObject({ code: 'CURSOR_INVALID' });
    });

    it('reports recent events, failed scans and queues', async () => {
      await jobs.sendScan({
        repository: 'team/app',
        digest: d(9),
        reason: 't',
      });
      const status = await stores.overview.intakeStatus(10);
      expect(status.events.map((e) => e.eventId)).toEqual(['ev-2', 'ev-1']);
      expect(status.events[0]).toMatchObject({
        source: 'distribution',
        action: 'push',
        repository: 'team/app',
        tag: 'v1',
        outcome: 'scan',
      });
      expect(status.failures).toEqual([
        {
          digest: d(3),
          repositories: ['team/api'],
          errorCode: 'EXTRACT_PATH_ESCAPE',
          errorMessage: 'path escapes the root',
          at: expect.stringMatching(/^\d{4}-/) as string,
        },
      ]);
      const scan = status.queues.find((q) => q.queue === 'scan');
      expect(scan).toMatchObject({ waiting: 1, active: 0 });
      expect(scan!.oldestWaitingSeconds).toBeGreaterThanOrEqual(0);
      expect(scan!.oldestWaitingSeconds).toBeLessThan(60);
    });
  });
}

/**
 * Two repositories: an image (tagged, signed, judged) in both, an index with
 * its platform image, a signature, and an image whose scan failed.
 */
async function seed(stores: Stores): Promise<void> {
  await stores.manifests.save(manifest(1, 'image'), 'team/app');
  await stores.manifests.save(manifest(1, 'image'), 'team/api');
  await stores.manifests.save(
    manifest(2, 'image', { platform: 'linux/arm64' }),
    'team/app',
  );
  await stores.manifests.save(
    manifest(4, 'index', {
      references: [
        { role: 'manifest', digest: d(2), mediaType: OCI_IMAGE, sizeBytes: 1 },
      ],
    }),
    'team/app',
  );
  await stores.manifests.save(
    manifest(5, 'signature', { subjectDigest: d(1) }),
    'team/app',
  );
  await stores.manifests.save(manifest(3, 'image'), 'team/api');
  await stores.scans.start(d(3));
  await stores.scans.fail(
    d(3),
    'EXTRACT_PATH_ESCAPE',
    'path escapes the root',
    true,
  );
  await stores.manifests.setTag('team/app', 'v1', d(1));
  await stores.manifests.setTag('team/app', 'latest', d(1));
  await stores.scans.start(d(1));
  await stores.scans.complete(d(1), {
    packages: [],
    warnings: [],
    stats: {},
    detectorKey: 'k',
    durationMs: 5,
  });
  const verdict = (environment: string, status: 'eligible' | 'ineligible') => ({
    repository: 'team/app',
    digest: d(1),
    environment,
    status,
    reasons:
      environment === 'test'
        ? [{ code: 'BREAK_GLASS' as 'POLICY_PASSED', message: 'grant' }]
        : [],
    rulesVersion: 'r1',
    snapshotId: null,
  });
  await stores.verdicts.save(
    [
      verdict('dev', 'eligible'),
      verdict('test', 'eligible'),
      verdict('prod', 'ineligible'),
    ],
    'test',
  );
  await stores.signatures.replaceFor(d(1), [
    {
      subjectDigest: d(1),
      signatureDigest: d(5),
      layerDigest: d(6),
      format: 'cosign',
      discoveredVia: 'tag',
      status: 'verified',
      signer: 'key:release',
      payload: {},
    },
  ]);
  for (const [id, tag] of [
    ['ev-1', 'latest'],
    ['ev-2', 'v1'],
  ] as const) {
    await stores.events.record({
      source: 'distribution',
      eventId: id,
      action: 'push',
      repository: 'team/app',
      digest: d(1),
      tag,
      outcome: 'scan',
      body: {},
    });
    await new Promise((r) => setTimeout(r, 5));
  }
}
