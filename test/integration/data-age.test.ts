/**
 * `maxDataAgeHours`: verdicts fail closed when the vulnerability data grows
 * older than the limit, at that moment (the expiry timer), under a
 * controlled clock.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/log/create-logger.js';
import { dataAgeDeadline } from '../../lib/policy/data-age-source.js';
import { ExpiryTimer } from '../../lib/policy/expiry-timer.js';
import { judgeImage, type JudgeDeps } from '../../lib/policy/judge.js';
import { rejudgeAll } from '../../lib/policy/rejudge-all.js';
import { parseRules } from '../../lib/policy/rules.js';
import type { Database } from '../../lib/storage/database.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { openPgliteDatabase } from '../../lib/storage/postgres/pglite-database.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import type { Stores } from '../../lib/storage/ports.js';
import { importVulnData } from '../../lib/vulndb/import.js';
import { ControlledClock } from '../helpers/controlled-clock.js';
import { digestOf, storeScannedImage } from '../helpers/stored-images.js';

const logger = createLogger({ level: 'silent' });
const HOUR = 3_600_000;
const IMAGE = { repository: 'team/fresh', digest: digestOf('data-age') };
const rules = parseRules(
  'version: 1\nenvironments:\n  dev: {}\n  prod:\n    vulnerabilities: { maxDataAgeHours: 1 }\n',
  () => '',
);

describe('maxDataAgeHours', () => {
  let db: Database;
  let stores: Stores;
  let judge: JudgeDeps;
  let timer: ExpiryTimer;
  let clock: ControlledClock;
  const work = mkdtempSync(join(tmpdir(), 'customs-data-age-'));
  const status = async (environment: string) =>
    (await stores.verdicts.get(IMAGE.repository, IMAGE.digest, environment))
      ?.status;

  beforeAll(async () => {
    ({ database: db } = await openPgliteDatabase(undefined));
    await migrate(db);
    stores = createStores(db);
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
    await storeScannedImage(stores, { ...IMAGE, packages: [] });
    timer = new ExpiryTimer({
      stores,
      rejudge: () => Promise.resolve(),
      now: clock.now,
      sweepIntervalMs: 24 * HOUR,
      lookbackMs: 0,
      logger,
      timers: clock.timers,
      deadlines: [
        dataAgeDeadline({
          vulns: stores.vulns,
          rules: () => rules,
          rejudgeAll: async (cause) =>
            void (await rejudgeAll({ ...judge, stores }, cause)),
        }),
      ],
    });
  });
  afterAll(async () => {
    await timer?.close();
    await db?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses in prod while no data was ever imported', async () => {
    await judgeImage(judge, IMAGE, 'scan: test');
    expect(await status('prod')).toBe('ineligible');
    expect(await status('dev')).toBe('eligible');
    const verdict = await stores.verdicts.get(
      IMAGE.repository,
      IMAGE.digest,
      'prod',
    );
    expect(verdict?.reasons[0]?.code).toBe('DATA_STALE');
  });

  it('admits with fresh data, and refuses again when it turns older than the limit', async () => {
    const file = join(work, 'GHSA-test-0001.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'GHSA-test-0001',
        modified: '2024-01-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'npm', name: 'nothing-here' },
            ranges: [
              {
                type: 'SEMVER',
                events: [{ introduced: '0' }, { fixed: '1.0.0' }],
              },
            ],
          },
        ],
      }),
    );
    await importVulnData(stores.vulns, [file], { logger });
    const importedAt = Date.parse((await stores.vulns.summary()).lastImportAt!);
    await judgeImage(judge, IMAGE, 'data imported');
    expect(await status('prod')).toBe('eligible');
    await timer.start();
    // The timer is set for the moment the data reaches one hour.
    expect(clock.nextTimerInMs()).toBe(importedAt + HOUR - clock.now());
    clock.advance(clock.nextTimerInMs()! - 1);
    await timer.start();
    expect(await status('prod')).toBe('eligible');
    clock.advance(1);
    await timer.start();
    expect(await status('prod')).toBe('ineligible');
    expect(await status('dev')).toBe('eligible');
  });
});
