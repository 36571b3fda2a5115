import { describe, expect, it } from 'vitest';
import { comparatorFor, dpkgComparator, ecosystemNames } from './index.js';

describe('comparatorFor', () => {
  it.each([
    'Debian',
    'Debian:12',
    'Debian:sid',
    'Ubuntu:22.04',
    'Ubuntu:22.04:LTS',
    'Ubuntu:Pro:18.04:LTS',
    'debian',
    'UBUNTU',
    'dpkg',
    'DPKG',
  ])('gives dpkg for %s', (ecosystem) => {
    expect(comparatorFor(ecosystem)).toBe(dpkgComparator);
  });

  it.each(['npm', 'PyPI', 'Alpine:v3.19', 'AlmaLinux:9', '', ':12', 'Debianx'])(
    'gives nothing for %j',
    (ecosystem) => {
      expect(comparatorFor(ecosystem)).toBeUndefined();
    },
  );

  it('hands out a comparator that validates and orders', () => {
    const dpkg = comparatorFor('Debian:12');
    expect(dpkg?.name).toBe('dpkg');
    expect(dpkg?.compare('1.0~rc1', '1.0')).toBe(-1);
    expect(dpkg?.isValid('1:2.3-4')).toBe(true);
    expect(dpkg?.isValid('not a version')).toBe(false);
  });
});

describe('ecosystemNames', () => {
  it('lists the lower-case names version-compare accepts', () => {
    expect(ecosystemNames()).toEqual(['debian', 'dpkg', 'ubuntu']);
  });

  it('lists only names that resolve', () => {
    for (const name of ecosystemNames()) {
      expect(comparatorFor(name)).toBeDefined();
    }
  });
});
