import { compareStrings, type Order } from './digits.js';
import {
  buildOf,
  compareComponents,
  comparePrerelease,
  parseSemverLike,
} from './semver-like.js';

/**
 * Dart Pub version order (package `pub_semver`), as osv.dev applies it:
 * SemVer 2.0 precedence, then, unlike SemVer, the build metadata (after
 * `+`) decides between otherwise equal versions, compared as text
 * (`1.2.3+1` < `1.2.3+2` < `1.2.3+a`).
 */
export function comparePub(a: string, b: string): Order {
  const x = parseSemverLike(a, 3);
  const y = parseSemverLike(b, 3);
  return (
    compareComponents(x, y) ||
    comparePrerelease(x.rest, y.rest) ||
    compareStrings(buildOf(x.rest), buildOf(y.rest))
  );
}

/** A SemVer 2.0 version (Pub requires them), optional leading `v`. */
export { isValidSemver as isValidPub } from './semver.js';
