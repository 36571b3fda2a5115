import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Distribution } from '../../../core/package.js';
import { detectInputOf, expectScanError } from '../../testing.js';
import { dpkgDetector } from './detector.js';
import { dpkgRelease } from './release.js';

const DEBIAN_12: Distribution = {
  id: 'debian',
  versionId: '12',
  versionCodename: 'bookworm',
  prettyName: 'Debian GNU/Linux 12 (bookworm)',
};

function testdata(path: string): Promise<Buffer> {
  return readFile(new URL(`./testdata/${path}`, import.meta.url));
}

describe('dpkgDetector.matches', () => {
  it.each([
    ['var/lib/dpkg/status', true],
    ['var/lib/dpkg/status.d/base-files', true],
    ['var/lib/dpkg/status.d/libssl3', true],
    ['foo/var/lib/dpkg/status', false],
    ['usr/var/lib/dpkg/status', false],
    ['/var/lib/dpkg/status', false],
    ['var/lib/dpkg/status-old', false],
    ['var/lib/dpkg/status.d', false],
    ['var/lib/dpkg/status.d/', false],
    ['var/lib/dpkg/status.d/libssl3.md5sums', false],
    ['var/lib/dpkg/status.d/.hidden', false],
    ['var/lib/dpkg/status.d/sub/libc6', false],
    ['var/lib/dpkg/available', false],
    ['var/lib/dpkg/statusx', false],
    ['usr/share/doc/bash/copyright', true],
    ['usr/share/doc/libssl3/copyright', true],
    ['usr/share/doc/bash/changelog.Debian.gz', false],
    ['usr/share/doc/bash/sub/copyright', false],
    ['usr/share/doc/copyright', false],
    ['usr/share/doc/.x/copyright', false],
    ['foo/usr/share/doc/bash/copyright', false],
    ['usr/local/share/doc/bash/copyright', false],
  ])('%s -> %s', (path, expected) => {
    expect(dpkgDetector.matches({ path, sizeBytes: 1, mode: 0o644 })).toBe(
      expected,
    );
  });

  it('leaves copyright files over 512 KiB unread', () => {
    const path = 'usr/share/doc/big/copyright';
    expect(
      dpkgDetector.matches({ path, sizeBytes: 512 * 1024, mode: 0o644 }),
    ).toBe(true);
    expect(
      dpkgDetector.matches({ path, sizeBytes: 512 * 1024 + 1, mode: 0o644 }),
    ).toBe(false);
  });
});

describe('dpkgDetector licenses', () => {
  async function copyrights(): Promise<Record<string, Buffer>> {
    const files: Record<string, Buffer> = {};
    for (const name of ['adduser', 'bash', 'libattr1', 'bsdutils'])
      files[`usr/share/doc/${name}/copyright`] = await testdata(
        `copyright/${name}/copyright`,
      );
    return files;
  }

  it('reads the license of each package from its DEP-5 copyright file', async () => {
    const { input, warnings } = detectInputOf(
      'var/lib/dpkg/status',
      await testdata('normal/status'),
      { distribution: DEBIAN_12, files: await copyrights() },
    );
    const packages = await dpkgDetector.detect(input);
    expect(packages.map((p) => [p.name, p.license])).toEqual([
      // DEP-5, one Files paragraph.
      ['adduser', 'GPL-2+'],
      // A free-form copyright file declares nothing.
      ['bash', undefined],
      // The header's License summarises the package.
      ['bsdutils', 'GPL-2+ and BSD-3-clause'],
      // Every distinct Files license, all applying; debian/* left out.
      ['libattr1', 'GPL-2+ AND LGPL-2.1+ AND (GPL-2+ or Artistic)'],
      // No copyright file.
      ['half', undefined],
    ]);
    expect(warnings).toEqual([]);
  });

  it('yields no packages from a copyright file itself', async () => {
    const { input } = detectInputOf(
      'usr/share/doc/adduser/copyright',
      await testdata('copyright/adduser/copyright'),
    );
    expect(await dpkgDetector.detect(input)).toEqual([]);
  });
});

