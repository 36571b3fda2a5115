import type { Order } from './digits.js';
import {
  compareComponents,
  comparePrerelease,
  parseSemverLike,
} from './semver-like.js';

/**
 * SemVer 2.0 precedence (https://semver.org/#spec-item-11), as osv.dev
 * orders npm, crates.io, Go (leading `v`), Hex and other SemVer
 * ecosystems. Numbers of any length are exact (node-semver rejects those
 * above 2^53), a leading `v` is ignored, and components beyond the third
 * (`1.1.3.4.5`) are read as part of the pre-release, as osv.dev does.
 * Build metadata never affects the order.
 */
export function compareSemver(a: string, b: string): Order {
  const x = parseSemverLike(a, 3);
  const y = parseSemverLike(b, 3);
  return compareComponents(x, y) || comparePrerelease(x.rest, y.rest);
}

/**
 * A SemVer 2.0 version (https://semver.org/#backusnaur-form-grammar-for-valid-semver-versions),
 * optionally prefixed with `v` as Go writes them.
 */
export function isValidSemver(v: string): boolean {
  return SEMVER_RE.test(v);
}

const NUM = '(?:0|[1-9][0-9]*)';
const PRE_ID = `(?:${NUM}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
const SEMVER_RE = new RegExp(
  `^v?${NUM}\\.${NUM}\\.${NUM}` +
    `(?:-${PRE_ID}(?:\\.${PRE_ID})*)?` +
    '(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$',
);
