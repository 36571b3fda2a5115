import { describe, expect, it } from 'vitest';
import {
  advisoryUrl,
  ago,
  badgeOf,
  defaultExpiryInput,
  filterRows,
  imageRoute,
  severityRank,
  shortDigest,
} from './format.js';

describe('dashboard formatting', () => {
  it('shows an environment without a verdict as pending', () => {
    expect(
      ['eligible', 'ineligible', 'break-glass', 'pending', undefined, 'x'].map(
        badgeOf,
      ),
    ).toEqual([
      'eligible',
      'ineligible',
      'break-glass',
      'pending',
      'pending',
      'pending',
    ]);
  });

  it('links each advisory to where it is published', () => {
    expect(advisoryUrl('CVE-2024-1234')).toBe(
      'https://nvd.nist.gov/vuln/detail/CVE-2024-1234',
    );
    expect(advisoryUrl('GHSA-xxxx-yyyy-zzzz')).toBe(
      'https://github.com/advisories/GHSA-xxxx-yyyy-zzzz',
    );
    expect(advisoryUrl('DSA-5555-1')).toBe(
      'https://osv.dev/vulnerability/DSA-5555-1',
    );
  });

  it('filters rows by every word of the query', () => {
    const rows = [
      { name: 'libc6', version: '2.36' },
      { name: 'libssl3', version: '3.0.11' },
      { name: 'zlib1g', version: '1.2.13' },
    ];
    const by = (q: string) =>
      filterRows(rows, q, (r) => [r.name, r.version]).map((r) => r.name);
    expect(by('')).toEqual(['libc6', 'libssl3', 'zlib1g']);
    expect(by('LIB')).toEqual(['libc6', 'libssl3', 'zlib1g']);
    expect(by('lib 2.36')).toEqual(['libc6']);
    expect(by('nothing')).toEqual([]);
  });

  it('orders severities critical first and unknown last', () => {
    expect(
      ['unknown', 'low', 'Critical', 'high'].sort(
        (a, b) => severityRank(a) - severityRank(b),
      ),
    ).toEqual(['Critical', 'high', 'low', 'unknown']);
  });

  it('shortens digests, times and routes', () => {
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe(
      'sha256:abababababab',
    );
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(ago('2026-01-01T11:59:30Z', now)).toBe('30 s ago');
    expect(ago('2026-01-01T09:00:00Z', now)).toBe('3 h ago');
    expect(ago(null, now)).toBe('—');
    expect(imageRoute('team/app', 'sha256:ab')).toBe(
      '#/image/team%2Fapp%40sha256%3Aab',
    );
  });

  it('proposes an expiry 30 days ahead as a datetime-local value', () => {
    const now = new Date('2026-01-01T12:34:56Z');
    const value = defaultExpiryInput(now);
    expect(value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    // Read back as local time, it is 30 days after now (to the minute).
    expect(Date.parse(value) - now.getTime()).toBeGreaterThan(
      30 * 86_400_000 - 60_000,
    );
    expect(Date.parse(value) - now.getTime()).toBeLessThanOrEqual(
      30 * 86_400_000,
    );
  });
});
