import { describe, expect, it } from 'vitest';
import type { Finding } from '../core/finding.js';
import { evaluate, judgedSeverity } from './evaluate.js';
import { rulesSchema } from './rules.js';

const rulesFor = (vulnerabilities: unknown) =>
  rulesSchema.parse({
    version: 1,
    environments: { e: { vulnerabilities } },
  }).environments.e!;

/** Debian calls it unimportant; its CVSS vector scores it critical. */
const finding: Finding = {
  advisoryId: 'DEBIAN-CVE-2023-45853',
  aliases: ['CVE-2023-45853'],
  ecosystem: 'Debian:12',
  packageName: 'zlib1g',
  packageVersion: '1:1.2.13.dfsg-1',
  advisoryPackage: 'zlib',
  severity: 'negligible',
  severitySource: 'debian-urgency',
  cvssScore: 9.8,
  cvssSeverity: 'critical',
  distributionSeverity: 'negligible',
  distributionSeveritySource: 'debian-urgency',
  status: 'affected',
  fixedVersion: '1:1.3.dfsg-2',
};

describe('vulnerabilities.severitySource', () => {
  it('defaults to the preferred rating', () => {
    expect(rulesFor({}).vulnerabilities.severitySource).toBe('preferred');
    expect(judgedSeverity(finding, rulesFor({}))).toBe('negligible');
  });

  it.each([
    ['preferred', 'negligible'],
    ['distribution', 'negligible'],
    ['cvss', 'critical'],
    ['highest', 'critical'],
  ] as const)('judges by %s as %s', (severitySource, want) => {
    const rules = rulesFor({ severitySource, maxSeverity: 'high' });
    expect(judgedSeverity(finding, rules)).toBe(want);
    expect(
      evaluate(
        { scan: { status: 'done' }, findings: [finding], signatures: [] },
        rules,
        [],
      ).status,
    ).toBe(want === 'critical' ? 'ineligible' : 'eligible');
  });

  it('judges a missing rating as unknownSeverityAs, never as low', () => {
    const language: Finding = {
      ...finding,
      severity: 'medium',
      cvssSeverity: 'medium',
      distributionSeverity: 'unknown',
      distributionSeveritySource: undefined,
    };
    const rules = rulesFor({
      severitySource: 'distribution',
      unknownSeverityAs: 'critical',
    });
    expect(judgedSeverity(language, rules)).toBe('critical');
    // A finding stored before both ratings existed has neither field.
    const old: Finding = { ...finding, cvssSeverity: undefined };
    expect(judgedSeverity(old, rulesFor({ severitySource: 'cvss' }))).toBe(
      'high',
    );
    const nothing: Finding = {
      ...finding,
      severity: 'unknown',
      cvssSeverity: 'unknown',
      distributionSeverity: 'unknown',
    };
    expect(
      judgedSeverity(nothing, rulesFor({ severitySource: 'highest' })),
    ).toBe('high');
  });

  it('refuses an unknown source', () => {
    expect(() => rulesFor({ severitySource: 'vibes' })).toThrow();
  });
});
