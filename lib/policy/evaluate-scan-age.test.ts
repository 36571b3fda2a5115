import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { judgeScanAge } from './evaluate-scan-age.js';
import { rulesSchema } from './rules.js';

const HOUR = 3_600_000;
const SCANNED = '2030-01-01T00:00:00.000Z';
const AT_LIMIT = Date.parse(SCANNED) + 168 * HOUR;

describe('judgeScanAge', () => {
  it.each([
    [undefined, SCANNED, AT_LIMIT + HOUR, []],
    [168, undefined, AT_LIMIT + HOUR, []],
    [168, SCANNED, AT_LIMIT - 1, []],
    [168, SCANNED, AT_LIMIT, ['SCAN_STALE']],
  ])(
    'limit %s, scanned %s, judged at %s',
    (limit, finishedAt, judgedAt, codes) => {
      expect(
        judgeScanAge({ finishedAt, judgedAt }, limit).map((r) => r.code),
      ).toEqual(codes);
    },
  );

  it('says when the scan was made and the limit', () => {
    expect(
      judgeScanAge({ finishedAt: SCANNED, judgedAt: AT_LIMIT }, 168),
    ).toEqual([
      {
        code: 'SCAN_STALE',
        message: `scanned ${SCANNED}, 168 h ago (at most 168 h): refused until scanned again`,
        details: { scannedAt: SCANNED, maxScanAgeHours: 168 },
      },
    ]);
  });

  it('makes evaluate refuse a done scan older than the limit', () => {
    const rules = rulesSchema.parse({
      version: 1,
      environments: { e: { vulnerabilities: { maxScanAgeHours: 168 } } },
    }).environments.e!;
    const evidence = {
      scan: { status: 'done' as const, finishedAt: SCANNED },
      findings: [],
      signatures: [],
    };
    expect(
      evaluate({ ...evidence, judgedAt: AT_LIMIT - 1 }, rules, []).status,
    ).toBe('eligible');
    expect(
      evaluate({ ...evidence, judgedAt: AT_LIMIT }, rules, []).reasons,
    ).toMatchObject([{ code: 'SCAN_STALE' }]);
  });
});
