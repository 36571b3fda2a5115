import type { AgeKind, Stores } from '../storage/ports.js';
import type { ImageName } from '../storage/admin-ports.js';
import type { DeadlineSource } from './expiry-timer.js';
import type { RuleSet } from './rules.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** True when some environment sets `maxFixableDays`. */
export function limitsFixAge(rules: RuleSet): boolean {
  return ageLimitsMs(rules, 'fix').length > 0;
}

/**
 * The distinct limits (ms) the environments set on one kind of age:
 * `fix` from `maxFixableDays.days`, `scan` from `maxScanAgeHours`.
 */
export function ageLimitsMs(
  rules: Pick<RuleSet, 'environments'>,
  kind: AgeKind,
): number[] {
  const limits = Object.values(rules.environments).flatMap(
    ({ vulnerabilities: v }) => {
      if (kind === 'fix')
        return v.maxFixableDays ? [v.maxFixableDays.days * DAY_MS] : [];
      return v.maxScanAgeHours === undefined
        ? []
        : [v.maxScanAgeHours * HOUR_MS];
    },
  );
  return [...new Set(limits)];
}

/**
 * The expiry timer's deadlines of one kind of age: an image's verdict
 * changes by itself when the fix of one of its findings (`fix`) or its
 * scan (`scan`) has been around for an environment's limit. `reached`
 * re-judges only the images whose time plus a limit fell in the window
 * (an image may be judged for nothing: severity is not looked at here).
 */
export function ageDeadlines(
  deps: {
    stores: Pick<Stores, 'ages'>;
    rules: () => RuleSet;
    rejudge(images: ImageName[], cause: string): Promise<void>;
  },
  kind: AgeKind,
): DeadlineSource {
  return {
    async next(after) {
      const due = await Promise.all(
        ageLimitsMs(deps.rules(), kind).map(async (limit) => {
          const at = await deps.stores.ages.nextAt(kind, iso(after - limit));
          return at === undefined ? Infinity : Date.parse(at) + limit;
        }),
      );
      const first = Math.min(Infinity, ...due);
      return Number.isFinite(first) ? first : undefined;
    },
    async reached(from, until) {
      for (const limit of ageLimitsMs(deps.rules(), kind)) {
        const images = await deps.stores.ages.imagesBetween(
          kind,
          iso(from - limit),
          iso(until - limit),
        );
        if (images.length > 0) await deps.rejudge(images, CAUSES[kind](limit));
      }
    },
  };
}

/** The cause verdict changes are recorded with, from the limit passed. */
const CAUSES: Record<AgeKind, (limitMs: number) => string> = {
  fix: (ms) => `a fix has been available for ${ms / DAY_MS} days`,
  scan: (ms) => `the scan is ${ms / HOUR_MS} h old`,
};

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