describe('dpkgDetector.detect', () => {
  it.each([
    ['normal', 'normal/status', 'var/lib/dpkg/status'],
    ['invalid', 'invalid/status', 'var/lib/dpkg/status'],
    [
      'distroless',
      'distroless/status.d/libssl3',
      'var/lib/dpkg/status.d/libssl3',
    ],
  ])(
    '%s: reads the packages and warnings of testdata/%s',
    async (name, file, path) => {
      const { input, warnings } = detectInputOf(path, await testdata(file), {
        distribution: DEBIAN_12,
      });
      const packages = await dpkgDetector.detect(input);
      const expected = JSON.parse(
        (await testdata(`${name}/expected.json`)).toString('utf8'),
      ) as unknown;
      expect({ packages, warnings }).toEqual(expected);
    },
  );

  it('empty: an empty status file has no packages and no warnings', async () => {
    const { input, warnings } = detectInputOf(
      'var/lib/dpkg/status',
      await testdata('empty/status'),
    );
    expect(await dpkgDetector.detect(input)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('over-limit: a status file over maxFileBytes fails with EXTRACT_LIMIT_EXCEEDED', async () => {
    const { input } = detectInputOf(
      'var/lib/dpkg/status',
      await testdata('over-limit/status'),
      { maxFileBytes: 1024 },
    );
    await expectScanError(
      dpkgDetector.detect(input),
      'EXTRACT_LIMIT_EXCEEDED',
      { limit: 'maxFileBytes' },
    );
  });

  it('counts every paragraph of a status.d file, whatever its Status', async () => {
    const { input } = detectInputOf(
      'var/lib/dpkg/status.d/base-files',
      await testdata('distroless/status.d/base-files'),
      {
        distribution: DEBIAN_12,
      },
    );
    expect(await dpkgDetector.detect(input)).toEqual([
      {
        ecosystem: 'Debian:12',
        name: 'base-files',
        version: '12.4+deb12u5',
        arch: 'amd64',
        sourceName: 'base-files',
        sourceVersion: '12.4+deb12u5',
        purl: 'pkg:deb/debian/base-files@12.4%2Bdeb12u5?arch=amd64&distro=debian-12',
      },
    ]);
  });

  it('names Ubuntu packages in the Ubuntu ecosystem and vendor', async () => {
    const status =
      'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.35-0ubuntu3.8\n';
    const { input } = detectInputOf('var/lib/dpkg/status', status, {
      distribution: {
        id: 'ubuntu',
        versionId: '22.04',
        versionCodename: 'jammy',
      },
    });
    expect(await dpkgDetector.detect(input)).toEqual([
      {
        ecosystem: 'Ubuntu:22.04',
        name: 'libc6',
        version: '2.35-0ubuntu3.8',
        arch: 'amd64',
        sourceName: 'glibc',
        sourceVersion: '2.35-0ubuntu3.8',
        purl: 'pkg:deb/ubuntu/libc6@2.35-0ubuntu3.8?arch=amd64&distro=ubuntu-22.04',
      },
    ]);
  });

  it('reads CRLF files and packages without Architecture', async () => {
    const { input, warnings } = detectInputOf(
      'var/lib/dpkg/status',
      'Package: x1\r\nStatus: install ok installed\r\nVersion: 1\r\n',
    );
    expect(await dpkgDetector.detect(input)).toEqual([
      {
        ecosystem: 'Debian',
        name: 'x1',
        version: '1',
        arch: undefined,
        sourceName: 'x1',
        sourceVersion: '1',
        purl: 'pkg:deb/debian/x1@1',
      },
    ]);
    expect(warnings).toEqual([]);
  });
});

describe('dpkgRelease', () => {
  it.each<[string, Distribution | undefined, ReturnType<typeof dpkgRelease>]>([
    [
      'debian 12',
      DEBIAN_12,
      { ecosystem: 'Debian:12', vendor: 'debian', distro: 'debian-12' },
    ],
    [
      'debian 11.9',
      { id: 'debian', versionId: '11.9' },
      { ecosystem: 'Debian:11', vendor: 'debian', distro: 'debian-11' },
    ],
    [
      'debian testing (codename only)',
      { id: 'debian', versionCodename: 'trixie' },
      { ecosystem: 'Debian:13', vendor: 'debian', distro: 'debian-13' },
    ],
    [
      'debian buster by codename',
      { id: 'debian', versionCodename: 'Buster' },
      { ecosystem: 'Debian:10', vendor: 'debian', distro: 'debian-10' },
    ],
    [
      'debian forky',
      { id: 'debian', versionCodename: 'forky' },
      { ecosystem: 'Debian:14', vendor: 'debian', distro: 'debian-14' },
    ],
    [
      'debian sid',
      { id: 'debian', versionCodename: 'sid' },
      { ecosystem: 'Debian', vendor: 'debian', distro: undefined },
    ],
    [
      'ubuntu 22.04',
      { id: 'ubuntu', versionId: '22.04' },
      { ecosystem: 'Ubuntu:22.04', vendor: 'ubuntu', distro: 'ubuntu-22.04' },
    ],
    [
      'ubuntu without version',
      { id: 'ubuntu' },
      { ecosystem: 'Ubuntu', vendor: 'ubuntu', distro: undefined },
    ],
    [
      'a derivative',
      { id: 'kali', versionId: '2024.1' },
      { ecosystem: 'Debian', vendor: 'kali', distro: 'kali-2024.1' },
    ],
    [
      'a derivative without version',
      { id: 'raspbian' },
      { ecosystem: 'Debian', vendor: 'raspbian', distro: undefined },
    ],
    [
      'an id that is no purl namespace',
      { id: 'my distro' },
      { ecosystem: 'Debian', vendor: 'debian', distro: undefined },
    ],
    [
      'no os-release',
      undefined,
      { ecosystem: 'Debian', vendor: 'debian', distro: undefined },
    ],
  ])('%s', (_name, distribution, expected) => {
    expect(dpkgRelease(distribution)).toEqual(expected);
  });
});
