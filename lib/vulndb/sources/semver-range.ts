import semver from 'semver';
import type { AffectedRange, RangeEvent } from '../../core/advisory.js';

/**
 * Converts a node-semver range expression (`>=1.0.0 <1.2.3 || ^2.0.0`,
 * https://github.com/npm/node-semver#ranges) into OSV `SEMVER` ranges:
 * one range per `||` alternative, its lower bound an `introduced` event
 * and its upper bound a `fixed` (exclusive) or `last_affected`
 * (inclusive) event. Throws on an expression node-semver cannot parse.
 *
 * The OSV reading compares pre-releases by SemVer precedence, where
 * node-semver's `satisfies` leaves most pre-releases out; a gate had
 * better flag `2.0.0-beta` under `<2.0.0` than miss it.
 */
export function semverRangeToOsv(expression: string): AffectedRange[] {
  const range = new semver.Range(expression);
  const ranges: AffectedRange[] = [];
  for (const set of range.set) {
    const events = eventsOf(set);
    if (events !== undefined) ranges.push({ type: 'SEMVER', events });
  }
  return ranges;
}

interface Bound {
  version: semver.SemVer;
  isInclusive: boolean;
}

/** The events of one comparator set, or undefined when it admits nothing. */
function eventsOf(set: readonly semver.Comparator[]): RangeEvent[] | undefined {
  let lower: Bound | undefined;
  let upper: Bound | undefined;
  for (const c of set) {
    // The "any version" comparator (`*`) has an empty value.
    if (c.value === '') continue;
    const v = c.semver;
    if (c.operator === '' || c.operator === '=') {
      lower = tighterLower(lower, { version: v, isInclusive: true });
      upper = tighterUpper(upper, { version: v, isInclusive: true });
    } else if (c.operator.startsWith('>')) {
      lower = tighterLower(lower, {
        version: v,
        isInclusive: c.operator === '>=',
      });
    } else {
      upper = tighterUpper(upper, {
        version: v,
        isInclusive: c.operator === '<=',
      });
    }
  }
  if (isEmpty(lower, upper)) return undefined;
  const events: RangeEvent[] = [{ introduced: introducedOf(lower) }];
  if (upper !== undefined) {
    events.push(
      upper.isInclusive
        ? { last_affected: upper.version.version }
        : { fixed: upper.version.version },
    );
  }
  return events;
}

function tighterLower(a: Bound | undefined, b: Bound): Bound {
  if (a === undefined) return b;
  const c = semver.compare(a.version, b.version);
  if (c !== 0) return c > 0 ? a : b;
  return a.isInclusive ? b : a;
}

function tighterUpper(a: Bound | undefined, b: Bound): Bound {
  if (a === undefined) return b;
  const c = semver.compare(a.version, b.version);
  if (c !== 0) return c < 0 ? a : b;
  return a.isInclusive ? b : a;
}

/** `<0.0.0-0` (node-semver's "nothing"), or bounds that cross. */
function isEmpty(lower: Bound | undefined, upper: Bound | undefined): boolean {
  if (upper === undefined) return false;
  const floor = lower?.version ?? new semver.SemVer('0.0.0-0');
  const c = semver.compare(floor, upper.version);
  if (c !== 0) return c > 0;
  return !(upper.isInclusive && (lower?.isInclusive ?? true));
}

/**
 * The `introduced` version: `0` without a lower bound, the bound itself
 * when inclusive, else the smallest version above it: `1.2.4-0` above
 * `1.2.3`, `1.2.3-beta.0` above `1.2.3-beta` (SemVer §11: `0` is the
 * least identifier, and a longer pre-release list sorts above its prefix).
 */
function introducedOf(lower: Bound | undefined): string {
  if (lower === undefined) return '0';
  const v = lower.version;
  if (lower.isInclusive) {
    return v.compare('0.0.0-0') === 0 ? '0' : v.version;
  }
  if (v.prerelease.length > 0) return `${v.version}.0`;
  return `${v.major}.${v.minor}.${v.patch + 1}-0`;
}
