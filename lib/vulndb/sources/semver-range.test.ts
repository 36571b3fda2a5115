import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { comparatorFor } from '../versions/index.js';
import { evaluateRange } from '../ranges.js';
import { semverRangeToOsv } from './semver-range.js';

describe('semverRangeToOsv', () => {
  it.each([
    [
      '<=99.999.99999',
      [[{ introduced: '0' }, { last_affected: '99.999.99999' }]],
    ],
    ['*', [[{ introduced: '0' }]]],
    ['<1.0.0', [[{ introduced: '0' }, { fixed: '1.0.0' }]]],
    ['>=4.17.15 <4.17.19', [[{ introduced: '4.17.15' }, { fixed: '4.17.19' }]]],
    [
      '>=1.0.0 <1.2.3 || ^2.0.0',
      [
        [{ introduced: '1.0.0' }, { fixed: '1.2.3' }],
        [{ introduced: '2.0.0' }, { fixed: '3.0.0-0' }],
      ],
    ],
    ['>1.2.3', [[{ introduced: '1.2.4-0' }]]],
    ['>1.0.0-beta', [[{ introduced: '1.0.0-beta.0' }]]],
    ['1.2.3', [[{ introduced: '1.2.3' }, { last_affected: '1.2.3' }]]],
    ['~1.2', [[{ introduced: '1.2.0' }, { fixed: '1.3.0-0' }]]],
    ['>=2.0.0 <1.0.0', []],
    [
      '>=1.0.0 >=1.5.0 <3.0.0 <=2.0.0',
      [[{ introduced: '1.5.0' }, { last_affected: '2.0.0' }]],
    ],
  ])('converts %j', (expression, ranges) => {
    expect(semverRangeToOsv(expression)).toEqual(
      ranges.map((events) => ({ type: 'SEMVER', events })),
    );
  });

  it('throws on an expression node-semver cannot parse', () => {
    expect(() => semverRangeToOsv('>=1.0.0 <<2')).toThrow();
  });

  it('agrees with semver.satisfies on release versions', () => {
    const expressions = [
      '<4.17.5',
      '>=1.0.0 <1.2.3 || ^2.0.0',
      '>1.2.3 <=1.4.0',
      '~0.2.1',
      '1.2.3 || 1.3.0',
    ];
    const versions = [
      '0.0.1',
      '0.2.1',
      '0.2.9',
      '0.3.0',
      '1.2.2',
      '1.2.3',
      '1.2.4',
      '1.3.0',
      '1.4.0',
      '1.4.1',
      '2.5.0',
      '3.0.0',
      '4.17.4',
      '4.17.5',
    ];
    const semverComparator = comparatorFor('semver');
    for (const expression of expressions) {
      const ranges = semverRangeToOsv(expression);
      for (const v of versions) {
        const osv = ranges.some(
          (r) => evaluateRange(r, v, semverComparator) === true,
        );
        expect(osv, `${v} in ${expression}`).toBe(
          semver.satisfies(v, expression),
        );
      }
    }
  });
});
