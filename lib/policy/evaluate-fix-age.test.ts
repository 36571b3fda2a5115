import { describe, expect, it } from 'vitest';
import type { Finding, FindingTimes } from '../core/finding.js';
import { evaluate } from './evaluate.js';
import { judgeFixAge } from './evaluate-fix-age.js';
import { rulesSchema } from './rules.js';

const DAY = 86_400_000;
const SINCE = '2030-01-01T00:00:00.000Z';
const AT_LIMIT = Date.parse(SINCE) + 30 * DAY;

const rulesFor = (vulnerabilities: unknown) =>
  rulesSchema.parse({
    version: 1,
    environments: { e: { vulnerabilities } },
  }).environments.e!;
const limited = rulesFor({ maxFixableDays: { days: 30 } });

const finding = (over: Partial<Finding & FindingTimes> = {}) => ({
  advisoryId: 'GHSA-35jh-r3h4-6jhm',
  aliases: ['CVE-2020-8203'],
  ecosystem: 'npm',
  packageName: 'lodash',
  packageVersion: '4.17.15',
  advisoryPackage: 'lodash',
  severity: 'high' as const,
  status: 'affected' as const,
  fixedVersion: '4.17.21',
  fixAvailableSince: SINCE,
  ...over,
});

describe('judgeFixAge', () => {
  it('refuses from exactly N days of an available fix on, not a millisecond before', () => {
    expect(judgeFixAge([finding()], limited, AT_LIMIT - 1)).toEqual([]);
    expect(judgeFixAge([finding()], limited, AT_LIMIT)).toEqual([
      {
        code: 'FIX_AVAILABLE_TOO_LONG',
        message:
          '1 vulnerability with a fix available for 30 days or more: CVE-2020-8203 (fix available 30 d)',
        details: {
          maxFixableDays: 30,
          minSeverity: 'negligible',
          advisories: [
            { id: 'CVE-2020-8203', fixAvailableSince: SINCE, days: 30 },
          ],
        },
      },
    ]);
  });

  it('checks nothing without the rule', () => {
    expect(judgeFixAge([finding()], rulesFor({}), AT_LIMIT + DAY)).toEqual([]);
  });

  it.each([
    ['without a fix', { fixedVersion: undefined }],
    ['without a recorded fix time', { fixAvailableSince: undefined }],
    ['undetermined (not counted)', { status: 'undetermined' as const }],
    ['below minSeverity', { severity: 'medium' as const }],
  ])('does not count a finding %s', (_name, over) => {
    const rules = rulesFor({
      maxFixableDays: { days: 30, minSeverity: 'high' },
    });
    expect(judgeFixAge([finding(over)], rules, AT_LIMIT + DAY)).toEqual([]);
  });

  it('names each advisory once, most overdue first, with its earliest fix time', () => {
    const reasons = judgeFixAge(
      [
        finding(),
        finding({
          packageName: 'lodash-es',
          fixAvailableSince: '2029-12-01T00:00:00.000Z',
        }),
        finding({
          advisoryId: 'GHSA-p6mc-m468-83gw',
          aliases: ['CVE-2020-28500'],
        }),
      ],
      rulesFor({ maxFixableDays: { days: 30, minSeverity: 'high' } }),
      AT_LIMIT,
    );
    expect(reasons.map((r) => r.message)).toEqual([
      '2 vulnerabilities of high or above with a fix available for 30 days or more: ' +
        'CVE-2020-8203 (fix available 61 d), CVE-2020-28500 (fix available 30 d)',
    ]);
  });

  it('counts only what exceptions leave, through evaluate', () => {
    const evidence = {
      scan: { status: 'done' as const },
      findings: [finding()],
      signatures: [],
      judgedAt: AT_LIMIT,
    };
    expect(evaluate(evidence, limited, []).status).toBe('ineligible');
    const waived = evaluate(
      {
        ...evidence,
        exceptions: [
          {
            id: 1,
            advisoryId: 'CVE-2020-8203',
            package: null,
            scope: {},
            owner: 'team-a',
            justification: 'not reachable',
            expiresAt: '2031-01-01T00:00:00.000Z',
            createdAt: SINCE,
            createdBy: 'admin',
            revokedAt: null,
          },
        ],
      },
      limited,
      [],
    );
    expect(waived.status).toBe('eligible');
    expect(waived.reasons.map((r) => r.code)).toContain('EXCEPTION_APPLIED');
  });
});
