import { describe, expect, it } from 'vitest';
import {
  hasLicenseRules,
  judgeLicenses,
  type LicensedPackage,
  type LicenseRules,
} from './evaluate-licenses.js';
import { evaluate } from './evaluate.js';
import { parseRules } from './rules.js';

const pkg = (name: string, license?: string): LicensedPackage => ({
  ecosystem: 'npm',
  name,
  version: '1.0.0',
  license,
});
const rules = (r: Partial<LicenseRules>): LicenseRules => ({
  deny: [],
  allow: [],
  unknown: 'ignore',
  ...r,
});

/** Names of the packages `rules` refuse (LICENSE_DENIED). */
function refused(
  licenses: Array<string | undefined>,
  r: Partial<LicenseRules>,
): string[] {
  const packages = licenses.map((l, i) => pkg(`p${i}`, l));
  const reason = judgeLicenses(packages, rules(r)).find(
    (x) => x.code === 'LICENSE_DENIED',
  );
  return (
    (reason?.details?.packages as Array<{ license: string }> | undefined) ?? []
  ).map((p) => p.license);
}

describe('judgeLicenses', () => {
  it.each<[string, Partial<LicenseRules>, Array<string | undefined>, string[]]>(
    [
      ['no rules refuse nothing', {}, ['GPL-3.0-only'], []],
      [
        'deny refuses the license',
        { deny: ['GPL-3.0-only'] },
        ['GPL-3.0-only', 'MIT'],
        ['GPL-3.0-only'],
      ],
      [
        'ids compare without case',
        { deny: ['gpl-3.0-only'] },
        ['GPL-3.0-only'],
        ['GPL-3.0-only'],
      ],
      [
        'spellings of one GNU license are one',
        { deny: ['GPL-3.0-or-later'] },
        ['GPLv3+', 'GPL-3+', 'GPL-3.0+', 'GPL-3.0-only'],
        ['GPLv3+', 'GPL-3+', 'GPL-3.0+'],
      ],
      [
        'aliases are one',
        { allow: ['Apache-2.0'] },
        ['ASL 2.0', 'Apache License, Version 2.0', 'Apache Software License'],
        ['Apache Software License'],
      ],
      [
        'a non-empty allow admits only its licenses',
        { allow: ['MIT', 'ISC'] },
        ['MIT', 'ISC', 'BSD-3-Clause'],
        ['BSD-3-Clause'],
      ],
      [
        'deny wins over allow',
        { allow: ['MIT'], deny: ['MIT'] },
        ['MIT'],
        ['MIT'],
      ],
      [
        'OR: one acceptable alternative is enough',
        { deny: ['GPL-2.0-only'] },
        ['GPL-2.0-only OR MIT'],
        [],
      ],
      [
        'OR: refused when no alternative is',
        { allow: ['ISC'] },
        ['GPL-2.0-only OR MIT'],
        ['GPL-2.0-only OR MIT'],
      ],
      [
        'AND: every part must be acceptable',
        { deny: ['GPL-2.0-only'] },
        ['MIT AND GPL-2.0-only'],
        ['MIT AND GPL-2.0-only'],
      ],
      [
        'AND: allowed when every part is',
        { allow: ['MIT', 'ISC'] },
        ['MIT AND ISC'],
        [],
      ],
      [
        'nested expressions',
        { allow: ['MIT', 'ISC'] },
        [
          '(GPL-2.0-only OR MIT) AND (ISC OR Zlib)',
          '(GPL-2.0-only OR BSD-3-Clause) AND ISC',
        ],
        ['(GPL-2.0-only OR BSD-3-Clause) AND ISC'],
      ],
      [
        'rpm and DEP-5 free-form operators',
        { deny: ['BSD'] },
        ['GPLv2+ and BSD', 'GPL-2+ or BSD'],
        ['GPLv2+ and BSD'],
      ],
      [
        'WITH: refused when its license is denied',
        { deny: ['GPL-2.0-only'] },
        ['GPL-2.0-only WITH Classpath-exception-2.0'],
        ['GPL-2.0-only WITH Classpath-exception-2.0'],
      ],
      [
        'WITH: refused when the exception is not allowed',
        { allow: ['GPL-2.0-only'] },
        ['GPL-2.0-only WITH Classpath-exception-2.0'],
        ['GPL-2.0-only WITH Classpath-exception-2.0'],
      ],
      [
        'WITH: allowed when both parts are',
        { allow: ['GPL-2.0-only', 'Classpath-exception-2.0'] },
        ['GPL-2.0-only WITH Classpath-exception-2.0'],
        [],
      ],
      [
        'WITH: allowed when the pair is',
        { allow: ['GPL-2.0-only with classpath-exception-2.0'] },
        ['GPL-2.0-only WITH Classpath-exception-2.0', 'GPL-2.0-only'],
        ['GPL-2.0-only'],
      ],
      [
        'WITH: the pair denied',
        { deny: ['GPL-2.0-only WITH Classpath-exception-2.0'] },
        ['GPL-2.0-only WITH Classpath-exception-2.0', 'GPL-2.0-only'],
        ['GPL-2.0-only WITH Classpath-exception-2.0'],
      ],
      [
        'free text compares as written, ignoring case and blanks',
        { deny: ['acme  commercial license'] },
        ['Acme Commercial License', 'Acme License'],
        ['Acme Commercial License'],
      ],
      [
        'unreadable text is one name',
        { deny: ['Apache License, Version 2.0 (see LICENSE'] },
        ['Apache License, Version 2.0 (see LICENSE'],
        ['Apache License, Version 2.0 (see LICENSE'],
      ],
      [
        'no license is not refused by deny or allow',
        { allow: ['MIT'] },
        [undefined],
        [],
      ],
    ],
  )('%s', (_name, r, licenses, expected) => {
    expect(refused(licenses, r)).toEqual(expected);
  });

  it('names package, version and license in LICENSE_DENIED', () => {
    expect(
      judgeLicenses(
        [
          pkg('left-pad', 'GPL-3.0-only'),
          pkg('left-pad', 'GPL-3.0-only'),
          pkg('ok', 'MIT'),
        ],
        rules({ deny: ['GPL-3.0-only'] }),
      ),
    ).toEqual([
      {
        code: 'LICENSE_DENIED',
        message:
          'license not acceptable in this environment: left-pad@1.0.0 (GPL-3.0-only)',
        details: {
          packages: [
            {
              ecosystem: 'npm',
              name: 'left-pad',
              version: '1.0.0',
              license: 'GPL-3.0-only',
            },
          ],
        },
      },
    ]);
  });

  it('quotes at most ten packages and counts them all', () => {
    const many = Array.from({ length: 12 }, (_, i) =>
      pkg(`p${i}`, 'GPL-3.0-only'),
    );
    const [reason] = judgeLicenses(many, rules({ deny: ['GPL-3.0-only'] }));
    expect(reason?.message).toMatch(
      /^12 packages with licenses not acceptable/,
    );
    expect(reason?.message).toMatch(
      /p9@1\.0\.0 \(GPL-3\.0-only\), … \(12 in all\)$/,
    );
    expect(reason?.details?.packages).toHaveLength(12);
  });

  it('refuses packages without a license only with unknown: deny', () => {
    const packages = [pkg('a'), pkg('b', 'MIT'), pkg('c')];
    expect(
      judgeLicenses(packages, rules({ unknown: 'ignore', allow: ['MIT'] })),
    ).toEqual([]);
    expect(judgeLicenses(packages, rules({ unknown: 'deny' }))).toEqual([
      {
        code: 'LICENSE_UNKNOWN',
        message:
          '2 packages declare no license (unknown licenses are denied): a@1.0.0, c@1.0.0',
        details: {
          packages: [
            { ecosystem: 'npm', name: 'a', version: '1.0.0', license: null },
            { ecosystem: 'npm', name: 'c', version: '1.0.0', license: null },
          ],
        },
      },
    ]);
    expect(
      judgeLicenses([pkg('a')], rules({ unknown: 'deny' }))[0]?.message,
    ).toBe(
      'package declares no license (unknown licenses are denied): a@1.0.0',
    );
  });

  it('tells whether rules can refuse anything', () => {
    expect(hasLicenseRules(rules({}))).toBe(false);
    expect(hasLicenseRules(rules({ deny: ['x'] }))).toBe(true);
    expect(hasLicenseRules(rules({ allow: ['x'] }))).toBe(true);
    expect(hasLicenseRules(rules({ unknown: 'deny' }))).toBe(true);
  });
});

