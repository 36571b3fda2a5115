import { describe, expect, it } from 'vitest';
import { compareApk, isValidApk } from './apk.js';
import { compareCran, isValidCran } from './cran.js';
import { compareDigits, compareSignedIntegers } from './digits.js';
import { compareHackage, isValidHackage } from './hackage.js';
import { compareMaven, isValidMaven } from './maven.js';
import { compareNuget, isValidNuget } from './nuget.js';
import { comparePackagist, isValidPackagist } from './packagist.js';
import { comparePep440, isPep440, isValidPep440 } from './pep440.js';
import { comparePub, isValidPub } from './pub.js';
import { compareRpm, isValidRpm, splitEvr } from './rpm.js';
import { compareRubygems, isValidRubygems } from './rubygems.js';
import { compareSemver, isValidSemver } from './semver.js';

type Compare = (a: string, b: string) => -1 | 0 | 1;

/** Each case is checked both ways round: a comparator must be antisymmetric. */
function expectOrder(compare: Compare, a: string, b: string, want: number) {
  expect(compare(a, b), `${a} vs ${b}`).toBe(want);
  expect(compare(b, a), `${b} vs ${a}`).toBe(want === 0 ? 0 : -want);
}

describe('digit helpers', () => {
  it('compares numbers of any length and sign exactly', () => {
    expect(compareDigits('0010', '10')).toBe(0);
    expect(compareDigits('', '0')).toBe(0);
    expect(compareDigits('9'.repeat(40), `1${'0'.repeat(40)}`)).toBe(-1);
    expect(compareSignedIntegers('-5', '3')).toBe(-1);
    expect(compareSignedIntegers('-5', '-3')).toBe(-1);
    expect(compareSignedIntegers('-0', '+0')).toBe(0);
    expect(compareSignedIntegers('+7', '7')).toBe(0);
  });
});

describe('semver', () => {
  it.each([
    ['1.2.3', '1.2.3+build.5', 0],
    ['v1.22.0-0', '1.22.0', -1],
    ['1.22.0-0', '1.22.0-alpha', -1],
    ['2.0.0', '10.0.0', -1],
  ] as const)('orders %s against %s', (a, b, want) => {
    expectOrder(compareSemver, a, b, want);
  });

  it.each(['1.2.3', 'v1.2.3', '1.0.0-alpha.1+build.7', '0.0.0-0'])(
    'accepts %s',
    (v) => expect(isValidSemver(v)).toBe(true),
  );
  it.each(['1.2', '01.2.3', '1.2.3.4', '1.2.3-', '1.2.3-01', 'latest', ''])(
    'rejects %j',
    (v) => expect(isValidSemver(v)).toBe(false),
  );
});

describe('pep440', () => {
  it.each([
    ['1.0.dev1', '1.0a1', -1],
    ['1.0a1.dev1', '1.0a1', -1],
    ['1.0.post1.dev1', '1.0.post1', -1],
    ['1.0', '1.0.0.0', 0],
    ['1!0.1', '2.0', 1],
    ['1.0+abc.5', '1.0+abc.10', -1],
    ['1.0+5', '1.0+abc', 1],
    ['1.0-1', '1.0.post1', 0],
    ['1.0rc1', '1.0c1', 0],
    ['0.9-eevee', '0.1', -1],
    ['2.0-preview', '2.0-rc', 0],
  ] as const)('orders %s against %s', (a, b, want) => {
    expectOrder(comparePep440, a, b, want);
  });

  it('tells PEP 440 versions from legacy ones, accepting both', () => {
    expect(isPep440('1.0.post1')).toBe(true);
    expect(isPep440('0.9-eevee')).toBe(false);
    expect(isValidPep440('0.9-eevee')).toBe(true);
    expect(isValidPep440('constructor')).toBe(true);
    expect(isValidPep440('1.0 beta')).toBe(false);
    expect(isValidPep440('  ')).toBe(false);
  });
});

