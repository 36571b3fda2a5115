/**
 * `customs rules check FILE`: offline validation, and the stored verdicts
 * a rules file would change (read from the embedded database).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/log/create-logger.js';
import { judgeImage } from '../../lib/policy/judge.js';
import { parseRules } from '../../lib/policy/rules.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { openDatabase } from '../../lib/storage/postgres/open-database.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import { runCustoms } from '../helpers/customs-process.js';
import {
  digestOf,
  storeImageWithHighFinding,
} from '../helpers/stored-images.js';

const work = mkdtempSync(join(tmpdir(), 'customs-rules-check-'));
const env = { CUSTOMS_DATADIR: join(work, 'data') };
const IMAGE = { repository: 'team/check', digest: digestOf('rules-check') };

describe('customs rules check', () => {
  beforeAll(async () => {
    const { database, lock } = await openDatabase({
      url: '',
      dataDir: env.CUSTOMS_DATADIR,
      poolSize: 1,
    });
    try {
      await migrate(database);
      const stores = createStores(database);
      await storeImageWithHighFinding(stores, IMAGE);
      // Its fix has been known for 40 days.
      await database.query(
        `UPDATE finding_first_seen SET first_seen_at = now() - interval '40 days',
           fix_available_since = now() - interval '40 days' WHERE image_digest = $1`,
        [IMAGE.digest],
      );
      const rules = parseRules(
        'version: 1\nenvironments:\n  dev: {}\n',
        () => '',
      );
      await judgeImage(
        {
          stores,
          rules: () => rules,
          logger: createLogger({ level: 'silent' }),
        },
        IMAGE,
        'scan: test',
      );
    } finally {
      await database.close();
      lock?.release();
    }
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('exits 2 listing every problem of an invalid file', async () => {
    const file = join(work, 'bad.yaml');
    writeFileSync(
      file,
      'version: 1\nenvironments:\n  dev: { mode: loud }\n  prod: { vulnerabilities: { maxSeverity: huge } }\n',
    );
    const r = await runCustoms(['rules', 'check', file], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/environments\.dev\.mode/);
    expect(r.stderr).toMatch(
      /environments\.prod\.vulnerabilities\.maxSeverity/,
    );
  });

  it('validates a good file and prints the verdicts it would change', async () => {
    const file = join(work, 'strict.yaml');
    writeFileSync(
      file,
      'version: 1\nenvironments:\n  dev: { vulnerabilities: { maxSeverity: medium } }\n',
    );
    const offline = await runCustoms(
      ['rules', 'check', file, '--offline'],
      env,
    );
    expect(offline.code).toBe(0);
    expect(offline.stdout).toMatch(
      /strict\.yaml: valid \(dev; version [0-9a-f]+\)/,
    );
    const r = await runCustoms(['rules', 'check', file], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `${IMAGE.repository}@${IMAGE.digest} dev: eligible -> ineligible`,
    );
  }, 60_000);

  it('shows what a fix-age limit would change, and why', async () => {
    const check = async (days: number) => {
      const file = join(work, `fix-age-${days}.yaml`);
      writeFileSync(
        file,
        `version: 1\nenvironments:\n  dev: { vulnerabilities: { maxFixableDays: { days: ${days} } } }\n`,
      );
      return runCustoms(['rules', 'check', file], env);
    };
    const strict = await check(30);
    expect(strict.code).toBe(0);
    expect(strict.stdout).toContain(
      `${IMAGE.repository}@${IMAGE.digest} dev: eligible -> ineligible (FIX_AVAILABLE_TOO_LONG)`,
    );
    const lenient = await check(60);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('no stored verdict would change');
  }, 60_000);
});
