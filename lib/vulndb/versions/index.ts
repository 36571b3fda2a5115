import { compareDpkg, isValidDpkgVersion } from './dpkg.js';

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

/**
 * One row per comparator: the OSV ecosystem names (the part before `:`)
 * it orders. Adding a comparator is one line here.
 */
const REGISTRY: ReadonlyArray<{
  comparator: VersionComparator;
  ecosystems: readonly string[];
}> = [{ comparator: dpkgComparator, ecosystems: ['Debian', 'Ubuntu'] }];

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
  const base = ecosystem.split(':', 1)[0] ?? '';
  return BY_NAME.get(base.trim().toLowerCase());
}

/**
 * Names `customs version-compare ECOSYSTEM …` accepts, for help text:
 * comparator names and base ecosystems, lower-case. Any OSV ecosystem
 * string whose base is listed (e.g. `Debian:12`) is accepted as well.
 */
export function ecosystemNames(): string[] {
  return [...BY_NAME.keys()].sort();
}
