import { describe, expect, it } from 'vitest';
import { dataAgeLimits, judgeDataAge } from './evaluate-data-age.js';

const AT = '2030-01-01T00:00:00.000Z';
const HOUR = 3_600_000;

describe('judgeDataAge', () => {
  it.each([
    [undefined, { importedAt: null }, []],
    [24, { importedAt: undefined }, []],
    [24, { importedAt: null }, ['DATA_STALE']],
    [24, { importedAt: AT, judgedAt: Date.parse(AT) + 24 * HOUR - 1 }, []],
    [
      24,
      { importedAt: AT, judgedAt: Date.parse(AT) + 24 * HOUR },
      ['DATA_STALE'],
    ],
  ])('limit %s, %j', (limit, data, codes) => {
    expect(judgeDataAge(data, limit).map((r) => r.code)).toEqual(codes);
  });

  it('lists the limits of the environments that set one', () => {
    expect(
      dataAgeLimits({
        environments: {
          dev: { vulnerabilities: {} },
          prod: { vulnerabilities: { maxDataAgeHours: 24 } },
        },
      }),
    ).toEqual([24]);
  });
});
