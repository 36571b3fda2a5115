/**
 * Re-evaluation after a data import, on real databases: only the images
 * a change concerns are re-matched (from stored packages, no layer), their
 * verdicts are recomputed, each change recorded with its cause and an
 * outbox event in the same transaction.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../../lib/core/digest.js';
import { createLogger } from '../../lib/log/create-logger.js';
import { judgeImage, type JudgeDeps } from '../../lib/policy/judge.js';
import { parseRules } from '../../lib/policy/rules.js';
import { rematchStoredImages } from '../../lib/scan/rematch.js';
import type { Database } from '../../lib/storage/database.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import type { Stores } from '../../lib/storage/ports.js';
import { importVulnData } from '../../lib/vulndb/import.js';
import { matchImage } from '../../lib/vulndb/match-image.js';
import { ENGINES } from '../helpers/databases.js';
import {
  debianMinbasePackages,
  digestOf,
  languagePackage,
  storeScannedImage,
} from '../helpers/stored-images.js';

const logger = createLogger({ level: 'silent' });
const data = (p: string) =>
  new URL(`../../../shared/data/${p}`, import.meta.url).pathname;
const RULES = `
version: 1
environments:
  dev:
    vulnerabilities: { maxSeverity: critical }
  prod:
    vulnerabilities: { maxSeverity: medium, unknownSeverityAs: high }
`;

describe.each(ENGINES)('re-evaluation after an import (%s)', (_name, open) => {
  let db: Database;
  let done: () => Promise<void>;
  let stores: Stores;
  let judge: JudgeDeps;
  let work: string;
  let ghsa: string;
  const debian = digestOf('debian');
  const app = digestOf('app');
  const plain = digestOf('plain');
  const later = digestOf('later');

  const statuses = async (digest: Digest) =>
    Object.fromEntries(
      (await stores.verdicts.list('team/app', digest)).map((v) => [
        v.environment,
        v.status,
      ]),
    );
  const rematch = () =>
    rematchStoredImages(
      { stores, judge, logger },
      'test import',
      AbortSignal.timeout(60_000),
    );

  beforeAll(async () => {
    ({ db, done } = await open());
    await migrate(db);
    stores = createStores(db);
    judge = { stores, rules: () => parseRules(RULES, () => ''), logger };
    work = await mkdtemp(join(tmpdir(), 'customs-rematch-'));
    ghsa = join(work, 'ghsa');
    await cp(data('osv/ghsa'), ghsa, { recursive: true });
    await importVulnData(
      stores.vulns,
      [data('raw/debian-security-tracker'), ghsa],
      { logger },
    );
    const images: Array<[Digest, ReturnType<typeof debianMinbasePackages>]> = [
      [debian, debianMinbasePackages()],
      [
        app,
        [
          languagePackage('npm', 'lodash', '4.17.15'),
          languagePackage('npm', 'minimist', '1.2.0'),
        ],
      ],
      [plain, [languagePackage('npm', 'is-number', '7.0.0')]],
    ];
    for (const [digest, packages] of images) {
      await storeScannedImage(stores, {
        repository: 'team/app',
        digest,
        packages,
      });
      await matchImage(stores, digest);
      await judgeImage(judge, { repository: 'team/app', digest }, 'scan: test');
    }
  });
  afterAll(async () => {
    await done();
    await rm(work, { recursive: true, force: true });
  });

  it('starts from the scan path verdicts', async () => {
    expect(await statuses(app)).toEqual({
      dev: 'eligible',
      prod: 'ineligible',
    });
    expect(await statuses(plain)).toEqual({
      dev: 'eligible',
      prod: 'eligible',
    });
    expect(
      (await stores.findings.list(app)).map((f) => f.advisoryId).sort(),
    ).toEqual([
      'GHSA-35jh-r3h4-6jhm',
      'GHSA-p6mc-m468-83gw',
      'GHSA-xvch-5gv4-984h',
    ]);
    // Nothing changed since: nothing to re-match.
    expect(await rematch()).toMatchObject({ images: 0, changedImages: 0 });
  });

  it('re-matches only the images an import concerns and records each verdict change', async () => {
    for (const id of [
      'GHSA-35jh-r3h4-6jhm',
      'GHSA-p6mc-m468-83gw',
      'GHSA-xvch-5gv4-984h',
    ]) {
      await rm(join(ghsa, `${id}.json`));
    }
    const imported = await importVulnData(stores.vulns, [ghsa], { logger });
    expect(imported.counts.withdrawn).toBe(3);
    const before = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM event_outbox',
    );
    const summary = await rematch();
    // lodash and minimist live in `app` only: neither `debian` nor `plain` is read.
    expect(summary).toMatchObject({
      images: 1,
      changedImages: 1,
      verdicts: 2,
      verdictChanges: 1,
    });
    expect(await stores.findings.list(app)).toEqual([]);
    expect(await statuses(app)).toEqual({ dev: 'eligible', prod: 'eligible' });
    const history = await stores.verdicts.history('team/app', app);
    expect(history.at(-1)).toMatchObject({
      environment: 'prod',
      oldStatus: 'ineligible',
      newStatus: 'eligible',
      cause: `rematch: vulnerability data snapshot ${imported.snapshotId} (test import)`,
    });
    const events = await db.query<{
      type: string;
      subject: string;
      data: Record<string, unknown>;
    }>('SELECT type, subject, data FROM event_outbox ORDER BY id DESC LIMIT 1');
    const after = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM event_outbox',
    );
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n + 1);
    expect(events.rows[0]).toMatchObject({
      type: 'customs.verdict.changed',
      subject: `team/app@${app}`,
      data: {
        repository: 'team/app',
        digest: app,
        environment: 'prod',
        old: 'ineligible',
        new: 'eligible',
        snapshotId: imported.snapshotId,
      },
    });
    // The batch verdicts are what the single-image path computes.
    expect(
      await judgeImage(judge, { repository: 'team/app', digest: app }, 'check'),
    ).toEqual([]);
    expect(await rematch()).toMatchObject({ images: 0 });
  });

  it('brings findings back when the advisories return, and redoes only theirs', async () => {
    const debianBefore = await stores.findings.list(debian);
    await cp(data('osv/ghsa'), ghsa, { recursive: true });
    await importVulnData(stores.vulns, [ghsa], { logger });
    expect(await rematch()).toMatchObject({
      images: 1,
      changedImages: 1,
      verdictChanges: 1,
    });
    expect(await statuses(app)).toEqual({
      dev: 'eligible',
      prod: 'ineligible',
    });
    expect(await stores.findings.list(debian)).toEqual(debianBefore);
  });

  it('changes the Debian image when a tracker entry becomes not-affected', async () => {
    const list = join(work, 'list');
    await cp(data('raw/debian-security-tracker/CVE-list.excerpt'), list);
    const original = await readFile(list, 'utf8');
    // zlib CVE-2023-45853: "- zlib 1:1.3.dfsg-2" becomes not-affected.
    await writeFile(
      list,
      original.replace(
        '\t- zlib 1:1.3.dfsg-2 (bug #1054290)',
        '\t- zlib <not-affected> (test)',
      ),
    );
    const before = (await stores.findings.list(debian)).filter((f) =>
      f.aliases.includes('CVE-2023-45853'),
    );
    expect(before.map((f) => f.packageName)).toEqual(['zlib1g']);
    const imported = await importVulnData(stores.vulns, [list], { logger });
    // Still an advisory (minizip <removed>), no longer naming zlib.
    expect(imported.counts).toMatchObject({ changed: 1, withdrawn: 0 });
    const summary = await rematch();
    expect(summary).toMatchObject({ images: 1, changedImages: 1 });
    expect(
      (await stores.findings.list(debian)).filter((f) =>
        f.aliases.includes('CVE-2023-45853'),
      ),
    ).toEqual([]);
  });

  it('matches an image never matched before in full', async () => {
    await storeScannedImage(stores, {
      repository: 'team/app',
      digest: later,
      packages: [languagePackage('npm', 'lodash', '4.17.20')],
    });
    const summary = await rematch();
    expect(summary).toMatchObject({ images: 1, changedImages: 1, verdicts: 2 });
    expect(
      (await stores.findings.list(later)).map((f) => f.advisoryId),
    ).toEqual(['GHSA-35jh-r3h4-6jhm']);
    expect(await statuses(later)).toEqual({
      dev: 'eligible',
      prod: 'ineligible',
    });
  });

  it('never marks current an image matched after the candidates were taken', async () => {
    const snapshot = (await stores.vulns.currentSnapshot())!;
    const { asOf } = await stores.rematch.candidates(snapshot);
    const racer = digestOf('racer');
    await storeScannedImage(stores, {
      repository: 'team/app',
      digest: racer,
      packages: [languagePackage('npm', 'minimist', '1.2.0')],
    });
    // A scan matched it against an older snapshot, just after `asOf`.
    await new Promise((r) => setTimeout(r, 20));
    await stores.rematch.recordMatch(racer, [], snapshot - 1);
    await stores.rematch.advanceAll(snapshot, asOf);
    const { rows } = await db.query<{ snapshot_id: number }>(
      'SELECT snapshot_id FROM image_matches WHERE image_digest = $1',
      [racer],
    );
    expect(rows[0]?.snapshot_id).toBe(snapshot - 1);
  });
});
