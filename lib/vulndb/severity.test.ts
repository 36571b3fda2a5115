import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Advisory, AffectedPackage } from '../core/advisory.js';
import { cvssBaseScore, severityDetails, severityFor } from './severity.js';
import { parseOsvRecord } from './sources/osv.js';

const GHSA_DIR = fileURLToPath(
  new URL('../../../shared/data/osv/ghsa/', import.meta.url),
);

const V3_CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'; // 9.8
const V3_MEDIUM = 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N'; // 6.8
const V4_CRITICAL =
  'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'; // 9.3

function advisory(over: Partial<Advisory> = {}): Advisory {
  return {
    id: 'X-1',
    source: 'osv',
    modified: '2024-01-01T00:00:00Z',
    aliases: [],
    related: [],
    severity: [],
    affected: [],
    ...over,
  };
}

function entry(over: Partial<AffectedPackage> = {}): AffectedPackage {
  return { ecosystem: 'npm', name: 'x', ranges: [], versions: [], ...over };
}

describe('cvssBaseScore', () => {
  it.each([
    ['CVSS_V3', V3_CRITICAL, 9.8],
    ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10],
    ['CVSS_V3', V3_MEDIUM, 6.8],
    ['CVSS_V3', 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
    ['CVSS_V3', `${V3_CRITICAL}/E:U/RL:O`, 9.8],
    ['CVSS_V4', V4_CRITICAL, 9.3],
    [
      'CVSS_V4',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H',
      10,
    ],
    ['CVSS_V4', `${V4_CRITICAL}/E:U`, 9.3],
    ['CVSS_V2', 'AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5],
    ['CVSS_V2', '(AV:N/AC:L/Au:N/C:C/I:C/A:C)', 10],
  ])('scores %s %s as %d', (type, vector, score) => {
    expect(cvssBaseScore(type, vector)).toBe(score);
  });

  it.each([
    ['CVSS_V3', 'garbage'],
    ['CVSS_V3', ''],
    ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L'],
    ['CVSS_V3', 'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    ['CVSS_V3', `${V3_CRITICAL}/XX:Y`],
    ['CVSS_V3', 'CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    ['CVSS_V3', V4_CRITICAL],
    ['CVSS_V4', V3_CRITICAL],
    ['Ubuntu', 'high'],
  ])('gives no score for %s %j', (type, vector) => {
    expect(cvssBaseScore(type, vector)).toBeUndefined();
  });
});

describe('severityFor', () => {
  it('prefers the Debian urgency', () => {
    const a = advisory({ severity: [{ type: 'CVSS_V3', score: V3_CRITICAL }] });
    expect(
      severityFor(a, entry({ databaseSpecific: { urgency: 'unimportant' } })),
    ).toEqual({
      severity: 'negligible',
      severitySource: 'debian-urgency',
    });
    expect(
      severityFor(a, entry({ databaseSpecific: { urgency: 'high**' } })),
    ).toEqual({
      severity: 'high',
      severitySource: 'debian-urgency',
    });
  });

  it('falls through an urgency it does not know', () => {
    const a = advisory({ severity: [{ type: 'CVSS_V3', score: V3_MEDIUM }] });
    expect(
      severityFor(a, entry({ databaseSpecific: { urgency: 'constructor' } })),
    ).toEqual({
      severity: 'medium',
      severitySource: 'cvss',
    });
  });

  it('takes the worst CVSS v3/v4 score, the entry before the advisory', () => {
    const a = advisory({
      severity: [
        { type: 'CVSS_V3', score: V3_MEDIUM },
        { type: 'CVSS_V4', score: V4_CRITICAL },
      ],
    });
    expect(severityFor(a, entry()).severity).toBe('critical');
    const own = entry({ severity: [{ type: 'CVSS_V3', score: V3_MEDIUM }] });
    expect(severityFor(a, own).severity).toBe('medium');
  });

  it('uses CVSS v2 only without v3/v4, capped at high', () => {
    const v2 = { type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:C/I:C/A:C' };
    expect(severityFor(advisory({ severity: [v2] }), entry())).toEqual({
      severity: 'high',
      severitySource: 'cvss',
    });
    const both = advisory({
      severity: [v2, { type: 'CVSS_V3', score: V3_MEDIUM }],
    });
    expect(severityFor(both, entry()).severity).toBe('medium');
  });

  it('reads Ubuntu priorities', () => {
    const own = entry({
      severity: [
        { type: 'Ubuntu', score: 'low' },
        { type: 'Ubuntu', score: 'Medium' },
      ],
    });
    expect(severityFor(advisory(), own)).toEqual({
      severity: 'medium',
      severitySource: 'ubuntu-priority',
    });
  });

  it('reads database_specific severity text, the entry before the advisory', () => {
    const a = advisory({ databaseSpecific: { severity: 'MODERATE' } });
    expect(severityFor(a, entry())).toEqual({
      severity: 'medium',
      severitySource: 'database-specific',
    });
    const own = entry({ databaseSpecific: { severity: 'CRITICAL' } });
    expect(severityFor(a, own).severity).toBe('critical');
  });

  it('is unknown, not low, without any usable data', () => {
    const a = advisory({
      severity: [{ type: 'CVSS_V3', score: 'broken' }],
      databaseSpecific: { severity: 'constructor' },
    });
    expect(severityFor(a, entry())).toEqual({
      severity: 'unknown',
      severitySource: undefined,
    });
  });

  it('agrees with GitHub on the shared GHSA records', async () => {
    const files = (await readdir(GHSA_DIR)).filter((f) => f.endsWith('.json'));
    const band: Record<string, string> = {
      LOW: 'low',
      MODERATE: 'medium',
      HIGH: 'high',
      CRITICAL: 'critical',
    };
    let compared = 0;
    for (const file of files) {
      const a = parseOsvRecord(
        JSON.parse(await readFile(join(GHSA_DIR, file), 'utf8')),
      );
      const text = a.databaseSpecific?.['severity'];
      const first = a.affected[0];
      if (typeof text !== 'string' || first === undefined) continue;
      const verdict = severityFor(a, first);
      expect(verdict.severity, file).toBe(band[text]);
      if (a.severity.length > 0)
        expect(verdict.severitySource, file).toBe('cvss');
      compared++;
    }
    expect(compared).toBe(8);
  });
});

describe('severityDetails', () => {
  it('keeps the CVSS rating and the distribution rating apart', () => {
    const a = advisory({
      severity: [{ type: 'CVSS_V3', score: V3_CRITICAL }],
    });
    expect(
      severityDetails(
        a,
        entry({
          ecosystem: 'Debian:12',
          databaseSpecific: { urgency: 'unimportant' },
        }),
      ),
    ).toEqual({
      preferred: { severity: 'negligible', severitySource: 'debian-urgency' },
      cvss: { score: 9.8, severity: 'critical' },
      distribution: {
        severity: 'negligible',
        severitySource: 'debian-urgency',
      },
    });
  });

  it('computes v3.1 and v4.0 base scores, never trusting a stated score', () => {
    const a = advisory({
      severity: [
        { type: 'CVSS_V3', score: V3_MEDIUM },
        { type: 'CVSS_V4', score: V4_CRITICAL },
      ],
      databaseSpecific: { cvss_score: 1.0, severity: 'LOW' },
    });
    expect(severityDetails(a, entry()).cvss).toEqual({
      score: 9.3,
      severity: 'critical',
    });
  });

  it('reads the Red Hat rating of AlmaLinux and Rocky summaries', () => {
    const a = advisory({ summary: 'Important: xz security update' });
    expect(severityDetails(a, entry({ ecosystem: 'AlmaLinux:9' }))).toEqual({
      preferred: { severity: 'high', severitySource: 'redhat-severity' },
      cvss: undefined,
      distribution: { severity: 'high', severitySource: 'redhat-severity' },
    });
    // Only in the Red Hat family: elsewhere a summary is just text.
    expect(severityDetails(a, entry()).distribution).toBeUndefined();
  });

  it('has no distribution rating for a language advisory', () => {
    const a = advisory({
      severity: [{ type: 'CVSS_V3', score: V3_MEDIUM }],
      databaseSpecific: { severity: 'HIGH' },
    });
    expect(severityDetails(a, entry())).toEqual({
      preferred: { severity: 'medium', severitySource: 'cvss' },
      cvss: { score: 6.8, severity: 'medium' },
      distribution: undefined,
    });
  });
});
