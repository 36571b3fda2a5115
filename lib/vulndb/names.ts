/**
 * Package-name normalisation per ecosystem, applied identically to the
 * names advisories give (at import, in the store's package index) and to
 * the names found in images (at lookup), so that two spellings of one
 * package meet. Only ecosystems whose registry treats the spellings as one
 * package are normalised; everywhere else names compare exactly.
 */

const PEP503_SEPARATORS_RE = /[-_.]+/g;
const UNDERSCORE_RE = /_/g;
const MAVEN_SPACES_RE = /\s*:\s*/g;

/**
 * Normaliser per base ecosystem (the part before `:`):
 * - PyPI: PEP 503 (https://peps.python.org/pep-0503/#normalized-names):
 *   runs of `-`, `_`, `.` become `-`, lower-case (`Foo_Bar` = `foo-bar`).
 * - crates.io: case-insensitive, and `-` and `_` name the same crate.
 * - NuGet, Packagist: ids are case-insensitive.
 * - Maven: `groupId:artifactId`, case-sensitive; the purl-style
 *   `group/artifact` and blanks around the colon are tidied.
 * npm is deliberately absent: the registry keeps legacy mixed-case names
 * as packages distinct from their lower-case namesakes (`JSONStream` and
 * `jsonstream` are two packages), so npm names compare exactly.
 */
const NORMALIZERS: ReadonlyMap<string, (name: string) => string> = new Map([
  ['PyPI', (n: string) => n.replace(PEP503_SEPARATORS_RE, '-').toLowerCase()],
  ['crates.io', (n: string) => n.toLowerCase().replace(UNDERSCORE_RE, '-')],
  ['NuGet', (n: string) => n.toLowerCase()],
  ['Packagist', (n: string) => n.toLowerCase()],
  ['Maven', normalizeMaven],
]);

/** `name` as compared in `ecosystem`; see {@link NORMALIZERS}. */
export function normalizePackageName(ecosystem: string, name: string): string {
  const trimmed = name.trim();
  const normalize = NORMALIZERS.get(baseEcosystem(ecosystem));
  return normalize === undefined ? trimmed : normalize(trimmed);
}

/** The part of an OSV ecosystem before the first `:` (`Debian:12` -> `Debian`). */
export function baseEcosystem(ecosystem: string): string {
  const colon = ecosystem.indexOf(':');
  return colon < 0 ? ecosystem : ecosystem.slice(0, colon);
}

function normalizeMaven(name: string): string {
  const tidy = name.replace(MAVEN_SPACES_RE, ':');
  if (tidy.includes(':')) return tidy;
  const slash = tidy.indexOf('/');
  // `group/artifact` (purl spelling) names the same coordinates.
  return slash > 0 && slash === tidy.lastIndexOf('/')
    ? `${tidy.slice(0, slash)}:${tidy.slice(slash + 1)}`
    : tidy;
}
