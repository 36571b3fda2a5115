import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import type { Advisory } from '../../lib/core/advisory.js';
import type { Digest } from '../../lib/core/digest.js';
import type { ImagePackage } from '../../lib/core/package.js';
import type { Database } from '../../lib/storage/database.js';
import {
  migrate,
  pendingMigrations,
  readMigrations,
} from '../../lib/storage/postgres/migrate.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import { VERDICT_CHANNEL } from '../../lib/storage/postgres/verdict-store.js';
import { TAG_CHANNEL } from '../../lib/storage/postgres/manifest-store.js';
import { vacuumWhereNeeded } from '../../lib/storage/postgres/table-upkeep.js';
import type { ManifestRecord, Stores } from '../../lib/storage/ports.js';
import { describeAdminStores } from './admin-stores.suite.js';
import { describeFindingTimes } from './finding-times.suite.js';

const d = (n: number): Digest => `sha256:${n.toString(16).padStart(64, '0')}`;

/**
 * The storage conformance suite: the same assertions for every database
 * Customs runs on (PGlite and PostgreSQL), so behaviour is identical.
 */
export function describeStores(
  name: string,
  open: () => Promise<{ db: Database; cleanup: () => Promise<void> }>,
): void {
  describe(`stores on ${name}`, () => {
    let db: Database;
    let stores: Stores;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      ({ db, cleanup } = await open());
      await migrate(db);
      stores = createStores(db);
    });
    afterAll(async () => {
      await db.close();
      await cleanup();
    });

    describeAdminStores(() => stores);

    it('applies migrations once, and refuses an edited one', async () => {
      expect(await pendingMigrations(db)).toEqual([]);
      expect(await migrate(db)).toEqual([]);
      const edited = readMigrations().map((m, i) =>
        i === 0 ? { ...m, checksum: 'x' } : m,
      );
      await expect(migrate(db, edited)).rejects.toMatchObject({
        code: 'MIGRATION_FAILED',
      });
    });

    it('stores an event once per (source, id)', async () => {
      const e = {
        source: 'distribution',
        eventId: 'ev-1',
        action: 'push',
        repository: 'a/b',
        outcome: 'scan',
        body: { x: 1 },
      };
      expect(await stores.events.record(e)).toBe(true);
      expect(await stores.events.record(e)).toBe(false);
      await stores.events.remove('distribution', 'ev-1');
      expect(await stores.events.record(e)).toBe(true);
      expect((await stores.events.recent(10))[0]).toMatchObject({
        eventId: 'ev-1',
        body: { x: 1 },
      });
    });

    it('round-trips manifests, tags, repositories and parents', async () => {
      const image: ManifestRecord = {
        digest: d(1),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        kind: 'image',
        body: Buffer.from([0, 1, 2, 255]),
        references: [
          {
            role: 'config',
            digest: d(2),
            mediaType: 'application/vnd.oci.image.config.v1+json',
            sizeBytes: 10,
          },
          {
            role: 'layer',
            digest: d(3),
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            sizeBytes: 5_000_000_000,
          },
        ],
      };
      const index: ManifestRecord = {
        digest: d(4),
        mediaType: 'application/vnd.oci.image.index.v1+json',
        kind: 'index',
        body: Buffer.from('{}'),
        references: [
          {
            role: 'manifest',
            digest: d(1),
            mediaType: image.mediaType,
            sizeBytes: 4,
            platform: 'linux/amd64',
          },
        ],
      };
      await stores.manifests.save(image, 'team/app');
      await stores.manifests.save(image, 'team/app');
      await stores.manifests.save(index, 'team/app');
      expect(await stores.manifests.get(d(1))).toEqual({
        ...image,
        subjectDigest: undefined,
        platform: undefined,
        references: image.references.map((r) => ({
          ...r,
          platform: undefined,
        })),
      });
      await stores.manifests.setTag('team/app', 'v1', d(4));
      await stores.manifests.setTag('team/app', 'v1', d(1));
      expect(await stores.manifests.tagsOf('team/app', d(1))).toEqual(['v1']);
      expect(await stores.manifests.repositoriesOf(d(1))).toEqual(['team/app']);
      expect(await stores.manifests.parentsOf('team/app', d(1))).toEqual([
        d(4),
      ]);
      expect(await stores.manifests.get(d(99))).toBeUndefined();
    });

    it('serves a blob only when a manifest eligible in that environment and repository references it', async () => {
      const verdict = (
        environment: string,
        status: 'eligible' | 'ineligible',
      ) => ({
        repository: 'team/app',
        digest: d(1),
        environment,
        status,
        reasons: [],
        rulesVersion: 'r1',
        snapshotId: null,
      });
      await stores.verdicts.save(
        [verdict('dev', 'eligible'), verdict('prod', 'ineligible')],
        'test',
      );
      expect(
        await stores.manifests.blobAccess('team/app', d(3), 'dev'),
      ).toEqual({ servable: true, known: true });
      expect(
        await stores.manifests.blobAccess('team/app', d(3), 'prod'),
      ).toEqual({ servable: false, known: true });
      expect(
        await stores.manifests.blobAccess('team/app', d(3), 'test'),
      ).toEqual({ servable: false, known: true });
      expect(
        await stores.manifests.blobAccess('other/app', d(3), 'dev'),
      ).toEqual({ servable: false, known: false });
      expect(
        await stores.manifests.blobAccess('team/app', d(77), 'dev'),
      ).toEqual({ servable: false, known: false });
      // A signature's blobs follow its subject's verdict.
      await stores.manifests.save(
        {
          digest: d(5),
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          kind: 'signature',
          body: Buffer.from('s'),
          subjectDigest: d(1),
          references: [
            { role: 'layer', digest: d(6), mediaType: 'x', sizeBytes: 1 },
          ],
        },
        'team/app',
      );
      expect(
        await stores.manifests.blobAccess('team/app', d(6), 'dev'),
      ).toEqual({ servable: true, known: true });
      expect(
        await stores.manifests.blobAccess('team/app', d(6), 'prod'),
      ).toEqual({ servable: false, known: true });
    });

    it('records scans and many packages', async () => {
      const pkgs: ImagePackage[] = Array.from({ length: 3000 }, (_, i) => ({
        ecosystem: 'Debian:12',
        name: `p${i}`,
        version: `1.${i}`,
        sourceName: i % 2 ? `s${i}` : undefined,
        purl: `pkg:deb/debian/p${i}@1.${i}`,
        layerDigest: d(3),
        detector: 'os/dpkg',
        path: 'var/lib/dpkg/status',
        license: i % 3 === 0 ? 'GPL-2+ or Artistic' : undefined,
      }));
      await stores.scans.start(d(1));
      expect(await stores.scans.get(d(1))).toMatchObject({
        status: 'running',
        attempts: 1,
      });
      await stores.scans.complete(d(1), {
        packages: pkgs,
        warnings: [{ code: 'W', message: 'm' }],
        stats: { layers: 1 },
        detectorKey: 'os/dpkg@1',
        durationMs: 12.4,
        distribution: { id: 'debian', versionId: '12' },
      });
      const back = await stores.scans.packages(d(1));
      expect(back).toHaveLength(3000);
      expect(back[1]).toEqual({
        ...pkgs[1],
        arch: undefined,
        sourceVersion: undefined,
      });
      expect(back[1]).not.toHaveProperty('license');
      expect(back[3]?.license).toBe('GPL-2+ or Artistic');
      expect(await stores.scans.get(d(1))).toMatchObject({
        status: 'done',
        durationMs: 12,
        distribution: { id: 'debian', versionId: '12' },
        warnings: [{ code: 'W', message: 'm' }],
      });
      expect(await stores.scans.scannedDigests()).toEqual([d(1)]);
      await stores.scans.start(d(8));
      await stores.scans.fail(d(8), 'LAYER_CORRUPT', 'bad gzip', true);
      expect(await stores.scans.get(d(8))).toMatchObject({
        status: 'failed',
        errorCode: 'LAYER_CORRUPT',
      });
    });

    it('imports advisories idempotently and finds them by (ecosystem, name)', async () => {
      const adv = (id: string, fixed: string): Advisory => ({
        id,
        source: 'osv',
        modified: '2024-01-01T00:00:00Z',
        aliases: ['CVE-1'],
        related: [],
        severity: [],
        affected: [
          {
            ecosystem: 'Debian:12',
            name: 'zlib',
            versions: [],
            ranges: [
              { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] },
            ],
          },
        ],
      });
      expect(await stores.vulns.currentSnapshot()).toBeNull();
      const staged = (a: Advisory) => ({
        advisory: a,
        feed: '/feed',
        packages: a.affected.map((p) => ({
          ecosystem: p.ecosystem,
          name: p.name,
        })),
      });
      const run = await stores.vulns.beginImport(['/feed']);
      await stores.vulns.stage(
        [staged(adv('A-1', '1.0')), staged(adv('A-2', '2.0'))],
        run,
      );
      // A later copy of a record in the same import wins.
      await stores.vulns.stage([staged(adv('A-2', '2.1'))], run);
      expect(
        await stores.vulns.advisoriesFor([
          { ecosystem: 'Debian:12', name: 'zlib' },
        ]),
      ).toEqual([]);
      const committed = await stores.vulns.commitImport(run, {
        feeds: ['/feed'],
        withdrawFrom: ['/feed'],
        skipped: 0,
        warnings: [],
      });
      expect(committed).toEqual({
        snapshotId: 1,
        changedPackages: 1,
        feeds: [
          { feed: '/feed', added: 2, changed: 0, unchanged: 0, withdrawn: 0 },
        ],
      });
      expect(await stores.vulns.currentSnapshot()).toBe(1);
      const found = await stores.vulns.advisoriesFor([
        { ecosystem: 'Debian:12', name: 'zlib' },
        { ecosystem: 'npm', name: 'zlib' },
      ]);
      expect(found.map((a) => a.id)).toEqual(['A-1', 'A-2']);
      expect(found[1]).toEqual(adv('A-2', '2.1'));
      expect(
        await stores.vulns.advisoriesFor([
          { ecosystem: 'Debian:11', name: 'zlib' },
        ]),
      ).toEqual([]);
      expect(await stores.vulns.summary()).toMatchObject({
        advisories: 2,
        snapshotId: 1,
      });
      const failed = await stores.vulns.beginImport(['/feed']);
      await stores.vulns.stage([staged(adv('A-3', '3.0'))], failed);
      await stores.vulns.failImport(failed, [{ message: 'broken' }]);
      expect(await stores.vulns.currentSnapshot()).toBe(1);
      const next = await stores.vulns.beginImport(['/feed']);
      await stores.vulns.stage([staged(adv('A-2', '2.1'))], next);
      expect(
        await stores.vulns.commitImport(next, {
          feeds: ['/feed'],
          withdrawFrom: ['/feed'],
          skipped: 0,
          warnings: [],
        }),
      ).toEqual({
        snapshotId: 2,
        changedPackages: 1,
        feeds: [
          { feed: '/feed', added: 0, changed: 0, unchanged: 1, withdrawn: 1 },
        ],
      });
      expect(
        (
          await stores.vulns.advisoriesFor([
            { ecosystem: 'Debian:12', name: 'zlib' },
          ])
        ).map((a) => a.id),
      ).toEqual(['A-2']);
    });

    it('replaces findings and signatures', async () => {
      await stores.findings.replace(
        d(1),
        [
          {
            advisoryId: 'A-1',
            advisorySource: 'osv',
            aliases: ['CVE-1', 'CVE-2'],
            ecosystem: 'Debian:12',
            packageName: 'zlib1g',
            packageVersion: '1',
            advisoryPackage: 'zlib',
            severity: 'unknown',
            status: 'affected',
          },
        ],
        7,
      );
      expect(await stores.findings.list(d(1))).toEqual([
        expect.objectContaining({
          aliases: ['CVE-1', 'CVE-2'],
          snapshotId: 7,
          fixedVersion: undefined,
        }),
      ]);
      await stores.findings.replace(d(1), [], 8);
      expect(await stores.findings.list(d(1))).toEqual([]);
      const sig = {
        subjectDigest: d(1),
        signatureDigest: d(5),
        layerDigest: d(6),
        format: 'cosign',
        discoveredVia: 'tag',
        status: 'verified' as const,
        signer: 'key:release',
        payload: { a: 1 },
      };
      await stores.signatures.replaceFor(d(1), [sig]);
      expect(await stores.signatures.list(d(1))).toEqual([
        { ...sig, reason: undefined, signers: [], kind: 'signature' },
      ]);
      const attestation = {
        ...sig,
        layerDigest: d(7),
        format: 'dsse',
        signers: ['release', 'team-a'],
        identity: {
          subject: 'https://ci.example/release',
          issuer: 'https://oidc',
        },
        kind: 'attestation' as const,
        predicateType: 'https://slsa.dev/provenance/v1',
        reasonCode: undefined,
      };
      // Two signatures on one cosign tag may share their payload layer.
      const twin = {
        ...sig,
        status: 'unknown_key' as const,
        signer: undefined,
      };
      await stores.signatures.replaceFor(d(1), [sig, twin]);
      expect((await stores.signatures.list(d(1))).map((s) => s.status)).toEqual(
        ['verified', 'unknown_key'],
      );
      await stores.signatures.replaceFor(d(1), [attestation]);
      expect(await stores.signatures.list(d(1))).toEqual([
        { ...attestation, reason: undefined },
      ]);
    });

    it('refreshes planner statistics after a bulk re-match, vacuuming where no autovacuum runs', async () => {
      const before = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_user_tables
         WHERE relname = 'findings' AND last_analyze IS NOT NULL`,
      );
      expect(before.rows[0]!.n).toBe(0);
      const ran = await stores.rematch.refreshStatistics();
      const autovacuum = await db.query<{ on: string }>(
        "SELECT current_setting('autovacuum') AS on",
      );
      expect(ran).toBe(
        db.kind === 'postgres' && autovacuum.rows[0]!.on === 'on'
          ? 'analyze'
          : 'vacuum analyze',
      );
      const { rows } = await db.query<{
        relname: string;
        analyzed: boolean;
        vacuumed: boolean;
      }>(
        `SELECT relname, last_analyze IS NOT NULL AS analyzed,
           last_vacuum IS NOT NULL AS vacuumed
         FROM pg_stat_user_tables
         WHERE relname IN ('packages', 'image_package_keys', 'image_matches', 'findings',
           'finding_first_seen', 'verdicts')
         ORDER BY relname`,
      );
      expect(rows).toEqual(
        [
          'finding_first_seen',
          'findings',
          'image_matches',
          'image_package_keys',
          'packages',
          'verdicts',
        ].map((relname) => ({
          relname,
          analyzed: true,
          vacuumed: ran === 'vacuum analyze',
        })),
      );
    });

    it('vacuums every table periodically where no autovacuum runs', async () => {
      const autovacuum = await db.query<{ on: string }>(
        "SELECT current_setting('autovacuum') AS on",
      );
      const looksAfter =
        db.kind === 'postgres' && autovacuum.rows[0]!.on === 'on';
      const tables = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_user_tables',
      );
      const vacuumed = await vacuumWhereNeeded(db);
      expect(vacuumed).toBe(looksAfter ? 0 : tables.rows[0]!.n);
      if (looksAfter) return;
      const { rows } = await db.query<{ left: number }>(
        `SELECT count(*)::int AS left FROM pg_stat_user_tables
         WHERE last_vacuum IS NULL OR last_analyze IS NULL`,
      );
      expect(rows[0]!.left).toBe(0);
    });

    it('caches verification results by subject, artifact and trust version', async () => {
      const result = {
        subjectDigest: d(1),
        signatureDigest: d(5),
        layerDigest: d(6),
        format: 'cosign',
        discoveredVia: 'cosign-tag',
        status: 'unknown_key' as const,
        reasonCode: 'KEY_UNKNOWN',
      };
      expect(await stores.signatures.cached(d(1), d(5), 't1')).toBeUndefined();
      await stores.signatures.remember(d(1), d(5), 't1', [result]);
      await stores.signatures.remember(d(1), d(5), 't1', []);
      expect(await stores.signatures.cached(d(1), d(5), 't1')).toEqual([
        result,
      ]);
      expect(await stores.signatures.cached(d(1), d(5), 't2')).toBeUndefined();
      expect(await stores.signatures.cached(d(2), d(5), 't1')).toBeUndefined();
    });

    it('records verdict changes and announces writes', async () => {
      const heard: string[] = [];
      const stop = await db.listen(VERDICT_CHANNEL, (p) => heard.push(p));
      const v = {
        repository: 'x/y',
        digest: d(9),
        environment: 'prod',
        reasons: [{ code: 'SIGNATURE_MISSING' as const, message: 'unsigned' }],
        rulesVersion: 'r',
        snapshotId: null,
      };
      expect(
        await stores.verdicts.save([{ ...v, status: 'ineligible' }], 'scan'),
      ).toHaveLength(1);
      expect(
        await stores.verdicts.save([{ ...v, status: 'ineligible' }], 'scan'),
      ).toEqual([]);
      expect(
        await stores.verdicts.save([{ ...v, status: 'eligible' }], 'signature'),
      ).toEqual([
        {
          repository: 'x/y',
          digest: d(9),
          environment: 'prod',
          oldStatus: 'ineligible',
          newStatus: 'eligible',
          cause: 'signature',
        },
      ]);
      expect(await stores.verdicts.get('x/y', d(9), 'prod')).toMatchObject({
        status: 'eligible',
        rulesVersion: 'r',
      });
      expect(
        (await stores.verdicts.history('x/y', d(9))).map((h) => h.newStatus),
      ).toEqual(['ineligible', 'eligible']);
      await expect.poll(() => heard.length).toBeGreaterThanOrEqual(3);
      expect(JSON.parse(heard[0]!)).toEqual([`x/y@${d(9)}`]);
      await stop();
    });

    it('forgets a deleted image in one repository, keeping its scan', async () => {
      const image = {
        digest: d(301),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        kind: 'image' as const,
        body: Buffer.from('{}'),
        references: [
          {
            role: 'layer' as const,
            digest: d(302),
            mediaType: 'x',
            sizeBytes: 1,
          },
        ],
      };
      await stores.manifests.save(image, 'gone/app');
      await stores.manifests.save(image, 'kept/app');
      for (const repository of ['gone/app', 'kept/app']) {
        await stores.manifests.setTag(repository, 'v1', d(301));
        await stores.manifests.setTag(repository, 'v2', d(301));
        await stores.verdicts.save(
          [
            {
              repository,
              digest: d(301),
              environment: 'dev',
              status: 'eligible',
              reasons: [],
              rulesVersion: 'r',
              snapshotId: null,
            },
          ],
          'test',
        );
      }
      expect(await stores.manifests.judgedIn('gone/app')).toEqual([d(301)]);
      const heard: string[] = [];
      const stop = await db.listen(VERDICT_CHANNEL, (p) => heard.push(p));
      expect(await stores.manifests.untag('gone/app', 'v2')).toBe(d(301));
      expect(await stores.manifests.untag('gone/app', 'v2')).toBeUndefined();
      expect(await stores.manifests.forget('gone/app', d(301))).toBe(true);
      expect(await stores.manifests.forget('gone/app', d(301))).toBe(false);
      await expect
        .poll(() => heard.map((p) => JSON.parse(p) as string[]).flat())
        .toContain(`gone/app@${d(301)}`);
      await stop();
      expect(await stores.manifests.repositoriesOf(d(301))).toEqual([
        'kept/app',
      ]);
      expect(await stores.manifests.tagsOf('gone/app', d(301))).toEqual([]);
      expect(await stores.manifests.tagsOf('kept/app', d(301))).toEqual([
        'v1',
        'v2',
      ]);
      expect(await stores.verdicts.list('gone/app', d(301))).toEqual([]);
      expect(await stores.manifests.judgedIn('gone/app')).toEqual([]);
      expect(await stores.verdicts.list('kept/app', d(301))).toHaveLength(1);
      expect(
        await stores.manifests.blobAccess('gone/app', d(302), 'dev'),
      ).toEqual({ servable: false, known: false });
      expect(
        await stores.manifests.blobAccess('kept/app', d(302), 'dev'),
      ).toEqual({ servable: true, known: true });
      expect(await stores.manifests.get(d(301))).toBeDefined();
    });

    it('announces a tag that moved or went, not one recorded again', async () => {
      const image = (n: number) => ({
        digest: d(n),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        kind: 'image' as const,
        body: Buffer.from(`{"n":${n}}`),
        references: [],
      });
      await stores.manifests.save(image(401), 'moving/app');
      await stores.manifests.save(image(402), 'moving/app');
      const heard: string[] = [];
      const stop = await db.listen(TAG_CHANNEL, (p) =>
        heard.push(...(JSON.parse(p) as string[])),
      );
      await stores.manifests.setTag('moving/app', 'v1', d(401)); // new
      await stores.manifests.setTag('moving/app', 'v1', d(401)); // same
      await stores.manifests.setTag('moving/app', 'v2', d(401)); // new
      await stores.manifests.setTag('moving/app', 'v1', d(402)); // moved
      await stores.manifests.untag('moving/app', 'v1'); // deleted
      await stores.manifests.untag('moving/app', 'v1'); // already gone
      await stores.manifests.forget('moving/app', d(401)); // takes v2
      await expect.poll(() => heard.length).toBe(5);
      // Give a stray sixth announcement time to arrive before the check.
      await new Promise((r) => setTimeout(r, 100));
      await stop();
      expect(heard).toEqual([
        'moving/app:v1',
        'moving/app:v2',
        'moving/app:v1',
        'moving/app:v1',
        'moving/app:v2',
      ]);
    });

    it('answers the door: subjects, last-known tags and referrers', async () => {
      expect(await stores.serving.subjectOf(d(1))).toBeNull();
      expect(await stores.serving.subjectOf(d(5))).toBe(d(1));
      expect(await stores.serving.subjectOf(d(404))).toBeUndefined();
      expect(await stores.serving.tagged('team/app', 'v1')).toBe(d(1));
      expect(await stores.serving.tagged('team/app', 'v9')).toBeUndefined();
      const sig = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json' },
        }),
      );
      await stores.manifests.save(
        {
          digest: d(12),
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          kind: 'signature',
          body: sig,
          subjectDigest: d(1),
          references: [],
        },
        'team/app',
      );
      const referrers = await stores.serving.referrersOf('team/app', d(1));
      expect(referrers.map((r) => [r.digest, r.artifactType])).toContainEqual([
        d(12),
        'application/vnd.oci.image.config.v1+json',
      ]);
      expect(await stores.serving.referrersOf('other/app', d(1))).toEqual([]);
    });

    it('keeps pull credentials and one shared secret', async () => {
      const c = {
        name: 'ci',
        kind: 'robot' as const,
        secretHash: 'scrypt$x',
        environment: 'prod',
        pushRepositories: ['team/*', 'ops/app'],
        expiresAt: '2030-01-01T00:00:00.000Z',
      };
      expect(await stores.pullCredentials.create(c)).toBe(true);
      expect(await stores.pullCredentials.create(c)).toBe(false);
      expect(await stores.pullCredentials.find('ci')).toMatchObject({
        ...c,
        revokedAt: undefined,
      });
      expect(await stores.pullCredentials.revoke('ci')).toBe(true);
      expect((await stores.pullCredentials.list())[0]?.revokedAt).toEqual(
        expect.any(String),
      );
      expect(await stores.pullCredentials.revoke('nobody')).toBe(false);
      const secret = await stores.pullCredentials.sharedSecret('k');
      expect(secret).toMatch(/^[\w-]{43}$/);
      expect(await stores.pullCredentials.sharedSecret('k')).toBe(secret);
    });

    it('replaces the evidence of an image and reads it back', async () => {
      expect(await stores.evidence.get(d(70))).toBeUndefined();
      const secret = {
        ruleId: 'github-pat',
        title: 'GitHub personal access token',
        severity: 'critical' as const,
        path: 'srv/app/.env',
        layerDigest: d(71),
        line: 3,
        excerpt: 'GITHUB_TOKEN=*****',
      };
      await stores.evidence.save(d(70), { secrets: [secret, secret] });
      await stores.evidence.save(d(70), { secrets: [secret] });
      expect(await stores.evidence.get(d(70))).toEqual({ secrets: [secret] });
    });

    it('replaces each exploitation source whole and looks CVEs up', async () => {
      await stores.exploits.replaceKev(
        [
          {
            cveId: 'CVE-2021-44228',
            dateAdded: '2021-12-10',
            ransomware: true,
          },
          {
            cveId: 'CVE-2014-0160',
            dateAdded: '2022-05-04',
            ransomware: false,
          },
        ],
        '2025.08.25',
      );
      await stores.exploits.replaceEpss(
        [{ cveId: 'CVE-2021-44228', epss: 0.94, percentile: 0.99 }],
        '2025-08-25',
      );
      await stores.exploits.replaceKev(
        [
          {
            cveId: 'CVE-2021-44228',
            dateAdded: '2021-12-10',
            ransomware: true,
          },
        ],
        '2025.08.26',
      );
      const found = await stores.exploits.lookup([
        'CVE-2021-44228',
        'CVE-2014-0160',
        'CVE-1999-0001',
      ]);
      expect(found.get('CVE-2021-44228')).toEqual({
        cveId: 'CVE-2021-44228',
        kevDateAdded: '2021-12-10',
        kevRansomware: true,
        epss: 0.94,
        epssPercentile: 0.99,
      });
      // Dropped from the newer catalog: no longer known exploited.
      expect(found.get('CVE-2014-0160')?.kevDateAdded).toBeUndefined();
      expect(found.has('CVE-1999-0001')).toBe(false);
      expect(await stores.exploits.lookup([])).toEqual(new Map());
      expect(await stores.exploits.sources()).toEqual([
        { source: 'epss', version: '2025-08-25', entries: 1 },
        { source: 'kev', version: '2025.08.26', entries: 1 },
      ]);
    });

    // Last: it stores a scanned image, which earlier tests do not expect.
    describeFindingTimes(() => ({ db, stores }));
  });
}
