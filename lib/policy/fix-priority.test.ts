import { describe, expect, it } from 'vitest';
import { cveIdsOf, fixPriority, strongestSignal } from './fix-priority.js';

const kev = {
  cveId: 'CVE-2021-44228',
  kevDateAdded: '2021-12-10',
  kevRansomware: true,
  epss: 0.944,
};

describe('fixPriority', () => {
  it('puts a known-exploited critical with a fix first', () => {
    expect(
      fixPriority({
        severity: 'critical',
        hasFix: true,
        exploit: kev,
        origin: 'app',
      }),
    ).toEqual({
      level: 'P1',
      score: 100,
      because: [
        'critical severity',
        'known exploited (CISA KEV since 2021-12-10, used by ransomware)',
        'EPSS 94.4%',
        'fix available',
        'from the application layers',
      ],
    });
  });

  it('makes any known-exploited finding with a fix P1', () => {
    expect(
      fixPriority({ severity: 'low', hasFix: true, exploit: kev }),
    ).toMatchObject({ level: 'P1', score: 79 });
    expect(
      fixPriority({ severity: 'low', hasFix: false, exploit: kev }).level,
    ).toBe('P2');
  });

  it('ranks by severity, EPSS and fix when nothing is exploited', () => {
    expect(fixPriority({ severity: 'high', hasFix: true }).level).toBe('P3');
    expect(
      fixPriority({
        severity: 'high',
        hasFix: true,
        exploit: { cveId: 'CVE-1', epss: 0.5 },
      }),
    ).toMatchObject({ level: 'P2', score: 53 });
    expect(fixPriority({ severity: 'low', hasFix: false })).toEqual({
      level: 'P4',
      score: 10,
      because: ['low severity', 'no fix yet'],
    });
  });

  it('says a base finding is fixed by rebuilding on a newer base', () => {
    expect(
      fixPriority({
        severity: 'medium',
        hasFix: true,
        origin: 'base',
        hasNewerBase: true,
      }).because,
    ).toContain('from the base image: rebuild on its newer revision');
    expect(
      fixPriority({ severity: 'medium', hasFix: false, origin: 'base' })
        .because,
    ).toContain('from the base image: fixed by rebuilding on a newer base');
  });

  it('reads CVE ids from id and aliases and prefers KEV signals', () => {
    expect(
      cveIdsOf({ advisoryId: 'GHSA-x', aliases: ['CVE-2021-44228', 'OSV-1'] }),
    ).toEqual(['CVE-2021-44228']);
    const signals = new Map([
      ['CVE-1', { cveId: 'CVE-1', epss: 0.9 }],
      ['CVE-2', { cveId: 'CVE-2', epss: 0.1, kevDateAdded: '2024-01-01' }],
      ['CVE-3', { cveId: 'CVE-3', epss: 0.95 }],
    ]);
    expect(strongestSignal(['CVE-1', 'CVE-2'], signals)?.cveId).toBe('CVE-2');
    expect(strongestSignal(['CVE-1', 'CVE-3'], signals)?.cveId).toBe('CVE-3');
    expect(strongestSignal(['CVE-9'], signals)).toBeUndefined();
  });
});
