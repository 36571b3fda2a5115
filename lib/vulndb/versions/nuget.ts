import type { Order } from './digits.js';
import {
  compareComponents,
  comparePrerelease,
  parseSemverLike,
} from './semver-like.js';

/**
 * NuGet version order (https://learn.microsoft.com/nuget/concepts/package-versioning):
 * up to four numeric parts, missing parts are zero (`1.0` = `1.0.0.0`),
 * then SemVer 2.0 pre-release precedence compared case-insensitively;
 * build metadata is ignored.
 */
export function compareNuget(a: string, b: string): Order {
  const x = parseSemverLike(a, 4);
  const y = parseSemverLike(b, 4);
  return (
    compareComponents(x, y) ||
    comparePrerelease(x.rest.toLowerCase(), y.rest.toLowerCase())
  );
}

/** One to four numeric parts, optional `-pre.release` and `+build`. */
export function isValidNuget(v: string): boolean {
  return NUGET_RE.test(v);
}

const NUGET_RE =
  /^v?[0-9]+(?:\.[0-9]+){0,3}(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
