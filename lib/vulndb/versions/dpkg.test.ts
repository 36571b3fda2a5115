import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compareDpkg,
  dpkgVersionProblem,
  isValidDpkgVersion,
  splitDpkgVersion,
} from './dpkg.js';

describe('compareDpkg', () => {
  it.each([
    ['1.0', '1.0', 0],
    ['1.0', '1.0-0', 0],
    ['0:1.0', '1.0', 0],
    ['1:1.0', '2.0', 1],
    ['1.0~rc1', '1.0', -1],
    ['1.0~~', '1.0~', -1],
    ['1.0~', '1.0', -1],
    ['1.0a', '1.0', 1],
    ['1.0a', '1.0+', -1],
    ['1.0.', '1.0a', 1],
    ['1.9', '1.10', -1],
    ['1.010', '1.9', 1],
    ['1.0-1', '1.0-1+deb12u1', -1],
    ['1.0-1~deb12u1', '1.0-1', -1],
    ['2.36-9+deb12u13', '2.36-9+deb12u14', -1],
    ['1:1.2.13.dfsg-1', '1:1.3.dfsg-2', -1],
    ['6.4-4', '6.4+20230625-1', -1],
    ['1.2-3-4', '1.2-3-10', -1],
  ] as const)('orders %s against %s as %i', (a, b, expected) => {
    expect(compareDpkg(a, b)).toBe(expected);
    expect(compareDpkg(b, a)).toBe(-expected || 0);
  });

  it('compares numeric runs longer than a double exactly', () => {
    const big = '123456789012345678901234567890';
    expect(compareDpkg(`${big}0`, `${big}1`)).toBe(-1);
    expect(compareDpkg(`1.${big}`, `1.00${big}`)).toBe(0);
    expect(compareDpkg(`${big}:1`, `${big}:2`)).toBe(-1);
    expect(
      compareDpkg('99999999999999999999:1', '100000000000000000000:0'),
    ).toBe(-1);
  });

  it('orders any string without throwing', () => {
    expect(compareDpkg('', '')).toBe(0);
    expect(compareDpkg('', '0')).toBe(0);
    expect(compareDpkg('abc', '1')).toBe(1);
    expect(compareDpkg('x:1', 'y:1')).toBe(-1);
  });
});

describe('splitDpkgVersion', () => {
  it('splits at the first colon and the last hyphen', () => {
    expect(splitDpkgVersion('1:2.0-3-4')).toEqual({
      epoch: '1',
      upstream: '2.0-3',
      revision: '4',
    });
    expect(splitDpkgVersion('2.0')).toEqual({
      epoch: '',
      upstream: '2.0',
      revision: '',
    });
    expect(splitDpkgVersion('1:2:3')).toEqual({
      epoch: '1',
      upstream: '2:3',
      revision: '',
    });
  });
});

describe('isValidDpkgVersion', () => {
  it.each([
    '0',
    '1.0',
    '1:1.0-1',
    '1.0-1~bpo12+1',
    '2:1.2:3-4',
    '1.2-3-4',
    '1.0+dfsg~rc1-0ubuntu1',
    '2147483647:1',
  ])('accepts %s', (v) => {
    expect(isValidDpkgVersion(v)).toBe(true);
  });

  it.each([
    ['', 'version string is empty'],
    [' 1.0', 'version string has embedded spaces'],
    ['1.0 1', 'version string has embedded spaces'],
    [':1.0', 'epoch in version is empty'],
    ['a:1.0', 'epoch in version is not number'],
    ['1.0:2', 'epoch in version is not number'],
    ['2147483648:1', 'epoch in version is too big'],
    ['1:', 'version number is empty'],
    ['-1', 'version number is empty'],
    ['1.0-', 'revision number is empty'],
    ['a1.0', 'version number does not start with digit'],
    ['1.0_1', 'invalid character in version number'],
    ['1:1.0-1:2', 'invalid character in revision number'],
    ['1.0-a_b', 'invalid character in revision number'],
  ])('rejects %j (%s)', (v, problem) => {
    expect(isValidDpkgVersion(v)).toBe(false);
    expect(dpkgVersionProblem(v)).toBe(problem);
  });
});

describe('isValidDpkgVersion on shared/data/versions/debian.txt', () => {
  it('accepts every version the vectors compare', async () => {
    const file = fileURLToPath(
      new URL('../../../../shared/data/versions/debian.txt', import.meta.url),
    );
    const text = await readFile(file, 'utf8');
    const versions = text
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .flatMap((l) => {
        const [a = '', , b = ''] = l.split(' ');
        return [a, b];
      });
    expect(versions.length).toBe(2 * 12_773);
    expect(versions.filter((v) => !isValidDpkgVersion(v))).toEqual([]);
  });
});
