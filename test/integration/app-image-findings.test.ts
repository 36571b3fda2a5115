/**
 * Acceptance: the npm and Python packages of the real app test image
 * (test/app-npm-python:1.0, from make-test-images.sh's fresh
 * expected-contents.json) matched, through import, store and matchImage,
 * against the shared OSV/GHSA, PyPI and Node.js security-wg data: exactly
 * the advisories whose ranges include the installed versions.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../lib/core/finding.js';
import type { ImagePackage } from '../../lib/core/package.js';
import { createLogger } from '../../lib/log/create-logger.js';
import { prepareTestImages } from '../../lib/scan/layers/test-oci-layout.js';
import type { Database } from '../../lib/storage/database.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { openPgliteDatabase } from '../../lib/storage/postgres/pglite-database.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import { importVulnData } from '../../lib/vulndb/import.js';
import { matchImage } from '../../lib/vulndb/match-image.js';
import {
  digestOf,
  languagePackage,
  storeScannedImage,
} from '../helpers/stored-images.js';

const logger = createLogger({ level: 'silent' });
const data = (p: string) =>
  new URL(`../../../shared/data/${p}`, import.meta.url).pathname;

interface ExpectedContents {
  images: {
    app: {
      packages: {
        npm: Array<{ name: string; version: string }>;
        python: Array<{ name: string; version: string }>;
      };
      mustNotReport: Array<{ name: string; version: string }>;
    };
  };
}

/**
 * Every expected finding, with the range of the record that puts the
 * installed version inside it:
 * - lodash 4.17.15: GHSA-35jh-r3h4-6jhm [0, 4.17.21); GHSA-p6mc-m468-83gw
 *   [0, 4.17.20); NSWG-ECO-516 `>=4.17.15 <4.17.19`. Not GHSA-jf85-cpcp-j695
 *   [0, 4.17.12), NSWG-ECO-368 `<4.17.5`, NSWG-ECO-493 `<4.17.11`.
 * - minimist 1.2.0: GHSA-xvch-5gv4-984h [1.0.0, 1.2.6) (its other range,
 *   [0, 0.2.4), does not apply).
 * - ms 2.0.0: none (NSWG-ECO-46 is `<=0.7.0`). debug 2.6.8, is-number
 *   7.0.0: no record in the shared data names them.
 * - requests 2.19.0: PYSEC-2023-74 [2.3.0, 2.31.0). Not PYSEC-2014-13/-14
 *   [0, 2.3.0), nor PYSEC-2015-17 [2.1.0, 2.6.0).
 * - certifi 2018.4.16: PYSEC-2023-135 [2015.4.28, 2023.7.22).
 * - urllib3 1.24.1 is whited out of the image: none of its five records.
 */
const EXPECTED: Array<[string, string]> = [
  ['lodash', 'GHSA-35jh-r3h4-6jhm'],
  ['lodash', 'GHSA-p6mc-m468-83gw'],
  ['lodash', 'NSWG-ECO-516'],
  ['minimist', 'GHSA-xvch-5gv4-984h'],
  ['requests', 'PYSEC-2023-74'],
  ['certifi', 'PYSEC-2023-135'],
];

describe('the app image (npm + Python) against the shared advisories', () => {
  let db: Database;
  let packages: ImagePackage[];
  let expected: ExpectedContents;
  let findings: Finding[];

  beforeAll(async () => {
    const snapshot = await prepareTestImages();
    expected = JSON.parse(
      await readFile(join(snapshot, 'expected-contents.json'), 'utf8'),
    ) as ExpectedContents;
    const app = expected.images.app.packages;
    packages = [
      ...app.npm.map((p) => languagePackage('npm', p.name, p.version)),
      ...app.python.map((p) => languagePackage('PyPI', p.name, p.version)),
    ];
    db = (await openPgliteDatabase(undefined)).database;
    await migrate(db);
    const stores = createStores(db);
    const imported = await importVulnData(
      stores.vulns,
      [
        data('osv/ghsa'),
        data('osv/pypi'),
        data('osv/malicious'),
        data('raw/nodejs-security-wg'),
      ],
      { logger },
    );
    expect(imported.warnings).toEqual([]);
    const digest = digestOf('test/app-npm-python:1.0');
    await storeScannedImage(stores, {
      repository: 'test/app-npm-python',
      digest,
      packages,
    });
    findings = await matchImage(stores, digest);
  }, 300_000);
  afterAll(async () => {
    await db.close();
  });

  it('reads the packages the image really holds', () => {
    expect(
      packages.map((p) => `${p.ecosystem}:${p.name}@${p.version}`).sort(),
    ).toEqual([
      'PyPI:certifi@2018.4.16',
      'PyPI:requests@2.19.0',
      'npm:debug@2.6.8',
      'npm:is-number@7.0.0',
      'npm:lodash@4.17.15',
      'npm:minimist@1.2.0',
      'npm:ms@2.0.0',
    ]);
  });

  it('reports the advisories that apply and none that do not', () => {
    expect(findings.map((f) => [f.packageName, f.advisoryId]).sort()).toEqual(
      [...EXPECTED].sort(),
    );
    expect(findings.every((f) => f.status === 'affected')).toBe(true);
  });

  it('names the fix of each finding and rates it from the computed CVSS score', () => {
    const by = (id: string) => findings.find((f) => f.advisoryId === id);
    expect(by('GHSA-35jh-r3h4-6jhm')).toMatchObject({
      fixedVersion: '4.17.21',
      severitySource: 'cvss',
    });
    expect(by('GHSA-p6mc-m468-83gw')?.fixedVersion).toBe('4.17.20');
    expect(by('NSWG-ECO-516')?.fixedVersion).toBe('4.17.19');
    expect(by('GHSA-xvch-5gv4-984h')).toMatchObject({
      fixedVersion: '1.2.6',
      cvssSeverity: 'critical',
    });
    expect(by('PYSEC-2023-74')?.fixedVersion).toBe('2.31.0');
    expect(by('PYSEC-2023-135')?.fixedVersion).toBe('2023.7.22');
    // Language advisories carry no distribution rating.
    expect(findings.every((f) => f.distributionSeverity === 'unknown')).toBe(
      true,
    );
  });

  it('reports nothing for the whited-out urllib3', () => {
    expect(expected.images.app.mustNotReport.map((p) => p.name)).toEqual([
      'urllib3',
    ]);
    expect(findings.filter((f) => f.packageName === 'urllib3')).toEqual([]);
  });
});
