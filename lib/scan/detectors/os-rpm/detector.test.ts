/**
 * os/rpm over databases built by real rpm tools (testdata/make-testdata.sh):
 * the same three packages in sqlite, Berkeley DB hash and ndb form.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Distribution } from '../../../core/package.js';
import { detectInputOf, expectScanError } from '../../testing.js';
import { rpmDetector, rpmRelease } from './detector.js';
import { parseRpmHeader, parseSourceRpm } from './header.js';

const ALMALINUX_9: Distribution = {
  id: 'almalinux',
  versionId: '9.4',
  prettyName: 'AlmaLinux 9.4 (Seafoam Ocelot)',
};

async function testdata(path: string): Promise<Buffer> {
  const bytes = await readFile(new URL(`./testdata/${path}`, import.meta.url));
  return path.endsWith('.gz') ? gunzipSync(bytes) : bytes;
}

const EXPECTED = [
  {
    ecosystem: 'AlmaLinux:9',
    name: 'customs-hello-libs',
    version: '1.2.3-4.el9',
    arch: 'noarch',
    sourceName: 'customs-hello',
    sourceVersion: '1.2.3-4.el9',
    purl: 'pkg:rpm/almalinux/customs-hello-libs@1.2.3-4.el9?arch=noarch&distro=almalinux-9.4',
    license: 'MIT',
  },
  {
    ecosystem: 'AlmaLinux:9',
    name: 'customs-hello',
    version: '1.2.3-4.el9',
    arch: 'noarch',
    sourceName: 'customs-hello',
    sourceVersion: '1.2.3-4.el9',
    purl: 'pkg:rpm/almalinux/customs-hello@1.2.3-4.el9?arch=noarch&distro=almalinux-9.4',
    license: 'MIT',
  },
  {
    ecosystem: 'AlmaLinux:9',
    name: 'customs-epoch',
    version: '2:0.9-1.el9',
    arch: 'noarch',
    sourceName: 'customs-epoch',
    sourceVersion: '2:0.9-1.el9',
    purl: 'pkg:rpm/almalinux/customs-epoch@0.9-1.el9?arch=noarch&distro=almalinux-9.4&epoch=2',
    license: 'Apache-2.0',
  },
];

describe('rpmDetector.matches', () => {
  it.each([
    ['var/lib/rpm/rpmdb.sqlite', true],
    ['var/lib/rpm/Packages', true],
    ['var/lib/rpm/Packages.db', true],
    ['usr/lib/sysimage/rpm/rpmdb.sqlite', true],
    ['usr/lib/sysimage/rpm/Packages.db', true],
    ['var/lib/rpm/rpmdb.sqlite-wal', false],
    ['var/lib/rpm/Name', false],
    ['foo/var/lib/rpm/Packages', false],
    ['root/.rpmdb/rpmdb.sqlite', false],
  ])('%s -> %s', (path, expected) => {
    expect(rpmDetector.matches({ path, sizeBytes: 1, mode: 0o644 })).toBe(
      expected,
    );
  });
});

describe('rpmDetector.detect', () => {
  it.each([
    ['sqlite', 'sqlite/rpmdb.sqlite.gz', 'var/lib/rpm/rpmdb.sqlite'],
    ['Berkeley DB hash', 'bdb/Packages.gz', 'var/lib/rpm/Packages'],
    ['ndb', 'ndb/Packages.db.gz', 'usr/lib/sysimage/rpm/Packages.db'],
  ])(
    '%s: name, epoch:version-release, source rpm of every package',
    async (_format, file, path) => {
      const { input, warnings } = detectInputOf(path, await testdata(file), {
        distribution: ALMALINUX_9,
      });
      const packages = await rpmDetector.detect(input);
      expect(warnings).toEqual([]);
      expect(
        [...packages].sort((a, b) => a.name.localeCompare(b.name)),
      ).toEqual([...EXPECTED].sort((a, b) => a.name.localeCompare(b.name)));
    },
  );

  it('invalid: a broken blob is a warning, the other packages are read', async () => {
    const { input, warnings } = detectInputOf(
      'var/lib/rpm/Packages.db',
      await testdata('invalid/Packages.db.gz'),
      {
        distribution: ALMALINUX_9,
      },
    );
    expect((await rpmDetector.detect(input)).map((p) => p.name)).toEqual([
      'customs-hello-libs',
      'customs-epoch',
    ]);
    expect(warnings.map((w) => w.code)).toEqual(['PACKAGE_DB_INVALID']);
  });

  it.each([
    ['garbage', Buffer.from('this is not a database at all, not even close')],
    [
      'a truncated sqlite file',
      async () => (await testdata('sqlite/rpmdb.sqlite.gz')).subarray(0, 5000),
    ],
    [
      'a truncated Berkeley DB file',
      async () => (await testdata('bdb/Packages.gz')).subarray(0, 4200),
    ],
  ])('invalid: %s is a warning, never a failure', async (_name, make) => {
    const bytes = typeof make === 'function' ? await make() : make;
    const { input, warnings } = detectInputOf('var/lib/rpm/Packages', bytes);
    await expect(rpmDetector.detect(input)).resolves.toBeInstanceOf(Array);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((w) => w.code === 'PACKAGE_DB_INVALID')).toBe(true);
  });

  it('empty: no packages, no warnings', async () => {
    const { input, warnings } = detectInputOf(
      'var/lib/rpm/Packages',
      Buffer.alloc(0),
    );
    expect(await rpmDetector.detect(input)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('over-limit: a database over maxFileBytes fails with EXTRACT_LIMIT_EXCEEDED', async () => {
    const { input } = detectInputOf(
      'var/lib/rpm/Packages',
      await testdata('bdb/Packages.gz'),
      { maxFileBytes: 1024 },
    );
    await expectScanError(rpmDetector.detect(input), 'EXTRACT_LIMIT_EXCEEDED');
  });
});

describe('rpm headers', () => {
  it('refuses blobs whose index runs past the data', () => {
    const blob = Buffer.alloc(24);
    blob.writeUInt32BE(1000, 0);
    expect(() => parseRpmHeader(blob)).toThrow(/out of bounds/);
  });

  it.each([
    [
      'openssl-3.0.7-27.el9.src.rpm',
      { name: 'openssl', version: '3.0.7-27.el9' },
    ],
    [
      'python3.11-3.11.5-1.el9_3.src.rpm',
      { name: 'python3.11', version: '3.11.5-1.el9_3' },
    ],
    [
      'kernel-5.14.0-427.13.1.el9_4.nosrc.rpm',
      { name: 'kernel', version: '5.14.0-427.13.1.el9_4' },
    ],
    ['(none)', undefined],
  ])('source rpm %s', (srpm, expected) => {
    expect(parseSourceRpm(srpm)).toEqual(expected);
  });
});

describe('rpmRelease', () => {
  it.each([
    [{ id: 'almalinux', versionId: '9.4' }, 'AlmaLinux:9'],
    [{ id: 'rocky', versionId: '9.3' }, 'Rocky Linux:9'],
    [{ id: 'rhel', versionId: '8.9' }, 'Red Hat:8'],
    [{ id: 'opensuse-leap', versionId: '15.5' }, 'openSUSE:15.5'],
    [{ id: 'fedora' }, 'Fedora'],
    [undefined, 'rpm'],
  ])('%j -> %s', (distribution, ecosystem) => {
    expect(rpmRelease(distribution).ecosystem).toBe(ecosystem);
  });
});
