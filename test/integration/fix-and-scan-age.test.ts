/**
 * `maxFixableDays` and `maxScanAgeHours` on real databases, under a
 * controlled clock: verdicts change the moment a fix or a scan grows older
 * than the limit (the expiry timer), a re-match after an import does not
 * reset when a fix was first seen, and the single-image and batch judge
 * paths agree throughout.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/log/create-logger.js';
import { ageDeadlines } from '../../lib/policy/age-deadlines.js';
import { ExpiryTimer } from '../../lib/policy/expiry-timer.js';
import { judgeImage, type JudgeDeps } from '../../lib/policy/judge.js';
import { judgeImageBatch } from '../../lib/policy/judge-batch.js';
import { rejudgeImages } from '../../lib/policy/rejudge.js';
import { parseRules } from '../../lib/policy/rules.js';
import { rematchStoredImages } from '../../lib/scan/rematch.js';
import type { Database } from '../../lib/storage/database.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import type { Stores } from '../../lib/storage/ports.js';
import { importVulnData } from '../../lib/vulndb/import.js';
import { matchImage } from '../../lib/vulndb/match-image.js';
import { ControlledClock } from '../helpers/controlled-clock.js';
import { ENGINES } from '../helpers/databases.js';
import {
  digestOf,
  languagePackage,
  storeScannedImage,
} from '../helpers/stored-images.js';

const logger = createLogger({ level: 'silent' });
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ADVISORY = 'GHSA-35jh-r3h4-6jhm';
const RECORD = new URL(
  `../../../shared/data/osv/ghsa/${ADVISORY}.json`,
  import.meta.url,
);
const IMAGE = { repository: 'team/aging', digest: digestOf('aging') };
const rules = parseRules(
  [
    'version: 1',
    'environments:',
    '  dev: {}',
    '  test:',
    '    vulnerabilities: { maxScanAgeHours: 24 }',
    '  prod:',
    '    vulnerabilities: { maxFixableDays: { days: 30, minSeverity: high } }',
  ].join('\n'),
  () => '',
);

describe.each(ENGINES)('fix and scan age limits (%s)', (_name, open) => {
  let db: Database;
  let done: () => Promise<void>;
  let stores: Stores;
  let judge: JudgeDeps;
  let timer: ExpiryTimer;
  let clock: ControlledClock;
  let work: string;

  /** Each environment's stored status and reason codes. */
  const verdicts = async () =>
    Object.fromEntries(
      (await stores.verdicts.list(IMAGE.repository, IMAGE.digest)).map((v) => [
        v.environment,
        { status: v.status, reasons: v.reasons },
      ]),
    );
  /** Judges by both paths in turn; they must store the very same verdicts. */
  const judgeBothWays = async () => {
    await judgeImage(judge, IMAGE, 'single image');
    const single = await verdicts();
    const contexts = await stores.rematch.contextOf([IMAGE.digest]);
    await judgeImageBatch(judge, contexts.values(), 'batch');
    expect(await verdicts()).toEqual(single);
    return Object.fromEntries(
      Object.entries(single).map(([env, v]) => [
        env,
        `${v.status}: ${v.reasons.map((r) => r.code).join(', ')}`,
      ]),
    );
  };
  const importRecord = async (summary: string) => {
    const record = JSON.parse(await readFile(RECORD, 'utf8')) as Record<
      string,
      unknown
    >;
    const file = join(work, `${ADVISORY}.json`);
    await writeFile(
      file,
      JSON.stringify({
        ...record,
        summary,
        modified: new Date().toISOString(),
      }),
    );
    await importVulnData(stores.vulns, [file], { logger });
  };
  const fixSince = async () =>
    Date.parse(
      (await stores.findings.list(IMAGE.digest))[0]!.fixAvailableSince!,
    );

  beforeAll(async () => {
    ({ db, done } = await open());
    await migrate(db);
    stores = createStores(db);
    work = await mkdtemp(join(tmpdir(), 'customs-aging-'));
    clock = new ControlledClock(new Date().toISOString());
    judge = {
      stores,
      rules: () => rules,
      logger,
      overrides: {
        load: () => Promise.resolve({ exceptions: [], grants: [] }),
        now: clock.now,
      },
    };
    await importRecord('Command Injection in lodash');
    await storeScannedImage(stores, {
      ...IMAGE,
      packages: [languagePackage('npm', 'lodash', '4.17.15')],
    });
    await matchImage(stores, IMAGE.digest);
    const rejudge = async (images: (typeof IMAGE)[], cause: string) =>
      void (await rejudgeImages(judge, images, cause));
    timer = new ExpiryTimer({
      stores,
      rejudge,
      now: clock.now,
      sweepIntervalMs: 365 * DAY,
      lookbackMs: 0,
      logger,
      timers: clock.timers,
      deadlines: (['fix', 'scan'] as const).map((kind) =>
        ageDeadlines({ stores, rules: () => rules, rejudge }, kind),
      ),
    });
  });
  afterAll(async () => {
    await timer?.close();
    await done?.();
    await rm(work, { recursive: true, force: true });
  });

  it('admits a freshly scanned image whose fix just appeared', async () => {
    expect(await judgeBothWays()).toEqual({
      dev: 'eligible: POLICY_PASSED',
      test: 'eligible: POLICY_PASSED',
      prod: 'eligible: POLICY_PASSED',
    });
  });

  it('refuses in test the moment the scan is 24 h old', async () => {
    const scannedAt = Date.parse(
      (await stores.scans.get(IMAGE.digest))!.finishedAt!,
    );
    await timer.start();
    expect(clock.nextTimerInMs()).toBe(scannedAt + 24 * HOUR - clock.now());
    clock.advance(clock.nextTimerInMs()! - 1);
    await timer.start();
    expect((await verdicts()).test?.status).toBe('eligible');
    clock.advance(1);
    await timer.start();
    expect((await verdicts()).test?.reasons).toMatchObject([
      { code: 'SCAN_STALE', details: { maxScanAgeHours: 24 } },
    ]);
    expect(await judgeBothWays()).toEqual({
      dev: 'eligible: POLICY_PASSED',
      test: 'ineligible: SCAN_STALE',
      prod: 'eligible: POLICY_PASSED',
    });
  });

  it('keeps when the fix was first seen through a re-match after an import', async () => {
    const since = await fixSince();
    await importRecord('Command Injection in lodash (revised)');
    const summary = await rematchStoredImages(
      { stores, judge, logger },
      'test import',
      AbortSignal.timeout(60_000),
    );
    expect(summary).toMatchObject({ images: 1, changedImages: 1 });
    expect((await stores.findings.list(IMAGE.digest))[0]).toMatchObject({
      summary: 'Command Injection in lodash (revised)',
    });
    expect(await fixSince()).toBe(since);
  });

  it('refuses in prod the moment the fix has been available 30 days', async () => {
    const deadline = (await fixSince()) + 30 * DAY;
    await timer.reschedule();
    expect(clock.nextTimerInMs()).toBe(deadline - clock.now());
    clock.advance(clock.nextTimerInMs()! - 1);
    await timer.start();
    expect((await verdicts()).prod?.status).toBe('eligible');
    clock.advance(1);
    await timer.start();
    expect((await verdicts()).prod).toEqual({
      status: 'ineligible',
      reasons: [
        {
          code: 'FIX_AVAILABLE_TOO_LONG',
          message:
            '1 vulnerability of high or above with a fix available for 30 days or more: CVE-2021-23337 (fix available 30 d)',
          details: {
            maxFixableDays: 30,
            minSeverity: 'high',
            advisories: [
              {
                id: 'CVE-2021-23337',
                fixAvailableSince: new Date(deadline - 30 * DAY).toISOString(),
                days: 30,
              },
            ],
          },
        },
      ],
    });
    const history = await stores.verdicts.history(
      IMAGE.repository,
      IMAGE.digest,
    );
    expect(history.at(-1)).toMatchObject({
      environment: 'prod',
      oldStatus: 'eligible',
      newStatus: 'ineligible',
      cause: 'a fix has been available for 30 days',
    });
    expect(await judgeBothWays()).toEqual({
      dev: 'eligible: POLICY_PASSED',
      test: 'ineligible: SCAN_STALE',
      prod: 'ineligible: FIX_AVAILABLE_TOO_LONG',
    });
  });
});
