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

  it.each([
    ['npm', 'semver'],
    ['Go', 'semver'],
    ['crates.io', 'semver'],
    ['PyPI', 'pep440'],
    ['Alpine:v3.19', 'apk'],
    ['AlmaLinux:9', 'rpm'],
    ['Red Hat:enterprise_linux:9::appstream', 'rpm'],
    ['Rocky Linux:9', 'rpm'],
    ['Maven', 'maven'],
    ['NuGet', 'nuget'],
    ['RubyGems', 'rubygems'],
    ['Packagist', 'packagist'],
    ['CRAN', 'cran'],
    ['Pub', 'pub'],
    ['Hackage', 'hackage'],
    ['semver', 'semver'],
  ])('gives %s the %s comparator', (ecosystem, name) => {
    expect(comparatorFor(ecosystem)?.name).toBe(name);
  });

  it.each(['COBOL', '', ':12', 'Debianx', 'constructor'])(
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
    expect(ecosystemNames()).toContain('debian');
    expect(ecosystemNames()).toContain('pypi');
    expect(ecosystemNames()).toContain('red hat');
    expect(ecosystemNames()).toEqual([...ecosystemNames()].sort());
  });

  it('lists only names that resolve', () => {
    for (const name of ecosystemNames()) {
      expect(comparatorFor(name)).toBeDefined();
    }
  });
});