describe('rpm', () => {
  it('splits epoch, version and release as osv.dev does', () => {
    expect(splitEvr('1:2.0-3.el9')).toEqual({
      epoch: '1',
      version: '2.0',
      release: '-3.el9',
    });
    expect(splitEvr('2.0')).toEqual({
      epoch: '0',
      version: '2.0',
      release: '',
    });
    expect(splitEvr('a:1-2-3')).toEqual({
      epoch: '0',
      version: 'a:1',
      release: '-2-3',
    });
  });

  it.each([
    ['1:2.0.8-8.module_el8.6.0+2872+fe0ff7aa', '2.0.9-1.el8', 1],
    ['5.2.5-8.el9_0', '5.2.5-8.el9', 1],
    ['1.0~rc1^git1', '1.0~rc1', 1],
  ] as const)('orders %s against %s', (a, b, want) => {
    expectOrder(compareRpm, a, b, want);
  });

  it('accepts any version without whitespace', () => {
    expect(isValidRpm('1:2.0-3.el9')).toBe(true);
    expect(isValidRpm('')).toBe(false);
    expect(isValidRpm('1 2')).toBe(false);
  });
});

describe('apk', () => {
  it.each([
    ['1.2.3-r0', '1.2.3', 0],
    ['3.1.4-r5', '3.1.4-r10', -1],
    ['1.36.1-r2', '1.36.1_p1-r0', -1],
    ['1.0_rc1', '1.0', -1],
    ['1.0~abc-r1', '1.0-r1', 0],
  ] as const)('orders %s against %s', (a, b, want) => {
    expectOrder(compareApk, a, b, want);
  });

  it.each(['1.2.3-r0', '2.4.32', '1.0_alpha2_p3', '1.0a~c0ffee-r12'])(
    'accepts %s',
    (v) => expect(isValidApk(v)).toBe(true),
  );
  it.each(['', '1.0-r', '1..0', 'a1', '1.0_blah', '1.0-ruff'])(
    'rejects %j',
    (v) => expect(isValidApk(v)).toBe(false),
  );
});

describe('maven', () => {
  it.each([
    ['1.0-alpha1', '1.0-a1', 0],
    ['1.0-RC1', '1.0-cr1', 0],
    ['1.0-final', '1.0', 0],
    ['1.0-SNAPSHOT', '1.0', -1],
    ['1.0-sp1', '1.0', 1],
    ['2.17.0', '2.15.0', 1],
  ] as const)('orders %s against %s', (a, b, want) => {
    expectOrder(compareMaven, a, b, want);
  });

  it('accepts any version without whitespace', () => {
    expect(isValidMaven('2.17.0-rc1')).toBe(true);
    expect(isValidMaven('')).toBe(false);
  });
});

describe('the other language ecosystems', () => {
  it('orders NuGet, Pub, RubyGems, Packagist, CRAN and Hackage', () => {
    expectOrder(compareNuget, '1.0.0-Beta', '1.0.0-beta', 0);
    expectOrder(comparePub, '1.2.3+1', '1.2.3+2', -1);
    expectOrder(compareRubygems, '1.0.a', '1.0', -1);
    expectOrder(compareRubygems, '1.0.0', '1', 0);
    expectOrder(comparePackagist, 'v1.0.0', '1.0.0', 0);
    expectOrder(comparePackagist, '1.0.0-RC1', '1.0.0', -1);
    expectOrder(compareCran, '1.0-1', '1.0.1', 0);
    expectOrder(compareHackage, '1.0', '1.0.0', -1);
  });

  it('validates each grammar', () => {
    expect(isValidNuget('1.0.0.1-beta+build')).toBe(true);
    expect(isValidNuget('1.0.0.0.0')).toBe(false);
    expect(isValidPub('1.2.3+build')).toBe(true);
    expect(isValidPub('1.2')).toBe(false);
    expect(isValidRubygems('1.0.a10')).toBe(true);
    expect(isValidRubygems('a.1')).toBe(false);
    expect(isValidPackagist('1.0.0-dev')).toBe(true);
    expect(isValidPackagist('')).toBe(false);
    expect(isValidCran('1.0-3')).toBe(true);
    expect(isValidCran('1')).toBe(false);
    expect(isValidHackage('0.1.26.0')).toBe(true);
    expect(isValidHackage('1.0-x')).toBe(false);
  });
});