describe('license rules', () => {
  const parse = (env: string) =>
    parseRules(`version: 1\nenvironments:\n  prod: ${env}\n`, () => '');

  it('default to refusing nothing', () => {
    expect(parse('{}').environments['prod']?.licenses).toEqual({
      deny: [],
      allow: [],
      unknown: 'ignore',
    });
  });

  it.each([
    [
      '{ licenses: { deny: ["MIT OR ISC"] } }',
      /licenses\.deny\.0: one license per entry/,
    ],
    [
      '{ licenses: { allow: ["MIT and ISC"] } }',
      /licenses\.allow\.0: one license per entry/,
    ],
    ['{ licenses: { deny: [""] } }', /licenses\.deny\.0/],
    ['{ licenses: { unknown: maybe } }', /licenses\.unknown/],
    ['{ licenses: { refuse: [MIT] } }', /licenses: Unrecognized key/],
  ])('reject %s', (env, problem) => {
    expect(() => parse(env)).toThrow(problem);
  });

  it('accept a WITH pair as one entry', () => {
    expect(
      parse(
        '{ licenses: { allow: ["GPL-2.0-only WITH Classpath-exception-2.0"] } }',
      ).environments['prod']?.licenses.allow,
    ).toEqual(['GPL-2.0-only WITH Classpath-exception-2.0']);
  });

  it('make an image with a refused license ineligible in enforce mode only', () => {
    const evidence = {
      scan: { status: 'done' as const },
      findings: [],
      signatures: [],
      packages: [pkg('left-pad', 'GPL-3.0-only')],
    };
    const enforce = parse('{ licenses: { deny: [GPL-3.0-only] } }');
    expect(evaluate(evidence, enforce.environments['prod']!, [])).toMatchObject(
      {
        status: 'ineligible',
        reasons: [{ code: 'LICENSE_DENIED' }],
      },
    );
    const warn = parse('{ mode: warn, licenses: { deny: [GPL-3.0-only] } }');
    expect(evaluate(evidence, warn.environments['prod']!, [])).toMatchObject({
      status: 'eligible',
      reasons: [{ code: 'WARN_MODE' }, { code: 'LICENSE_DENIED' }],
    });
  });
});
