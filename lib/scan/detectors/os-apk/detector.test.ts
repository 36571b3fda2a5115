import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Distribution } from '../../../core/package.js';
import { detectInputOf, expectScanError } from '../../testing.js';
import { apkDetector, apkRelease } from './detector.js';

const ALPINE_3_20: Distribution = {
  id: 'alpine',
  versionId: '3.20.3',
  prettyName: 'Alpine Linux v3.20',
};
const DB = 'lib/apk/db/installed';

function testdata(path: string): Promise<Buffer> {
  return readFile(new URL(`./testdata/${path}`, import.meta.url));
}

describe('apkDetector.matches', () => {
  it.each([
    ['lib/apk/db/installed', true],
    ['foo/lib/apk/db/installed', false],
    ['lib/apk/db/installed.bak', false],
    ['lib/apk/db/lock', false],
    ['usr/lib/apk/db/installed', false],
  ])('%s -> %s', (path, expected) => {
    expect(apkDetector.matches({ path, sizeBytes: 1, mode: 0o644 })).toBe(
      expected,
    );
  });
});

describe('apkDetector.detect', () => {
  it('normal: every package with its origin as the source, on Alpine:v3.20', async () => {
    const { input, warnings } = detectInputOf(
      DB,
      await testdata('normal/installed'),
      {
        distribution: ALPINE_3_20,
      },
    );
    const packages = await apkDetector.detect(input);
    expect(warnings).toEqual([]);
    expect(
      packages.map((p) => [p.name, p.version, p.sourceName, p.license]),
    ).toEqual([
      ['musl', '1.2.5-r0', 'musl', 'MIT'],
      ['busybox', '1.36.1-r29', 'busybox', 'GPL-2.0-only'],
      ['ssl_client', '1.36.1-r29', 'busybox', 'GPL-2.0-only'],
      ['libcrypto3', '3.3.2-r0', 'openssl', 'Apache-2.0'],
      ['libssl3', '3.3.2-r0', 'openssl', 'Apache-2.0'],
      ['zlib', '1.3.1-r1', 'zlib', 'Zlib'],
      ['apk-tools', '2.14.4-r1', 'apk-tools', 'GPL-2.0-only'],
      [
        'ca-certificates-bundle',
        '20240705-r0',
        'ca-certificates',
        'MPL-2.0 AND MIT',
      ],
    ]);
    expect(packages[3]).toEqual({
      ecosystem: 'Alpine:v3.20',
      name: 'libcrypto3',
      version: '3.3.2-r0',
      arch: 'x86_64',
      sourceName: 'openssl',
      sourceVersion: '3.3.2-r0',
      purl: 'pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=3.20.3',
      license: 'Apache-2.0',
    });
  });

  it('invalid: stanzas without P: or V: are warnings, the rest is read', async () => {
    const { input, warnings } = detectInputOf(
      DB,
      await testdata('invalid/installed'),
      {
        distribution: ALPINE_3_20,
      },
    );
    expect((await apkDetector.detect(input)).map((p) => p.name)).toEqual([
      'musl',
      'zlib',
    ]);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'PACKAGE_DB_INVALID',
        details: expect.objectContaining({ line: 6 }),
      }),
      expect.objectContaining({
        code: 'PACKAGE_DB_INVALID',
        details: expect.objectContaining({ line: 9 }),
      }),
    ]);
  });

  it('empty: no packages, no warnings', async () => {
    const { input, warnings } = detectInputOf(
      DB,
      await testdata('empty/installed'),
    );
    expect(await apkDetector.detect(input)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('over-limit: a database over maxFileBytes fails with EXTRACT_LIMIT_EXCEEDED', async () => {
    const { input } = detectInputOf(
      DB,
      await testdata('over-limit/installed'),
      { maxFileBytes: 1024 },
    );
    await expectScanError(apkDetector.detect(input), 'EXTRACT_LIMIT_EXCEEDED');
  });
});

describe('apkRelease', () => {
  it.each([
    [{ id: 'alpine', versionId: '3.20.3' }, 'Alpine:v3.20', 'alpine'],
    [{ id: 'alpine', versionId: '3.19.1' }, 'Alpine:v3.19', 'alpine'],
    [
      { id: 'alpine', versionId: '3.21_alpha20240807' },
      'Alpine:v3.21',
      'alpine',
    ],
    [{ id: 'alpine' }, 'Alpine', 'alpine'],
    [{ id: 'wolfi', versionId: '20230201' }, 'Alpine', 'wolfi'],
    [undefined, 'Alpine', 'alpine'],
  ])('%j -> %s', (distribution, ecosystem, vendor) => {
    expect(apkRelease(distribution)).toMatchObject({ ecosystem, vendor });
  });
});
