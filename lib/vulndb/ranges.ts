import type {
  AffectedPackage,
  AffectedRange,
  RangeEvent,
} from '../core/advisory.js';
import { comparatorFor, type VersionComparator } from './versions/index.js';

/**
 * OSV affected-range evaluation, exactly as the spec's pseudocode
 * (https://ossf.github.io/osv-schema/#evaluation): a version is affected
 * by an entry when it is in `versions` or in one of `ranges`; in a range,
 * after `BeforeLimits`, the events sorted by version are replayed:
 * `introduced` (<= v) sets affected, `fixed` (<= v) clears it,
 * `last_affected` (< v) clears it. `introduced: "0"` sorts before every
 * version.
 */

/** The result of evaluating one version against an entry. */
export interface EntryOutcome {
  isAffected: boolean;
  /** Ranges that could not be evaluated, with why (empty when all were). */
  unevaluated: string[];
}

/** Comparator name used for `SEMVER` ranges, whatever the ecosystem. */
export const SEMVER_COMPARATOR = 'semver';

/** Orders events of equal version: an empty [X, X) range stays empty. */
const TIE_ORDER = { introduced: 0, last_affected: 1, fixed: 2, limit: 3 };

/** Evaluates installed `version` against one affected entry. */
export function evaluateEntry(
  entry: AffectedPackage,
  version: string,
): EntryOutcome {
  const comparator = comparatorFor(entry.ecosystem);
  if (isInVersions(entry.versions, version, comparator)) {
    return { isAffected: true, unevaluated: [] };
  }
  const unevaluated: string[] = [];
  for (const range of entry.ranges) {
    // GIT ranges name commits; an installed package has none. OSV
    // requires a `versions` list beside them, checked above.
    if (range.type === 'GIT') continue;
    const outcome = evaluateRange(
      range,
      version,
      rangeComparator(range, entry),
    );
    if (outcome === true) return { isAffected: true, unevaluated: [] };
    if (typeof outcome === 'string') unevaluated.push(outcome);
  }
  return { isAffected: false, unevaluated };
}

/**
 * Fixed versions of the entry's evaluable ranges that sort above
 * `version`, smallest first.
 */
export function fixedVersionsAbove(
  entry: AffectedPackage,
  version: string,
): string[] {
  const found: Array<{ fixed: string; comparator: VersionComparator }> = [];
  for (const range of entry.ranges) {
    const comparator = rangeComparator(range, entry);
    if (range.type === 'GIT' || comparator === undefined) continue;
    if (!comparator.isValid(version)) continue;
    for (const event of range.events) {
      if (!('fixed' in event) || !comparator.isValid(event.fixed)) continue;
      if (comparator.compare(event.fixed, version) > 0) {
        found.push({ fixed: event.fixed, comparator });
      }
    }
  }
  found.sort((a, b) => a.comparator.compare(a.fixed, b.fixed));
  return [...new Set(found.map((f) => f.fixed))];
}

/**
 * Whether `version` is in the range: true, false, or a string saying why
 * it cannot be told (no comparator, or a version the comparator rejects).
 */
export function evaluateRange(
  range: AffectedRange,
  version: string,
  comparator: VersionComparator | undefined,
): boolean | string {
  // "Every version is affected" needs no ordering (e.g. malicious packages).
  if (range.events.every((e) => 'introduced' in e && e.introduced === '0')) {
    return true;
  }
  if (comparator === undefined) {
    return `no version comparator for ${range.type} range`;
  }
  if (!comparator.isValid(version)) {
    return `installed version ${version} is not a valid ${comparator.name} version`;
  }
  const invalid = range.events.find((e) => !isUsable(e, comparator));
  if (invalid !== undefined) {
    return `range version ${eventVersion(invalid)} is not a valid ${comparator.name} version`;
  }
  if (!isBeforeLimits(range.events, version, comparator)) return false;
  return replayEvents(range.events, version, comparator);
}

/** The comparator of a range: SemVer for SEMVER, the ecosystem's else. */
export function rangeComparator(
  range: AffectedRange,
  entry: AffectedPackage,
): VersionComparator | undefined {
  if (range.type === 'SEMVER') return comparatorFor(SEMVER_COMPARATOR);
  if (range.type === 'ECOSYSTEM') return comparatorFor(entry.ecosystem);
  return undefined;
}

/**
 * `IncludedInVersions`: equal strings, or equal under the comparator when
 * both are valid versions (dpkg `1.0` equals `0:1.0`).
 */
export function isInVersions(
  versions: readonly string[],
  version: string,
  comparator: VersionComparator | undefined,
): boolean {
  return versions.some(
    (v) =>
      v === version ||
      (comparator !== undefined &&
        comparator.isValid(v) &&
        comparator.isValid(version) &&
        comparator.compare(v, version) === 0),
  );
}

function replayEvents(
  events: readonly RangeEvent[],
  version: string,
  comparator: VersionComparator,
): boolean {
  const sorted = [...events].sort((a, b) => compareEvents(a, b, comparator));
  let isAffected = false;
  for (const event of sorted) {
    if ('introduced' in event) {
      if (
        event.introduced === '0' ||
        comparator.compare(version, event.introduced) >= 0
      ) {
        isAffected = true;
      }
    } else if ('fixed' in event) {
      if (comparator.compare(version, event.fixed) >= 0) isAffected = false;
    } else if ('last_affected' in event) {
      if (comparator.compare(version, event.last_affected) > 0)
        isAffected = false;
    }
  }
  return isAffected;
}

/** `BeforeLimits`: no limit events, or v below any limit (`*` = infinity). */
function isBeforeLimits(
  events: readonly RangeEvent[],
  version: string,
  comparator: VersionComparator,
): boolean {
  const limits = events.flatMap((e) => ('limit' in e ? [e.limit] : []));
  if (limits.length === 0) return true;
  return limits.some((l) => l === '*' || comparator.compare(version, l) < 0);
}

function compareEvents(
  a: RangeEvent,
  b: RangeEvent,
  comparator: VersionComparator,
): number {
  const aZero = 'introduced' in a && a.introduced === '0';
  const bZero = 'introduced' in b && b.introduced === '0';
  if (aZero || bZero) return aZero === bZero ? 0 : aZero ? -1 : 1;
  const va = eventVersion(a);
  const vb = eventVersion(b);
  // `limit: "*"` is infinity; limits do not take part in the replay anyway.
  const byVersion =
    va === '*' || vb === '*'
      ? Number(va === '*') - Number(vb === '*')
      : comparator.compare(va, vb);
  return byVersion !== 0
    ? byVersion
    : TIE_ORDER[kindOf(a)] - TIE_ORDER[kindOf(b)];
}

function kindOf(event: RangeEvent): keyof typeof TIE_ORDER {
  if ('introduced' in event) return 'introduced';
  if ('fixed' in event) return 'fixed';
  if ('last_affected' in event) return 'last_affected';
  return 'limit';
}

function eventVersion(event: RangeEvent): string {
  if ('introduced' in event) return event.introduced;
  if ('fixed' in event) return event.fixed;
  if ('last_affected' in event) return event.last_affected;
  return event.limit;
}

/** `introduced: "0"` and `limit: "*"` are spec sentinels, not versions. */
function isUsable(event: RangeEvent, comparator: VersionComparator): boolean {
  if ('introduced' in event && event.introduced === '0') return true;
  if ('limit' in event && event.limit === '*') return true;
  return comparator.isValid(eventVersion(event));
}
