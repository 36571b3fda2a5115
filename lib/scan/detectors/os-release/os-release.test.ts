import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { LayerFS } from '../types.js';
import {
  distributionOf,
  identifyDistribution,
  isIdentificationPath,
  isOsReleasePath,
} from './identify.js';
import { parseOsRelease } from './parse.js';

function testdata(name: string): Promise<string> {
  return readFile(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
}

function fsOf(files: Record<string, string>): LayerFS {
  return {
    stat: (path) =>
      path in files
        ? { path, sizeBytes: files[path]!.length, mode: 0o644 }
        : undefined,
    readFile: (path) =>
      Promise.resolve(path in files ? Buffer.from(files[path]!) : undefined),
  };
}

describe('distributionOf', () => {
  it.each([
    [
      'debian-12',
      {
        id: 'debian',
        versionId: '12',
        versionCodename: 'bookworm',
        prettyName: 'Debian GNU/Linux 12 (bookworm)',
      },
      [],
    ],
    [
      'debian-trixie',
      {
        id: 'debian',
        versionId: undefined,
        versionCodename: 'trixie',
        prettyName: 'Debian GNU/Linux trixie/sid',
      },
      [],
    ],
    [
      'ubuntu-22.04',
      {
        id: 'ubuntu',
        versionId: '22.04',
        versionCodename: 'jammy',
        prettyName: 'Ubuntu 22.04.4 LTS',
      },
      [],
    ],
    [
      'alpine-3.19',
      {
        id: 'alpine',
        versionId: '3.19.1',
        versionCodename: undefined,
        prettyName: 'Alpine Linux v3.19',
      },
      [],
    ],
    [
      'quoting',
      {
        id: 'weird',
        versionId: '1.0',
        versionCodename: 'caf e',
        prettyName: 'Weird "Quoted" $HOME `cmd` back\\slash \\n kept',
      },
      [],
    ],
    [
      'crlf',
      {
        id: 'crlf',
        versionId: '1',
        versionCodename: undefined,
        prettyName: undefined,
      },
      [],
    ],
    [
      'bom',
      {
        id: 'bom',
        versionId: undefined,
        versionCodename: undefined,
        prettyName: undefined,
      },
      [],
    ],
    [
      'invalid-lines',
      {
        id: 'debian',
        versionId: undefined,
        versionCodename: 'bookworm',
        prettyName: undefined,
      },
      [
        {
          code: 'OS_RELEASE_INVALID',
          message: 'invalid os-release lines skipped',
          details: { lines: [2, 3, 4, 6] },
        },
      ],
    ],
    ['no-id', undefined, []],
    ['empty', undefined, []],
  ])('testdata/%s', async (name, distribution, warnings) => {
    expect(distributionOf(await testdata(name))).toEqual({
      distribution,
      warnings,
    });
  });
});

describe('parseOsRelease', () => {
  it.each([
    ['A=b', 'b'],
    ['A="b c"', 'b c'],
    ['A=\'b "c" \\d\'', 'b "c" \\d'],
    ['A="a\\"b\\\\c\\$d\\`e\\xf"', 'a"b\\c$d`e\\xf'],
    ['A=b\\ c', 'b c'],
    ['A="b"\'c\'d', 'bcd'],
    ['A=', ''],
    ['A=b # comment', 'b'],
    ['  A=b  ', 'b'],
  ])('%s -> %j', (line, value) => {
    expect(parseOsRelease(line)).toEqual({
      fields: new Map([['A', value]]),
      invalidLines: [],
    });
  });

  it.each(['A="open', "A='open", 'no equals', '=x', '1A=x', 'A-B=x'])(
    'skips the invalid line %j',
    (line) => {
      expect(parseOsRelease(line)).toEqual({
        fields: new Map(),
        invalidLines: [1],
      });
    },
  );
});

describe('identifyDistribution', () => {
  it('prefers etc/os-release', async () => {
    const fs = fsOf({
      'etc/os-release': 'ID=debian\n',
      'usr/lib/os-release': 'ID=ubuntu\n',
    });
    expect(await identifyDistribution(fs)).toMatchObject({
      distribution: { id: 'debian' },
      path: 'etc/os-release',
    });
  });

  it('falls back to usr/lib/os-release', async () => {
    const fs = fsOf({ 'usr/lib/os-release': 'ID=Ubuntu\nVERSION_ID=24.04\n' });
    expect(await identifyDistribution(fs)).toEqual({
      distribution: {
        id: 'ubuntu',
        versionId: '24.04',
        versionCodename: undefined,
        prettyName: undefined,
      },
      path: 'usr/lib/os-release',
      warnings: [],
    });
  });

  it.each([
    [
      'etc/lsb-release',
      'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=18.04\nDISTRIB_CODENAME=bionic\nDISTRIB_DESCRIPTION="Ubuntu 18.04.6 LTS"\n',
      {
        id: 'ubuntu',
        versionId: '18.04',
        versionCodename: 'bionic',
        prettyName: 'Ubuntu 18.04.6 LTS',
      },
    ],
    ['etc/alpine-release', '3.20.3\n', { id: 'alpine', versionId: '3.20.3' }],
    [
      'etc/redhat-release',
      'Red Hat Enterprise Linux release 8.9 (Ootpa)\n',
      {
        id: 'rhel',
        versionId: '8.9',
        prettyName: 'Red Hat Enterprise Linux release 8.9 (Ootpa)',
      },
    ],
    [
      'etc/centos-release',
      'CentOS Linux release 7.9.2009 (Core)\n',
      {
        id: 'centos',
        versionId: '7.9.2009',
        prettyName: 'CentOS Linux release 7.9.2009 (Core)',
      },
    ],
  ])('without os-release, reads %s', async (path, text, distribution) => {
    expect(await identifyDistribution(fsOf({ [path]: text }))).toEqual({
      distribution,
      path,
      warnings: [],
    });
  });

  it('takes the version from a release file when os-release has none', async () => {
    const fs = fsOf({
      'etc/os-release': 'ID=alpine\nPRETTY_NAME="Alpine Linux edge"\n',
      'etc/alpine-release': '3.21_alpha20240807\n',
    });
    expect((await identifyDistribution(fs)).distribution).toMatchObject({
      id: 'alpine',
      versionId: '3.21',
    });
  });

  it('ignores a release file it cannot read', async () => {
    expect(
      await identifyDistribution(
        fsOf({ 'etc/redhat-release': 'Something else entirely\n' }),
      ),
    ).toEqual({
      distribution: undefined,
      warnings: [],
    });
  });

  it('finds nothing in an image without os-release', async () => {
    expect(await identifyDistribution(fsOf({}))).toEqual({
      distribution: undefined,
      warnings: [],
    });
  });
});

describe('isOsReleasePath', () => {
  it.each([
    ['etc/os-release', true],
    ['usr/lib/os-release', true],
    ['lib/os-release', false],
    ['foo/etc/os-release', false],
    ['etc/os-release.d', false],
    ['etc/lsb-release', false],
  ])('%s -> %s', (path, expected) => {
    expect(isOsReleasePath(path)).toBe(expected);
  });
});

describe('isIdentificationPath', () => {
  it.each([
    ['etc/os-release', true],
    ['etc/alpine-release', true],
    ['etc/redhat-release', true],
    ['etc/lsb-release', true],
    ['etc/debian_version', false],
    ['foo/etc/alpine-release', false],
  ])('%s -> %s', (path, expected) => {
    expect(isIdentificationPath(path)).toBe(expected);
  });
});
