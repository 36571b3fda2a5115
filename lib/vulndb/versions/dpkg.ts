/**
 * Debian package version comparison, as dpkg does it
 * (deb-version(7); dpkg `lib/dpkg/version.c` `dpkg_version_compare` and
 * `verrevcmp`). Used for the `Debian:*` and `Ubuntu:*` OSV ecosystems.
 *
 * A version is `[epoch:]upstream[-revision]`. Each part is compared
 * left to right in alternating non-digit and digit runs: non-digit runs
 * character by character where `~` sorts before everything (even the end of
 * the string), then letters, then all other characters; digit runs as
 * numbers of any length.
 */

const ALLOWED_UPSTREAM_RE = /^[A-Za-z0-9.+~:-]+$/;
const ALLOWED_REVISION_RE = /^[A-Za-z0-9.+~]+$/;
const DIGITS_RE = /^[0-9]+$/;
const WHITESPACE_RE = /\s/;
/** dpkg rejects epochs above INT_MAX ("epoch in version is too big"). */
const MAX_EPOCH = 2_147_483_647n;

const CODE_0 = 48;
const CODE_9 = 57;
const CODE_TILDE = 126;

/** A parsed version; `epoch` is '' when absent (same as '0'). */
export interface DpkgVersion {
  epoch: string;
  upstream: string;
  revision: string;
}

/**
 * Compares two Debian versions with dpkg's rules. Never throws: like
 * `apt_pkg.version_compare`, it orders any string (check input with
 * {@link isValidDpkgVersion} when it must be a real version).
 */
export function compareDpkg(a: string, b: string): -1 | 0 | 1 {
  const va = splitDpkgVersion(a);
  const vb = splitDpkgVersion(b);
  // Epochs are digit strings; verrevcmp compares them as numbers of any length.
  const result =
    verrevcmp(va.epoch, vb.epoch) ||
    verrevcmp(va.upstream, vb.upstream) ||
    verrevcmp(va.revision, vb.revision);
  return result < 0 ? -1 : result > 0 ? 1 : 0;
}

/**
 * True when `v` is a version dpkg accepts without error or warning
 * (`parseversion`): optional numeric epoch, upstream starting with a digit
 * and made of `[A-Za-z0-9.+~:-]`, optional non-empty revision made of
 * `[A-Za-z0-9.+~]`, no whitespace.
 */
export function isValidDpkgVersion(v: string): boolean {
  return dpkgVersionProblem(v) === undefined;
}

/**
 * Why `v` is not a valid dpkg version (dpkg's own wording), or undefined
 * when it is valid.
 */
export function dpkgVersionProblem(v: string): string | undefined {
  if (v.length === 0) return 'version string is empty';
  if (WHITESPACE_RE.test(v)) return 'version string has embedded spaces';
  const colon = v.indexOf(':');
  if (colon === 0) return 'epoch in version is empty';
  if (colon > 0) {
    const epoch = v.slice(0, colon);
    if (!DIGITS_RE.test(epoch)) return 'epoch in version is not number';
    if (BigInt(epoch) > MAX_EPOCH) return 'epoch in version is too big';
  }
  const { upstream, revision, hasRevision } = splitRest(v.slice(colon + 1));
  if (upstream.length === 0) return 'version number is empty';
  if (hasRevision && revision.length === 0) return 'revision number is empty';
  const first = upstream.charCodeAt(0);
  if (first < CODE_0 || first > CODE_9) {
    return 'version number does not start with digit';
  }
  if (!ALLOWED_UPSTREAM_RE.test(upstream)) {
    return 'invalid character in version number';
  }
  if (hasRevision && !ALLOWED_REVISION_RE.test(revision)) {
    return 'invalid character in revision number';
  }
  return undefined;
}

/**
 * Splits a version at the first `:` (epoch) and the last `-` (revision),
 * as dpkg does. Does not validate.
 */
export function splitDpkgVersion(v: string): DpkgVersion {
  const colon = v.indexOf(':');
  const epoch = colon >= 0 ? v.slice(0, colon) : '';
  const { upstream, revision } = splitRest(v.slice(colon + 1));
  return { epoch, upstream, revision };
}

function splitRest(rest: string): {
  upstream: string;
  revision: string;
  hasRevision: boolean;
} {
  const hyphen = rest.lastIndexOf('-');
  if (hyphen < 0) return { upstream: rest, revision: '', hasRevision: false };
  return {
    upstream: rest.slice(0, hyphen),
    revision: rest.slice(hyphen + 1),
    hasRevision: true,
  };
}

function isDigit(code: number): boolean {
  return code >= CODE_0 && code <= CODE_9;
}

/** dpkg's `order()`; `code` is NaN past the end of the string. */
function order(code: number): number {
  if (Number.isNaN(code) || isDigit(code)) return 0;
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return code;
  if (code === CODE_TILDE) return -1;
  return code + 256;
}

/**
 * dpkg's `verrevcmp`: the sign of the result orders `a` against `b`.
 * Digit runs are compared without converting to numbers, so a run of any
 * length is exact.
 */
function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (
      (i < a.length && !isDigit(a.charCodeAt(i))) ||
      (j < b.length && !isDigit(b.charCodeAt(j)))
    ) {
      const diff = order(a.charCodeAt(i)) - order(b.charCodeAt(j));
      if (diff !== 0) return diff;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === CODE_0) i++;
    while (b.charCodeAt(j) === CODE_0) j++;
    let firstDiff = 0;
    while (isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a.charCodeAt(i))) return 1;
    if (isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}
