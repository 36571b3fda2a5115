import { compareApk, isValidApk } from './apk.js';
import { compareCran, isValidCran } from './cran.js';
import { compareDpkg, isValidDpkgVersion } from './dpkg.js';
import { compareHackage, isValidHackage } from './hackage.js';
import { compareMaven, isValidMaven } from './maven.js';
import { compareNuget, isValidNuget } from './nuget.js';
import { comparePackagist, isValidPackagist } from './packagist.js';
import { comparePep440, isValidPep440 } from './pep440.js';
import { comparePub, isValidPub } from './pub.js';
import { compareRpm, isValidRpm } from './rpm.js';
import { compareRubygems, isValidRubygems } from './rubygems.js';
import { compareSemver, isValidSemver } from './semver.js';

/**
 * Orders the versions of one ecosystem. `compare` never throws and orders
 * any two strings; `isValid` says whether a string is a real version of the
 * ecosystem, so callers can refuse to trust an order of invalid input.
 */
export interface VersionComparator {
  /** Stable short name: `dpkg`, `apk`, `rpm`, `semver` … */
  readonly name: string;
  compare(a: string, b: string): -1 | 0 | 1;
  isValid(v: string): boolean;
}

/** Debian/Ubuntu package versions (deb-version(7)). */
export const dpkgComparator: VersionComparator = {
  name: 'dpkg',
  compare: compareDpkg,
  isValid: isValidDpkgVersion,
};

/** Alpine/Wolfi apk versions (apk-package(5)). */
export const apkComparator: VersionComparator = {
  name: 'apk',
  compare: compareApk,
  isValid: isValidApk,
};

/** RPM `[epoch:]version[-release]` (rpmvercmp, tilde and caret). */
export const rpmComparator: VersionComparator = {
  name: 'rpm',
  compare: compareRpm,
  isValid: isValidRpm,
};

/** SemVer 2.0 (npm, crates.io, Go with `v`, Hex …). */
export const semverComparator: VersionComparator = {
  name: 'semver',
  compare: compareSemver,
  isValid: isValidSemver,
};

/** PEP 440 with osv.dev's legacy fallback (PyPI). */
export const pep440Comparator: VersionComparator = {
  name: 'pep440',
  compare: comparePep440,
  isValid: isValidPep440,
};

const comparator = (
  name: string,
  compare: VersionComparator['compare'],
  isValid: VersionComparator['isValid'],
): VersionComparator => ({ name, compare, isValid });

/**
 * One row per comparator: the OSV ecosystem names (the part before `:`)
 * it orders (https://ossf.github.io/osv-schema/#defined-ecosystems).
 * Adding a comparator is one line here.
 */
const REGISTRY: ReadonlyArray<{
  comparator: VersionComparator;
  ecosystems: readonly string[];
}> = [
  { comparator: dpkgComparator, ecosystems: ['Debian', 'Ubuntu'] },
  { comparator: apkComparator, ecosystems: ['Alpine', 'Wolfi', 'Chainguard'] },
  {
    comparator: rpmComparator,
    ecosystems: [
      'AlmaLinux',
      'Azure Linux',
      'Mageia',
      'openEuler',
      'openSUSE',
      'Photon OS',
      'Red Hat',
      'Rocky Linux',
      'SUSE',
    ],
  },
  {
    comparator: semverComparator,
    ecosystems: [
      'npm',
      'crates.io',
      'Go',
      'Hex',
      'SwiftURL',
      'Bitnami',
      'GitHub Actions',
      'Node.js',
    ],
  },
  { comparator: pep440Comparator, ecosystems: ['PyPI'] },
  {
    comparator: comparator('maven', compareMaven, isValidMaven),
    ecosystems: ['Maven'],
  },
  {
    comparator: comparator('nuget', compareNuget, isValidNuget),
    ecosystems: ['NuGet'],
  },
  {
    comparator: comparator('rubygems', compareRubygems, isValidRubygems),
    ecosystems: ['RubyGems'],
  },
  {
    comparator: comparator('packagist', comparePackagist, isValidPackagist),
    ecosystems: ['Packagist'],
  },
  {
    comparator: comparator('cran', compareCran, isValidCran),
    ecosystems: ['CRAN'],
  },
  {
    comparator: comparator('pub', comparePub, isValidPub),
    ecosystems: ['Pub'],
  },
  {
    comparator: comparator('hackage', compareHackage, isValidHackage),
    ecosystems: ['Hackage', 'GHC'],
  },
];

/** Lower-cased ecosystem or comparator name -> comparator. */
const BY_NAME: ReadonlyMap<string, VersionComparator> = new Map(
  REGISTRY.flatMap(({ comparator, ecosystems }) => [
    [comparator.name.toLowerCase(), comparator] as const,
    ...ecosystems.map((e) => [e.toLowerCase(), comparator] as const),
  ]),
);

/**
 * The comparator of an OSV ecosystem (`Debian:12`, `Ubuntu:22.04:LTS`,
 * `Debian`), matched case-insensitively on the part before the first `:`.
 * A comparator's own name (`dpkg`) is accepted too. Undefined when no
 * comparator is known: callers must not guess an order then.
 */
export function comparatorFor(
  ecosystem: string,
): VersionComparator | undefined {
  if (BY_ECOSYSTEM.has(ecosystem)) return BY_ECOSYSTEM.get(ecosystem);
  const base = ecosystem.split(':', 1)[0] ?? '';
  const found = BY_NAME.get(base.trim().toLowerCase());
  // Matching asks for the same few ecosystems millions of times.
  if (BY_ECOSYSTEM.size < MAX_REMEMBERED) BY_ECOSYSTEM.set(ecosystem, found);
  return found;
}

const BY_ECOSYSTEM = new Map<string, VersionComparator | undefined>();
const MAX_REMEMBERED = 10_000;

/**
 * Names `customs version-compare ECOSYSTEM …` accepts, for help text:
 * comparator names and base ecosystems, lower-case. Any OSV ecosystem
 * string whose base is listed (e.g. `Debian:12`) is accepted as well.
 */
export function ecosystemNames(): string[] {
  return [...BY_NAME.keys()].sort();
}
