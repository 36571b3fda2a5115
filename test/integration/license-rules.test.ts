/**
 * License rules on real databases: the packages' declared licenses come
 * back from the stored package lists (no layer), and the three ways a
 * verdict is computed — judgeImage (scan path), the batch of a re-judge
 * after new rules or a data import, and a rules preview — agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../../lib/core/digest.js';
import type { ImagePackage } from '../../lib/core/package.js';
import { createLogger } from '../../lib/log/create-logger.js';
import { packagesOf, verdictsOf } from '../../lib/policy/judge-batch.js';
import {
  computeVerdicts,
  judgeImage,
  type JudgeDeps,
} from '../../lib/policy/judge.js';
import { NO_OVERRIDES } from '../../lib/policy/override-source.js';
import { previewAll, rejudgeAll } from '../../lib/policy/rejudge-all.js';
import { parseRules, type RuleSet } from '../../lib/policy/rules.js';
import type { Database } from '../../lib/storage/database.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import type { Stores } from '../../lib/storage/ports.js';
import { ENGINES } from '../helpers/databases.js';
import {
  digestOf,
  languagePackage,
  storeScannedImage,
} from '../helpers/stored-images.js';

const logger = createLogger({ level: 'silent' });
const REPO = 'team/licensed';
const OPEN = 'version: 1\nenvironments:\n  dev: {}\n  prod: {}\n';
const LICENSED = `
version: 1
environments:
  dev:
    licenses: { deny: [GPL-3.0-or-later] }
  prod:
    licenses: { allow: [MIT, Apache-2.0], unknown: deny }
`;

const licensed = (
  name: string,
  license: string | undefined,
  ecosystem: 'npm' | 'PyPI' = 'npm',
): ImagePackage => ({
  ...languagePackage(ecosystem, name, '1.0.0'),
  license,
});

describe.each(ENGINES)('license rules (%s)', (_name, open) => {
  let db: Database;
  let done: () => Promise<void>;
  let stores: Stores;
  let rules: RuleSet;
  const deps = (): JudgeDeps & { stores: Stores } => ({
    stores,
    rules: () => rules,
    logger,
  });
  const mixed = digestOf('licensed-mixed');
  const permissive = digestOf('licensed-permissive');

  const stored = async (digest: Digest) =>
    Object.fromEntries(
      (await stores.verdicts.list(REPO, digest)).map((v) => [
        v.environment,
        { status: v.status, codes: v.reasons.map((r) => r.code) },
      ]),
    );

  beforeAll(async () => {
    ({ db, done } = await open());
    await migrate(db);
    stores = createStores(db);
    rules = parseRules(OPEN, () => '');
    const images: Array<[Digest, ImagePackage[]]> = [
      [
        mixed,
        [
          licensed('left-pad', 'MIT'),
          licensed('copyleft', 'GPLv3+'),
          licensed('dual', 'GPL-3.0-only OR MIT'),
          licensed('mystery', undefined, 'PyPI'),
        ],
      ],
      [
        permissive,
        [licensed('left-pad', 'MIT'), licensed('requests', 'ASL 2.0', 'PyPI')],
      ],
    ];
    for (const [digest, packages] of images) {
      await storeScannedImage(stores, { repository: REPO, digest, packages });
      await judgeImage(deps(), { repository: REPO, digest }, 'scan: test');
    }
  });
  afterAll(async () => done());

  it('reads the declared licenses back from the stored package lists', async () => {
    expect(
      (await stores.scans.packages(mixed)).map((p) => [p.name, p.license]),
    ).toEqual([
      ['left-pad', 'MIT'],
      ['copyleft', 'GPLv3+'],
      ['dual', 'GPL-3.0-only OR MIT'],
      ['mystery', undefined],
    ]);
  });

  it('previews what license rules would change', async () => {
    const next = parseRules(LICENSED, () => '');
    const changes = await previewAll(deps(), {
      rules: next,
      overrides: NO_OVERRIDES,
      now: Date.now(),
    });
    expect(
      changes.map((c) => [c.digest, c.environment, c.from, c.to]).sort(),
    ).toEqual(
      [
        [mixed, 'dev', 'eligible', 'ineligible'],
        [mixed, 'prod', 'eligible', 'ineligible'],
      ].sort(),
    );
  });

  it('gives the same verdicts on the scan path and the batch path', async () => {
    const next = parseRules(LICENSED, () => '');
    const terms = { rules: next, overrides: NO_OVERRIDES, now: Date.now() };
    const contexts = await stores.rematch.contextOf([mixed, permissive]);
    const packages = await packagesOf(deps(), [...contexts.values()]);
    for (const digest of [mixed, permissive]) {
      const single = await computeVerdicts(
        deps(),
        { repository: REPO, digest },
        terms,
      );
      const batch = verdictsOf(
        { ...terms, snapshotId: await stores.vulns.currentSnapshot() },
        contexts.get(digest)!,
        packages.get(digest),
      );
      expect(batch).toEqual(single);
    }
  });

  it('re-judges stored images under new rules, naming package, version and license', async () => {
    rules = parseRules(LICENSED, () => '');
    expect(await rejudgeAll(deps(), 'rules: test')).toBe(2);
    expect(await stored(mixed)).toEqual({
      dev: { status: 'ineligible', codes: ['LICENSE_DENIED'] },
      prod: {
        status: 'ineligible',
        codes: ['LICENSE_DENIED', 'LICENSE_UNKNOWN'],
      },
    });
    expect(await stored(permissive)).toEqual({
      dev: { status: 'eligible', codes: ['POLICY_PASSED'] },
      prod: { status: 'eligible', codes: ['POLICY_PASSED'] },
    });
    const prod = await stores.verdicts.get(REPO, mixed, 'prod');
    expect(prod?.reasons.map((r) => r.message)).toEqual([
      // `GPL-3.0-only OR MIT` passes: its MIT alternative is allowed.
      'license not acceptable in this environment: copyleft@1.0.0 (GPLv3+)',
      'package declares no license (unknown licenses are denied): mystery@1.0.0',
    ]);
    const dev = await stores.verdicts.get(REPO, mixed, 'dev');
    // GPLv3+ is GPL-3.0-or-later; `GPL-3.0-only OR MIT` is not denied.
    expect(dev?.reasons[0]?.message).toBe(
      'license not acceptable in this environment: copyleft@1.0.0 (GPLv3+)',
    );
    // The scan path stores the very same verdicts.
    await judgeImage(
      deps(),
      { repository: REPO, digest: mixed },
      'scan: again',
    );
    expect(await stored(mixed)).toMatchObject({
      dev: { status: 'ineligible' },
      prod: { status: 'ineligible' },
    });
  });
});
