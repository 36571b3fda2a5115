import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ImagePackage } from '../../core/package.js';
import { matchPackage } from '../match.js';
import {
  isDebianTrackerJson,
  parseDebianTrackerJson,
} from './debian-tracker-json.js';

const EXPORT = fileURLToPath(
  new URL('./testdata/debian-tracker.json', import.meta.url),
);

async function parsed() {
  const json: unknown = JSON.parse(await readFile(EXPORT, 'utf8'));
  expect(isDebianTrackerJson(json)).toBe(true);
  return parseDebianTrackerJson(json);
}

const deb = (name: string, source: string, version: string): ImagePackage => ({
  ecosystem: 'Debian:12',
  name,
  version,
  sourceName: source,
  sourceVersion: version,
  purl: `pkg:deb/debian/${name}@${version}`,
  layerDigest: `sha256:${'0'.repeat(64)}`,
  detector: 'os/dpkg',
  path: 'var/lib/dpkg/status',
});

describe('parseDebianTrackerJson', () => {
  it('converts each status of each covered release', async () => {
    const { advisories } = await parsed();
    const byId = new Map(advisories.map((a) => [a.id, a]));
    expect(byId.get('DEBIAN-CVE-2023-45853')?.affected).toEqual([
      {
        ecosystem: 'Debian:12',
        name: 'zlib',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
        versions: [],
        databaseSpecific: {
          status: 'no-dsa',
          urgency: 'unimportant',
          note: 'postponed',
        },
      },
      {
        ecosystem: 'Debian:13',
        name: 'zlib',
        ranges: [
          {
            type: 'ECOSYSTEM',
            events: [{ introduced: '0' }, { fixed: '1:1.3.dfsg-2' }],
          },
        ],
        versions: [],
        databaseSpecific: { status: 'fixed', urgency: 'unimportant' },
      },
    ]);
    // Resolved with version 0: not affected, no entry; an unassigned urgency is dropped.
    expect(byId.get('DEBIAN-CVE-2025-4802')?.affected).toEqual([
      {
        ecosystem: 'Debian:12',
        name: 'glibc',
        ranges: [
          {
            type: 'ECOSYSTEM',
            events: [{ introduced: '0' }, { fixed: '2.36-9+deb12u11' }],
          },
        ],
        versions: [],
        databaseSpecific: { status: 'fixed' },
      },
    ]);
    expect(byId.get('DEBIAN-CVE-2023-36660')?.affected).toEqual([]);
    expect(
      byId.get('DEBIAN-CVE-2025-8941')?.affected[0]?.databaseSpecific,
    ).toEqual({
      status: 'undetermined',
    });
    expect(byId.get('DEBIAN-TEMP-0001234-A1B2C3')).toMatchObject({
      aliases: ['TEMP-0001234-A1B2C3'],
      summary: 'journal: a crafted message may crash systemd-journald',
    });
  });

  it('warns about a malformed issue and keeps the rest', async () => {
    const { advisories, warnings } = await parsed();
    expect(warnings).toEqual([
      { line: 0, message: 'zlib CVE-2099-0001: not a tracker issue' },
    ]);
    expect(advisories).toHaveLength(8);
  });

  it('matches like the data/CVE/list records', async () => {
    const { advisories } = await parsed();
    const findings = [
      ...matchPackage(deb('zlib1g', 'zlib', '1:1.2.13.dfsg-1'), advisories),
      ...matchPackage(deb('libc6', 'glibc', '2.36-9+deb12u10'), advisories),
      ...matchPackage(deb('libc6', 'glibc', '2.36-9+deb12u13'), advisories),
      ...matchPackage(deb('libnettle8', 'nettle', '3.8.1-2'), advisories),
      ...matchPackage(deb('libpam0g', 'pam', '1.5.2-6+deb12u1'), advisories),
      ...matchPackage(
        deb('libsystemd0', 'systemd', '252.39-1~deb12u1'),
        advisories,
      ),
    ];
    expect(
      findings.map((f) => [
        f.advisoryId,
        f.packageVersion,
        f.status,
        f.severity,
      ]),
    ).toEqual([
      ['DEBIAN-CVE-2023-45853', '1:1.2.13.dfsg-1', 'affected', 'negligible'],
      ['DEBIAN-CVE-2025-4802', '2.36-9+deb12u10', 'affected', 'unknown'],
      ['DEBIAN-CVE-2025-8941', '1.5.2-6+deb12u1', 'undetermined', 'unknown'],
      ['DEBIAN-CVE-2023-31437', '252.39-1~deb12u1', 'affected', 'negligible'],
      ['DEBIAN-TEMP-0001234-A1B2C3', '252.39-1~deb12u1', 'affected', 'medium'],
    ]);
  });

  it('refuses a document that is not an object and recognises only the export', () => {
    expect(() => parseDebianTrackerJson([])).toThrow(
      /object of source packages/,
    );
    expect(isDebianTrackerJson({ id: 'GHSA-1', modified: 'x' })).toBe(false);
    expect(isDebianTrackerJson([])).toBe(false);
  });
});
