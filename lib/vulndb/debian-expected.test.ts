import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Advisory } from '../core/advisory.js';
import type { Finding } from '../core/finding.js';
import type { ImagePackage } from '../core/package.js';
import { matchPackageDetailed } from './match.js';
import { parseDebianTrackerList } from './sources/debian-tracker.js';

/**
 * Acceptance: the Debian tracker excerpt matched against the packages of a
 * `debootstrap --variant=minbase bookworm` image must give exactly the
 * results of shared/data/expected/debian-bookworm-minbase.json.
 */

const DATA = new URL('../../../shared/data/', import.meta.url);
const path = (rel: string): string => fileURLToPath(new URL(rel, DATA));

const LAYER = `sha256:${'ab'.repeat(32)}` as const;

interface ExpectedResult {
  cve: string;
  source_package: string;
  source_version: string;
  binary_packages: string[];
  expected: 'finding' | 'no-finding' | 'undetermined';
  tracker_status: string;
  reason: string;
  urgency: string | null;
}

interface ExpectedFile {
  ecosystem: string;
  results: ExpectedResult[];
}

/** Matches `fixed in VERSION` in an expected row's reason. */
const FIXED_IN_RE = /fixed in (\S+?),? /;

/** Reads the TSV; `pointRelease` uses bookworm 12.15's versions where given. */
async function readPackages(pointRelease: boolean): Promise<ImagePackage[]> {
  const tsv = await readFile(
    path('expected/debian-bookworm-minbase-packages.tsv'),
    'utf8',
  );
  const rows = tsv
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .slice(1) // column header
    .map((l) => l.split('\t'));
  return rows.map(
    ([name = '', binary = '', source = '', sourceVersion = '', point = '']) => {
      const usePoint = pointRelease && point !== '';
      const version = usePoint ? point : binary;
      return {
        ecosystem: 'Debian:12',
        name,
        version,
        // All point-release rows have source version == binary version.
        sourceName: source,
        sourceVersion: usePoint ? point : sourceVersion,
        purl: `pkg:deb/debian/${name}@${version}?distro=debian-12`,
        layerDigest: LAYER,
        detector: 'os/dpkg',
        path: 'var/lib/dpkg/status',
      };
    },
  );
}

describe.each([
  ['candidate versions', false],
  ['point-release versions', true],
])(
  'Debian bookworm minbase with the tracker excerpt (%s)',
  (_label, pointRelease) => {
    let expected: ExpectedFile;
    let advisories: Advisory[];
    let packages: ImagePackage[];
    let findings: Finding[];
    const byCve = (cve: string): Finding[] =>
      findings.filter((f) => f.aliases.includes(cve));

    beforeAll(async () => {
      expected = JSON.parse(
        await readFile(path('expected/debian-bookworm-minbase.json'), 'utf8'),
      ) as ExpectedFile;
      const parsed = parseDebianTrackerList(
        await readFile(
          path('raw/debian-security-tracker/CVE-list.excerpt'),
          'utf8',
        ),
      );
      expect(parsed.warnings).toEqual([]);
      advisories = parsed.advisories;
      packages = await readPackages(pointRelease);
      findings = [];
      for (const pkg of packages) {
        const result = matchPackageDetailed(pkg, advisories);
        // Every Debian range is decidable: nothing may be left open.
        expect(result.unevaluated).toEqual([]);
        findings.push(...result.findings);
      }
    });

    it('reads the inputs it expects', () => {
      expect(expected.ecosystem).toBe('Debian:12');
      expect(packages).toHaveLength(88);
      expect(expected.results).toHaveLength(45);
    });

    it('reports every expected finding for exactly the expected binaries', () => {
      const rows = expected.results.filter((r) => r.expected === 'finding');
      expect(rows).toHaveLength(34);
      for (const row of rows) {
        const got = byCve(row.cve);
        expect(got.map((f) => f.packageName).sort(), row.cve).toEqual(
          [...row.binary_packages].sort(),
        );
        for (const f of got) {
          expect(f, row.cve).toMatchObject({
            advisoryId: `DEBIAN-${row.cve}`,
            advisorySource: 'debian-tracker',
            ecosystem: 'Debian:12',
            advisoryPackage: row.source_package,
            status: 'affected',
          });
        }
      }
    });

    it('counts 81 binary-package findings and 4 undetermined', () => {
      expect(findings.filter((f) => f.status === 'affected')).toHaveLength(81);
      expect(findings.filter((f) => f.status === 'undetermined')).toHaveLength(
        4,
      );
    });

    it('reports nothing for the no-finding rows', () => {
      const rows = expected.results.filter((r) => r.expected === 'no-finding');
      expect(rows).toHaveLength(10);
      for (const row of rows) expect(byCve(row.cve), row.cve).toEqual([]);
    });

    it('reports the undetermined CVE as undetermined', () => {
      const rows = expected.results.filter(
        (r) => r.expected === 'undetermined',
      );
      expect(rows.map((r) => r.cve)).toEqual(['CVE-2025-8941']);
      for (const row of rows) {
        const got = byCve(row.cve);
        expect(got.map((f) => f.packageName).sort()).toEqual(
          [...row.binary_packages].sort(),
        );
        for (const f of got) expect(f.status).toBe('undetermined');
      }
    });

    it('reports no CVE the expected file does not list as affecting the image', () => {
      const reported = new Set(
        expected.results
          .filter((r) => r.expected !== 'no-finding')
          .map((r) => r.cve),
      );
      const extra = findings.filter(
        (f) => !f.aliases.some((a) => reported.has(a)),
      );
      expect(extra).toEqual([]);
    });

    it('carries the urgency as severity and never defaults to low', () => {
      for (const row of expected.results.filter(
        (r) => r.expected === 'finding',
      )) {
        const want = row.urgency === 'unimportant' ? 'negligible' : 'unknown';
        for (const f of byCve(row.cve)) {
          expect([f.severity, f.severitySource], row.cve).toEqual(
            row.urgency === null ? [want, undefined] : [want, 'debian-urgency'],
          );
        }
      }
    });

    it('names the fix version where the tracker has one', () => {
      for (const row of expected.results.filter(
        (r) => r.expected === 'finding',
      )) {
        const fixed = FIXED_IN_RE.exec(row.reason)?.[1];
        for (const f of byCve(row.cve)) {
          expect(f.fixedVersion, row.cve).toBe(fixed);
        }
      }
    });
  },
);
