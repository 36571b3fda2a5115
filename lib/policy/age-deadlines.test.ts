import { describe, expect, it } from 'vitest';
import type { Digest } from '../core/digest.js';
import type { AgeKind } from '../storage/ports.js';
import { ageDeadlines, ageLimitsMs } from './age-deadlines.js';
import { parseRules } from './rules.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const rules = parseRules(
  [
    'version: 1',
    'environments:',
    '  dev: {}',
    '  test: { vulnerabilities: { maxFixableDays: { days: 30 }, maxScanAgeHours: 24 } }',
    '  prod: { vulnerabilities: { maxFixableDays: { days: 7, minSeverity: high }, maxScanAgeHours: 24 } }',
  ].join('\n'),
  () => '',
);
const A: Digest = 'sha256:a';
const B: Digest = 'sha256:b';
const T0 = Date.parse('2030-01-01T00:00:00.000Z');

/** An AgeStore over a fixed list of (digest, time) of one kind. */
function ages(times: Array<{ digest: Digest; at: number }>) {
  const calls: string[] = [];
  return {
    calls,
    store: {
      nextAt: (_kind: AgeKind, after: string) => {
        const due = times
          .map((t) => t.at)
          .filter((at) => at >= Date.parse(after));
        return Promise.resolve(
          due.length === 0
            ? undefined
            : new Date(Math.min(...due)).toISOString(),
        );
      },
      imagesBetween: (_kind: AgeKind, from: string, until: string) => {
        calls.push(`${from}..${until}`);
        return Promise.resolve(
          times
            .filter((t) => t.at >= Date.parse(from) && t.at < Date.parse(until))
            .map((t) => ({ repository: 'team/app', digest: t.digest })),
        );
      },
    },
  };
}

describe('ageLimitsMs', () => {
  it('lists each distinct limit of a kind once', () => {
    expect(ageLimitsMs(rules, 'fix')).toEqual([30 * DAY, 7 * DAY]);
    expect(ageLimitsMs(rules, 'scan')).toEqual([24 * HOUR]);
  });
});

describe('ageDeadlines', () => {
  it('is due at the earliest time plus limit at or after `after`', async () => {
    const { store } = ages([
      { digest: A, at: T0 },
      { digest: B, at: T0 + 2 * DAY },
    ]);
    const source = ageDeadlines(
      { stores: { ages: store }, rules: () => rules, rejudge: async () => {} },
      'fix',
    );
    expect(await source.next(T0)).toBe(T0 + 7 * DAY);
    expect(await source.next(T0 + 7 * DAY + 1)).toBe(T0 + 9 * DAY);
    expect(await source.next(T0 + 30 * DAY + 1)).toBe(T0 + 32 * DAY);
    expect(await source.next(T0 + 32 * DAY + 1)).toBeUndefined();
  });

  it('re-judges only the images whose limit passed in the window', async () => {
    const { store } = ages([
      { digest: A, at: T0 },
      { digest: B, at: T0 + 2 * DAY },
    ]);
    const judged: Array<{ digests: Digest[]; cause: string }> = [];
    const source = ageDeadlines(
      {
        stores: { ages: store },
        rules: () => rules,
        rejudge: (images, cause) => {
          judged.push({ digests: images.map((i) => i.digest), cause });
          return Promise.resolve();
        },
      },
      'scan',
    );
    await source.reached(T0 + 24 * HOUR, T0 + 24 * HOUR + 1);
    expect(judged).toEqual([{ digests: [A], cause: 'the scan is 24 h old' }]);
  });

  it('is never due without a limit', async () => {
    const none = parseRules('version: 1\nenvironments:\n  dev: {}\n', () => '');
    const { store, calls } = ages([{ digest: A, at: T0 }]);
    const source = ageDeadlines(
      { stores: { ages: store }, rules: () => none, rejudge: async () => {} },
      'fix',
    );
    expect(await source.next(T0)).toBeUndefined();
    await source.reached(T0, T0 + 100 * DAY);
    expect(calls).toEqual([]);
  });
});
