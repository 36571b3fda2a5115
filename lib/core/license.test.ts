import { describe, expect, it } from 'vitest';
import {
  declaredLicense,
  formatLicense,
  MAX_LICENSE_CHARS,
  parseLicense,
} from './license-expression.js';
import { licenseKey, spdxIdOf, toSpdxExpression } from './license-names.js';

describe('declaredLicense', () => {
  it.each([
    ['  MIT  ', 'MIT'],
    ['GPL-2+\n  or Artistic', 'GPL-2+ or Artistic'],
    ['', undefined],
    ['   ', undefined],
    [undefined, undefined],
    [null, undefined],
    ['UNKNOWN', undefined],
    ['NOASSERTION', undefined],
    ['none', undefined],
  ])('keeps %j as %j', (text, expected) => {
    expect(declaredLicense(text)).toBe(expected);
  });

  it('cuts a pasted license text', () => {
    expect(declaredLicense('x'.repeat(5000))).toHaveLength(MAX_LICENSE_CHARS);
  });
});

describe('parseLicense', () => {
  it('reads an SPDX expression with precedence WITH > AND > OR', () => {
    expect(
      parseLicense(
        'MIT OR Apache-2.0 AND GPL-2.0-only WITH Classpath-exception-2.0',
      ),
    ).toEqual({
      kind: 'or',
      terms: [
        { kind: 'license', name: 'MIT' },
        {
          kind: 'and',
          terms: [
            { kind: 'license', name: 'Apache-2.0' },
            {
              kind: 'with',
              license: 'GPL-2.0-only',
              exception: 'Classpath-exception-2.0',
            },
          ],
        },
      ],
    });
  });

  it('reads parentheses and flattens same operators', () => {
    expect(parseLicense('(MIT OR ISC) AND (Zlib AND 0BSD)')).toEqual({
      kind: 'and',
      terms: [
        {
          kind: 'or',
          terms: [
            { kind: 'license', name: 'MIT' },
            { kind: 'license', name: 'ISC' },
          ],
        },
        { kind: 'license', name: 'Zlib' },
        { kind: 'license', name: '0BSD' },
      ],
    });
  });

  it('reads lower-case operators and multi-word names (rpm, free text)', () => {
    expect(parseLicense('GPLv2+ and Apache License 2.0')).toEqual({
      kind: 'and',
      terms: [
        { kind: 'license', name: 'GPLv2+' },
        { kind: 'license', name: 'Apache License 2.0' },
      ],
    });
  });

  it("reads DEP-5's comma as closing what precedes it", () => {
    expect(parseLicense('GPL-1+ or Artistic, and BSD')).toEqual({
      kind: 'and',
      terms: [
        {
          kind: 'or',
          terms: [
            { kind: 'license', name: 'GPL-1+' },
            { kind: 'license', name: 'Artistic' },
          ],
        },
        { kind: 'license', name: 'BSD' },
      ],
    });
  });

  it.each([
    'Apache License, Version 2.0',
    'MIT OR',
    'AND MIT',
    '(MIT',
    'MIT)',
    '(MIT OR ISC) WITH x',
    'GNU General Public License v2 or later (GPLv2+)',
    `${'('.repeat(17)}MIT${')'.repeat(17)}`,
  ])('keeps unreadable text %j as one leaf', (text) => {
    expect(parseLicense(text)).toEqual({ kind: 'license', name: text });
  });
});

describe('parseLicense nesting', () => {
  it('reads 16 levels of parentheses', () => {
    expect(parseLicense(`${'('.repeat(16)}MIT${')'.repeat(16)}`)).toEqual({
      kind: 'license',
      name: 'MIT',
    });
  });
});

describe('formatLicense', () => {
  it('writes upper-case operators and parenthesises every nested group', () => {
    expect(
      formatLicense(parseLicense('(a or b) and c with d or (e and f)')),
    ).toBe('((a OR b) AND c WITH d) OR (e AND f)');
  });
});

describe('spdxIdOf', () => {
  it.each([
    ['GPLv2+', 'GPL-2.0-or-later'],
    ['GPL-2+', 'GPL-2.0-or-later'],
    ['GPL-2.0+', 'GPL-2.0-or-later'],
    ['GPL-2', 'GPL-2.0-only'],
    ['GPL-3.0', 'GPL-3.0-only'],
    ['lgpl-2.1', 'LGPL-2.1-only'],
    ['LGPLv3 or later', 'LGPL-3.0-or-later'],
    ['AGPL-3.0-only', 'AGPL-3.0-only'],
    ['ASL 2.0', 'Apache-2.0'],
    ['Apache License, Version 2.0', 'Apache-2.0'],
    ['Expat', 'MIT'],
    ['mit', 'MIT'],
    ['MIT License', 'MIT'],
    ['BSD-3-Clause', 'BSD-3-Clause'],
    ['LicenseRef-acme', 'LicenseRef-acme'],
    ['GNU General Public License v2 or later (GPLv2+)', 'GPL-2.0-or-later'],
    ['Mozilla Public License 2.0 (MPL 2.0)', 'MPL-2.0'],
    ['GNU General Public License (GPL)', undefined],
    ['BSD', undefined],
    ['GPL', undefined],
    ['public-domain', undefined],
    ['BSD-like', undefined],
    ['Apache Software License', undefined],
  ])('maps %j to %j', (name, id) => {
    expect(spdxIdOf(name)).toBe(id);
  });
});

describe('licenseKey', () => {
  it('compares known ids by id and free text as written, ignoring case', () => {
    expect(licenseKey('GPLv2+')).toBe(licenseKey('gpl-2.0-or-later'));
    expect(licenseKey('ASL 2.0')).toBe('apache-2.0');
    expect(licenseKey('  Acme  Commercial ')).toBe('acme commercial');
  });
});

describe('toSpdxExpression', () => {
  it.each([
    ['MIT', 'MIT'],
    ['GPLv2+ and BSD-3-Clause', 'GPL-2.0-or-later AND BSD-3-Clause'],
    ['(MIT or ASL 2.0) and ISC', '(MIT OR Apache-2.0) AND ISC'],
    [
      'GPL-2+ with Classpath-exception-2.0',
      'GPL-2.0-or-later WITH Classpath-exception-2.0',
    ],
    ['GPL-2+ with linking exception', undefined],
    ['GPLv2+ and BSD', undefined],
    ['Acme Commercial', undefined],
  ])('writes %j as %j', (text, expression) => {
    expect(toSpdxExpression(text)).toBe(expression);
  });
});
