import { describe, expect, it } from 'vitest';
import type { Advisory, AffectedPackage } from '../core/advisory.js';
import type { ImagePackage } from '../core/package.js';
import { lookupKeyFor, matchPackage, matchPackageDetailed } from './match.js';

function pkg(over: Partial<ImagePackage> = {}): ImagePackage {
  return {
    ecosystem: 'Debian:12',
    name: 'libc6',
    version: '2.36-9+deb12u4',
    sourceName: 'glibc',
    sourceVersion: '2.36-9+deb12u4',
    purl: 'pkg:deb/debian/libc6@2.36-9+deb12u4?distro=debian-12',
    layerDigest: `sha256:${'0'.repeat(64)}`,
    detector: 'os/dpkg',
    path: 'var/lib/dpkg/status',
    ...over,
  };
}

function affected(
  events: AffectedPackage['ranges'][number]['events'],
  over: Partial<AffectedPackage> = {},
): AffectedPackage {
  return {
    ecosystem: 'Debian:12',
    name: 'glibc',
    ranges: [{ type: 'ECOSYSTEM', events }],
    versions: [],
    ...over,
  };
}

function advisory(
  entries: AffectedPackage[],
  over: Partial<Advisory> = {},
): Advisory {
  return {
    id: 'DEBIAN-CVE-2025-0001',
    source: 'debian-tracker',
    modified: '1970-01-01T00:00:00Z',
    aliases: ['CVE-2025-0001'],
    related: [],
    summary: 'a bug',
    severity: [],
    affected: entries,
    ...over,
  };
}

describe('lookupKeyFor', () => {
  it('uses the source package of distribution packages', () => {
    const binNmu = pkg({
      name: 'bash',
      version: '5.2.15-2+b13',
      sourceName: 'bash',
      sourceVersion: '5.2.15-2',
    });
    expect(lookupKeyFor(binNmu)).toEqual({
      ecosystem: 'Debian:12',
      name: 'bash',
      version: '5.2.15-2',
    });
    expect(lookupKeyFor(pkg({ ecosystem: 'Ubuntu:22.04:LTS' })).name).toBe(
      'glibc',
    );
  });

  it('falls back to the binary when no source is recorded', () => {
    const plain = pkg({
      name: 'dash',
      version: '0.5.12-2',
      sourceName: undefined,
      sourceVersion: undefined,
    });
    expect(lookupKeyFor(plain)).toEqual({
      ecosystem: 'Debian:12',
      name: 'dash',
      version: '0.5.12-2',
    });
  });

  it('uses the own name and version of language packages', () => {
    const lib = pkg({
      ecosystem: 'npm',
      name: 'lodash',
      version: '4.17.20',
      sourceName: 'x',
      sourceVersion: '9',
    });
    expect(lookupKeyFor(lib)).toEqual({
      ecosystem: 'npm',
      name: 'lodash',
      version: '4.17.20',
    });
  });

  it('uses the binary RPM for AlmaLinux, whose records name binaries', () => {
    const rpm = pkg({
      ecosystem: 'AlmaLinux:9',
      name: 'openssl-libs',
      version: '1:3.0.7-27.el9',
      sourceName: 'openssl',
      sourceVersion: '1:3.0.7-27.el9',
    });
    expect(lookupKeyFor(rpm).name).toBe('openssl-libs');
  });
});

