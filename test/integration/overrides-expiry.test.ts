/**
 * Exceptions and break-glass grants change verdicts when made, and again
 * at their expiry (a timer, not the next scan), under a controlled clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/log/create-logger.js';
import { decide } from '../../lib/policy/decide.js';
import { ExpiryTimer } from '../../lib/policy/expiry-timer.js';
import { judgeImage, type JudgeDeps } from '../../lib/policy/judge.js';
import {
  createException,
  grantBreakGlass,
  previewException,
  revokeException,
  type OverrideAdminDeps,
} from '../../lib/policy/override-admin.js';
import { storeOverrideSource } from '../../lib/policy/override-source.js';
import { rejudgeImages } from '../../lib/policy/rejudge.js';
import { parseRules } from '../../lib/policy/rules.js';
import { storeVerdictSource } from '../../lib/policy/verdict-source.js';
import type { Database } from '../../lib/storage/database.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { openPgliteDatabase } from '../../lib/storage/postgres/pglite-database.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import type { Stores } from '../../lib/storage/ports.js';
import { ControlledClock } from '../helpers/controlled-clock.js';
import {
  digestOf,
  storeImageWithHighFinding,
} from '../helpers/stored-images.js';

const logger = createLogger({ level: 'silent' });
const RULES = `
version: 1
environments:
  dev:
    vulnerabilities: { maxSeverity: critical }
  prod:
    vulnerabilities: { maxSeverity: medium }
`;
const IMAGE = { repository: 'team/app', digest: digestOf('overrides-app') };

describe('exceptions and break-glass under a controlled clock', () => {
  let db: Database;
  let stores: Stores;
  let judge: JudgeDeps;
  let admin: OverrideAdminDeps;
  let expiry: ExpiryTimer;
  const clock = new ControlledClock('2030-01-01T00:00:00Z');

  const prod = async () =>
    (await stores.verdicts.get(IMAGE.repository, IMAGE.digest, 'prod'))!;
  const door = () =>
    decide(storeVerdictSource(stores), IMAGE.repository, IMAGE.digest, 'prod');
  /** Fires due timers, then waits for the check they started. */
  const advance = async (ms: number) => {
    clock.advance(ms);
    await expiry.start().catch(() => undefined);
  };

  beforeAll(async () => {
    ({ database: db } = await openPgliteDatabase(undefined));
    await migrate(db);
    stores = createStores(db);
    const rules = parseRules(RULES, () => '');
    judge = {
      stores,
      rules: () => rules,
      logger,
      overrides: storeOverrideSource(stores, clock.now),
      audit: stores.audit,
    };
    expiry = new ExpiryTimer({
      stores,
      rejudge: async (images, cause) =>
        void (await rejudgeImages(judge, images, cause)),
      now: clock.now,
      sweepIntervalMs: 3_600_000,
      lookbackMs: 0,
      logger,
      timers: clock.timers,
    });
    admin = {
      stores,
      judge,
      environments: () => new Set(['dev', 'prod']),
      now: clock.now,
      expiry,
    };
    await storeImageWithHighFinding(stores, IMAGE);
    await judgeImage(judge, IMAGE, 'scan: test');
    await expiry.start();
  });
  afterAll(async () => {
    await expiry?.close();
    await db?.close();
  });

  it('starts ineligible in prod because of the high finding', async () => {
    expect((await prod()).status).toBe('ineligible');
    expect((await door()).allowed).toBe(false);
  });

  it('previews an exception without storing it', async () => {
    const changes = await previewException(admin, {
      advisoryId: 'cve-2020-8203',
      scope: { repository: 'team/*' },
      owner: 'team-a',
      justification: 'not reachable',
      expiresAt: clock.iso(60_000),
    });
    expect(changes).toEqual([
      {
        ...IMAGE,
        environment: 'prod',
        from: 'ineligible',
        to: 'eligible',
        reasons: ['POLICY_PASSED', 'EXCEPTION_APPLIED'],
      },
    ]);
    expect(await stores.exceptions.list()).toEqual([]);
    expect((await prod()).status).toBe('ineligible');
  });

  it('makes prod eligible with an exception, and ineligible again at its expiry', async () => {
    const created = await createException(
      admin,
      {
        advisoryId: 'CVE-2020-8203',
        package: 'lodash',
        scope: { repository: 'team/*', environments: ['prod'] },
        owner: 'team-a',
        justification: 'the vulnerable function is not used',
        expiresAt: clock.iso(60_000),
      },
      'alice',
    );
    expect(created).toMatchObject({
      advisoryId: 'CVE-2020-8203',
      package: 'lodash',
      scope: { repository: 'team/*', environments: ['prod'] },
      createdBy: 'alice',
      revokedAt: null,
    });
    const during = await prod();
    expect(during.status).toBe('eligible');
    expect(during.reasons).toContainEqual(
      expect.objectContaining({
        code: 'EXCEPTION_APPLIED',
        details: expect.objectContaining({ exceptionId: created.id }) as object,
      }),
    );
    expect((await door()).allowed).toBe(true);
    // The timer is set for the expiry itself.
    expect(clock.nextTimerInMs()).toBe(60_000);

    await advance(59_999);
    expect((await prod()).status).toBe('eligible');
    await advance(1);
    const after = await prod();
    expect(after.status).toBe('ineligible');
    expect(after.reasons.map((r) => r.code)).not.toContain('EXCEPTION_APPLIED');
    expect((await door()).allowed).toBe(false);
    const { entries } = await stores.audit.query({
      limit: 10,
      action: 'verdict.change',
    });
    expect(entries[0]).toMatchObject({
      actor: 'customs',
      target: `${IMAGE.repository}@${IMAGE.digest}/prod`,
      before: { status: 'eligible' },
      after: { status: 'ineligible', cause: `exception ${created.id} expired` },
    });
  });

  it('does not apply an exception to another package or environment, and revokes one', async () => {
    const other = await createException(
      admin,
      {
        advisoryId: 'CVE-2020-8203',
        package: 'underscore',
        scope: {},
        owner: 'team-a',
        justification: 'wrong package',
        expiresAt: clock.iso(3_600_000),
      },
      'alice',
    );
    expect((await prod()).status).toBe('ineligible');
    const dev = await createException(
      admin,
      {
        advisoryId: 'GHSA-35jh-r3h4-6jhm',
        scope: { digest: IMAGE.digest },
        owner: 'team-a',
        justification: 'temporary',
        expiresAt: clock.iso(3_600_000),
      },
      'alice',
    );
    expect((await prod()).status).toBe('eligible');
    expect(await revokeException(admin, dev.id, 'bob')).toBe(true);
    expect((await prod()).status).toBe('ineligible');
    expect(await revokeException(admin, 999_999, 'bob')).toBe(false);
    expect(await revokeException(admin, other.id, 'bob')).toBe(true);
  });

  it('opens break-glass for one digest in one environment, announced, until its expiry', async () => {
    const grant = await grantBreakGlass(
      admin,
      {
        ...IMAGE,
        environment: 'prod',
        ticket: 'INC-42',
        reason: 'outage fix',
        expiresAt: clock.iso(30_000),
      },
      'carol',
    );
    const during = await prod();
    expect(during.status).toBe('eligible');
    expect(during.reasons[0]).toMatchObject({
      code: 'BREAK_GLASS',
      details: {
        grantId: grant.id,
        ticket: 'INC-42',
        statusWithoutGrant: 'ineligible',
      },
    });
    expect((await door()).allowed).toBe(true);
    expect(clock.nextTimerInMs()).toBe(30_000);
    await advance(30_000);
    expect((await prod()).status).toBe('ineligible');
    // A second check (another replica, a sweep) announces it no more.
    await expiry.start();
    const events = await db.query<{ type: string; subject: string }>(
      `SELECT type, subject FROM event_outbox WHERE type LIKE 'customs.breakglass.%' ORDER BY id`,
    );
    expect(events.rows).toEqual([
      {
        type: 'customs.breakglass.granted',
        subject: `${IMAGE.repository}@${IMAGE.digest}`,
      },
      {
        type: 'customs.breakglass.expired',
        subject: `${IMAGE.repository}@${IMAGE.digest}`,
      },
    ]);
    const audited = await stores.audit.query({ limit: 50, actor: 'carol' });
    expect(audited.entries.map((e) => e.action)).toEqual(['break-glass.grant']);
    expect(
      (await stores.audit.query({ limit: 5, action: 'break-glass.expire' }))
        .entries,
    ).toHaveLength(1);
  });

  it('refuses an expiry in the past and an unknown environment', async () => {
    await expect(
      grantBreakGlass(
        admin,
        {
          ...IMAGE,
          environment: 'staging',
          ticket: 'T',
          reason: 'r',
          expiresAt: clock.iso(1000),
        },
        'carol',
      ),
    ).rejects.toThrow(/unknown environment\(s\) staging/);
    await expect(
      createException(
        admin,
        {
          advisoryId: 'X',
          scope: {},
          owner: 'o',
          justification: 'j',
          expiresAt: clock.iso(-1),
        },
        'carol',
      ),
    ).rejects.toThrow(/not in the future/);
  });
});
