import { describe, expect, it } from 'vitest';
import type {
  AffectedPackage,
  AffectedRange,
  RangeEvent,
} from '../core/advisory.js';
import {
  evaluateEntry,
  evaluateRange,
  fixedVersionsAbove,
  isInVersions,
} from './ranges.js';
import { dpkgComparator, type VersionComparator } from './versions/index.js';

const INTEGER_RE = /^-?\d+$/;

/** Integers, so expected answers are obvious. */
const numeric: VersionComparator = {
  name: 'numeric',
  compare: (a, b) => Math.sign(Number(a) - Number(b)) as -1 | 0 | 1,
  isValid: (v) => INTEGER_RE.test(v),
};

const range = (...events: RangeEvent[]): AffectedRange => ({
  type: 'ECOSYSTEM',
  events,
});

function debian(
  ranges: AffectedRange[],
  versions: string[] = [],
): AffectedPackage {
  return { ecosystem: 'Debian:12', name: 'pkg', ranges, versions };
}

describe('evaluateRange', () => {
  it.each([
    [
      'introduced 0 only',
      range({ introduced: '0' }),
      { '-3': true, '0': true, '99': true },
    ],
    [
      'introduced 0, fixed 5',
      range({ introduced: '0' }, { fixed: '5' }),
      { '-3': true, '4': true, '5': false, '6': false },
    ],
    [
      'introduced 2, fixed 5',
      range({ introduced: '2' }, { fixed: '5' }),
      { '1': false, '2': true, '4': true, '5': false },
    ],
    [
      'two branches given unsorted',
      range(
        { fixed: '5' },
        { introduced: '7' },
        { introduced: '0' },
        { fixed: '9' },
      ),
      { '3': true, '5': false, '6': false, '7': true, '8': true, '9': false },
    ],
    [
      'last_affected is inclusive',
      range({ introduced: '0' }, { last_affected: '5' }),
      { '5': true, '6': false },
    ],
    [
      'a limit bounds the range',
      range({ introduced: '0' }, { limit: '5' }),
      { '4': true, '5': false },
    ],
    [
      'limit * is infinity',
      range({ introduced: '3' }, { limit: '*' }),
      { '2': false, '3': true, '1000': true },
    ],
    [
      'any of several limits',
      range({ introduced: '0' }, { limit: '3' }, { limit: '8' }),
      { '5': true, '8': false },
    ],
    [
      'an empty [3, 3) range',
      range({ introduced: '3' }, { fixed: '3' }),
      { '2': false, '3': false, '4': false },
    ],
    [
      'introduced 0 sorts before everything',
      range({ introduced: '0' }, { fixed: '-1' }),
      { '-5': true, '-1': false },
    ],
  ])('evaluates %s', (_name, r, table) => {
    for (const [version, expected] of Object.entries(table)) {
      expect(evaluateRange(r, version, numeric), version).toBe(expected);
    }
  });

  it('needs no comparator when every version is affected', () => {
    expect(
      evaluateRange(range({ introduced: '0' }), 'anything', undefined),
    ).toBe(true);
  });

  it('says why it cannot decide', () => {
    const r = range({ introduced: '0' }, { fixed: '5' });
    expect(evaluateRange(r, '1', undefined)).toBe(
      'no version comparator for ECOSYSTEM range',
    );
    expect(evaluateRange(r, 'x', numeric)).toBe(
      'installed version x is not a valid numeric version',
    );
    expect(evaluateRange(range({ introduced: 'y' }), '1', numeric)).toBe(
      'range version y is not a valid numeric version',
    );
  });
});

describe('isInVersions', () => {
  it('matches equal strings and versions the comparator calls equal', () => {
    expect(isInVersions(['1.0-1'], '1.0-1', undefined)).toBe(true);
    expect(isInVersions(['0:1.0'], '1.0', dpkgComparator)).toBe(true);
    expect(isInVersions(['0:1.0'], '1.0', undefined)).toBe(false);
    expect(isInVersions(['1.0'], '1.1', dpkgComparator)).toBe(false);
    expect(isInVersions([], '1.0', dpkgComparator)).toBe(false);
  });
});

describe('evaluateEntry', () => {
  it('takes the versions list or any range', () => {
    const entry = debian(
      [range({ introduced: '2.0' }, { fixed: '2.5' })],
      ['1.0-1'],
    );
    expect(evaluateEntry(entry, '0:1.0-1').isAffected).toBe(true);
    expect(evaluateEntry(entry, '2.1').isAffected).toBe(true);
    expect(evaluateEntry(entry, '1.5')).toEqual({
      isAffected: false,
      unevaluated: [],
    });
  });

  it('skips GIT ranges and reports ranges it cannot order', () => {
    const entry: AffectedPackage = {
      ecosystem: 'ConanCenter',
      name: 'x',
      versions: [],
      ranges: [
        { type: 'GIT', events: [{ introduced: 'abc' }] },
        { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.0' }] },
        range({ introduced: '1.0.0' }, { fixed: '2.0.0' }),
      ],
    };
    expect(evaluateEntry(entry, '0.5')).toEqual({
      isAffected: false,
      unevaluated: [
        'installed version 0.5 is not a valid semver version',
        'no version comparator for ECOSYSTEM range',
      ],
    });
    expect(evaluateEntry(entry, '0.5.0')).toEqual({
      isAffected: true,
      unevaluated: [],
    });
  });
});

describe('fixedVersionsAbove', () => {
  it('lists fixed versions above the installed one, smallest first', () => {
    const entry = debian([
      range({ introduced: '0' }, { fixed: '1.10-1' }),
      range({ introduced: '2.0' }, { fixed: '2.0-3' }, { fixed: '1.9-1' }),
    ]);
    expect(fixedVersionsAbove(entry, '1.2-1')).toEqual([
      '1.9-1',
      '1.10-1',
      '2.0-3',
    ]);
    expect(fixedVersionsAbove(entry, '3.0')).toEqual([]);
    expect(fixedVersionsAbove(entry, 'not valid')).toEqual([]);
  });
});