describe('matchPackage', () => {
  it('reports an affected package as one whole finding', () => {
    const a = advisory([
      affected([{ introduced: '0' }, { fixed: '2.36-9+deb12u10' }], {
        databaseSpecific: { status: 'fixed', urgency: 'low' },
      }),
    ]);
    expect(matchPackage(pkg(), [a])).toEqual([
      {
        advisoryId: 'DEBIAN-CVE-2025-0001',
        advisorySource: 'debian-tracker',
        aliases: ['CVE-2025-0001'],
        ecosystem: 'Debian:12',
        packageName: 'libc6',
        packageVersion: '2.36-9+deb12u4',
        advisoryPackage: 'glibc',
        fixedVersion: '2.36-9+deb12u10',
        severity: 'low',
        severitySource: 'debian-urgency',
        cvssScore: undefined,
        cvssSeverity: 'unknown',
        distributionSeverity: 'low',
        distributionSeveritySource: 'debian-urgency',
        status: 'affected',
        summary: 'a bug',
      },
    ]);
  });

  it('does not report a fixed version or another release', () => {
    const fixed = advisory([
      affected([{ introduced: '0' }, { fixed: '2.36-9+deb12u4' }]),
    ]);
    const other = advisory([
      affected([{ introduced: '0' }], { ecosystem: 'Debian:11' }),
    ]);
    const name = advisory([affected([{ introduced: '0' }], { name: 'libc6' })]);
    expect(matchPackage(pkg(), [fixed, other, name])).toEqual([]);
  });

  it('never matches a withdrawn advisory', () => {
    const a = advisory([affected([{ introduced: '0' }])], {
      withdrawn: '2025-01-01T00:00:00Z',
    });
    expect(matchPackage(pkg(), [a])).toEqual([]);
  });

  it('gives one finding per advisory, however many entries and ranges match', () => {
    const a = advisory([
      affected([{ introduced: '0' }, { fixed: '2.37-1' }]),
      affected(
        [{ introduced: '2.30-1' }, { last_affected: '2.36-9+deb12u5' }],
        { versions: ['2.36-9+deb12u4'] },
      ),
    ]);
    const findings = matchPackage(pkg(), [a, a]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.fixedVersion).toBe('2.37-1');
  });

  it('picks the smallest fix that leaves every range', () => {
    const a = advisory([
      {
        ...affected([{ introduced: '0' }, { fixed: '2.36-9+deb12u6' }]),
        ranges: [
          {
            type: 'ECOSYSTEM',
            events: [{ introduced: '0' }, { fixed: '2.36-9+deb12u6' }],
          },
          {
            type: 'ECOSYSTEM',
            events: [
              { introduced: '2.36-9+deb12u5' },
              { fixed: '2.36-9+deb12u8' },
            ],
          },
          {
            type: 'ECOSYSTEM',
            events: [{ introduced: '2.38-1' }, { fixed: '2.38-2' }],
          },
        ],
      },
    ]);
    expect(matchPackage(pkg(), [a])[0]?.fixedVersion).toBe('2.36-9+deb12u8');
  });

  it('has no fixed version for last_affected or open ranges', () => {
    const a = advisory([
      affected([{ introduced: '0' }, { last_affected: '2.36-9+deb12u4' }]),
    ]);
    expect(matchPackage(pkg(), [a])[0]?.fixedVersion).toBeUndefined();
  });

  it('marks undetermined entries, unless another entry is definite', () => {
    const unsure = affected([{ introduced: '0' }], {
      databaseSpecific: { status: 'undetermined' },
    });
    const sure = affected([{ introduced: '0' }], {
      databaseSpecific: { status: 'unfixed' },
    });
    expect(matchPackage(pkg(), [advisory([unsure])])[0]?.status).toBe(
      'undetermined',
    );
    expect(matchPackage(pkg(), [advisory([unsure, sure])])[0]?.status).toBe(
      'affected',
    );
  });

  it('takes the worst severity of the matching entries', () => {
    const a = advisory([
      affected([{ introduced: '0' }], {
        databaseSpecific: { urgency: 'unimportant' },
      }),
      affected([{ introduced: '0' }], {
        databaseSpecific: { urgency: 'medium' },
      }),
    ]);
    expect(matchPackage(pkg(), [a])[0]).toMatchObject({
      severity: 'medium',
      severitySource: 'debian-urgency',
    });
    const bare = advisory([affected([{ introduced: '0' }])]);
    expect(matchPackage(pkg(), [bare])[0]).toMatchObject({
      severity: 'unknown',
      severitySource: undefined,
    });
  });
});

describe('matchPackageDetailed', () => {
  const npm = (name: string, version: string): ImagePackage =>
    pkg({
      ecosystem: 'npm',
      name,
      version,
      sourceName: undefined,
      sourceVersion: undefined,
      purl: `pkg:npm/${name}@${version}`,
    });

  it('reports ranges it cannot order instead of a silent miss', () => {
    const a = advisory(
      [
        affected([{ introduced: '0' }, { fixed: '4.17.21' }], {
          ecosystem: 'ConanCenter',
          name: 'zlib',
        }),
      ],
      { id: 'GHSA-1' },
    );
    expect(
      matchPackageDetailed(
        pkg({
          ecosystem: 'ConanCenter',
          name: 'zlib',
          version: '1.2.11',
          sourceName: undefined,
          sourceVersion: undefined,
          purl: 'pkg:conan/zlib@1.2.11',
        }),
        [a],
      ),
    ).toEqual({
      findings: [],
      unevaluated: [
        {
          advisoryId: 'GHSA-1',
          ecosystem: 'ConanCenter',
          advisoryPackage: 'zlib',
          reasons: ['no version comparator for ECOSYSTEM range'],
        },
      ],
    });
    expect(matchPackageDetailed(npm('lodash', 'latest'), [a])).toEqual({
      findings: [],
      unevaluated: [],
    });
  });
});
