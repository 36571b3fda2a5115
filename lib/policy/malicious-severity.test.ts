import { describe, expect, it } from 'vitest';
import { isMaliciousAdvisory } from '../core/finding.js';
import { judgedSeverity } from './evaluate.js';
import { rulesSchema } from './rules.js';

const env = (severitySource: string) =>
  rulesSchema.parse({
    version: 1,
    environments: {
      prod: { vulnerabilities: { severitySource, unknownSeverityAs: 'low' } },
    },
  }).environments['prod']!;

describe('malicious-package findings', () => {
  it('are critical under every severity source, unlike other findings', () => {
    const mal = {
      advisoryId: 'MAL-2025-20690',
      aliases: [],
      status: 'affected' as const,
      severity: 'critical' as const,
    };
    for (const source of ['preferred', 'cvss', 'distribution', 'highest'])
      expect(judgedSeverity(mal, env(source))).toBe('critical');
    const other = { ...mal, advisoryId: 'GHSA-35jh-r3h4-6jhm' };
    expect(judgedSeverity(other, env('cvss'))).toBe('low');
  });

  it('are recognised by their MAL- id only', () => {
    expect(isMaliciousAdvisory('MAL-2024-11848')).toBe(true);
    expect(isMaliciousAdvisory('GHSA-xvch-5gv4-984h')).toBe(false);
    expect(isMaliciousAdvisory('XMAL-2024-1')).toBe(false);
  });
});
