/**
 * Images of the rpm and apk distributions, built here from the detectors'
 * real test databases: the distribution named by os-release (or a release
 * file) gives the OSV ecosystem the vulnerability matcher looks up.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Digest } from '../../core/digest.js';
import { MediaTypes } from '../../core/media-types.js';
import { DETECTORS } from '../detectors/registry.js';
import { silentLogger } from '../testing.js';
import { analyzeLayers } from './analyze.js';
import { buildTar, gzip, streamOf, type TarSpec } from './test-tar.js';

const LIMITS = {
  maxLayerBytes: 64 * 1024 ** 2,
  maxFileBytes: 4 * 1024 ** 2,
  maxEntries: 10_000,
  maxSymlinkDepth: 8,
};
const ALMALINUX_OS_RELEASE =
  'NAME="AlmaLinux"\nVERSION="9.4 (Seafoam Ocelot)"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="AlmaLinux 9.4 (Seafoam Ocelot)"\n';
const ALPINE_OS_RELEASE =
  'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n';

const testdata = async (path: string): Promise<Buffer> => {
  const bytes = await readFile(
    new URL(`../detectors/${path}`, import.meta.url),
  );
  return path.endsWith('.gz') ? gunzipSync(bytes) : bytes;
};

async function analyze(entries: TarSpec[]) {
  return analyzeLayers(
    [
      {
        digest: `sha256:${'1'.repeat(64)}` as Digest,
        mediaType: MediaTypes.ociLayerGzip,
        open: () => Promise.resolve(streamOf(gzip(buildTar(entries)))),
      },
    ],
    {
      detectors: DETECTORS,
      limits: LIMITS,
      signal: new AbortController().signal,
      logger: silentLogger,
    },
  );
}

describe('analyzeLayers on rpm and apk distributions', () => {
  it.each([
    [
      'sqlite',
      'var/lib/rpm/rpmdb.sqlite',
      'os-rpm/testdata/sqlite/rpmdb.sqlite.gz',
    ],
    ['Berkeley DB', 'var/lib/rpm/Packages', 'os-rpm/testdata/bdb/Packages.gz'],
    [
      'ndb',
      'usr/lib/sysimage/rpm/Packages.db',
      'os-rpm/testdata/ndb/Packages.db.gz',
    ],
  ])(
    'AlmaLinux 9 with an rpm %s database: AlmaLinux:9 packages and their source rpms',
    async (_format, path, file) => {
      const analysis = await analyze([
        {
          type: 'file',
          path: 'usr/lib/os-release',
          content: ALMALINUX_OS_RELEASE,
        },
        {
          type: 'symlink',
          path: 'etc/os-release',
          target: '../usr/lib/os-release',
        },
        { type: 'file', path, content: await testdata(file) },
      ]);
      expect(analysis.distribution).toMatchObject({
        id: 'almalinux',
        versionId: '9.4',
      });
      expect(analysis.warnings).toEqual([]);
      expect(
        analysis.packages
          .map(
            (p) =>
              `${p.ecosystem} ${p.name} ${p.version} ${p.sourceName} ${p.sourceVersion}`,
          )
          .sort(),
      ).toEqual([
        'AlmaLinux:9 customs-epoch 2:0.9-1.el9 customs-epoch 2:0.9-1.el9',
        'AlmaLinux:9 customs-hello 1.2.3-4.el9 customs-hello 1.2.3-4.el9',
        'AlmaLinux:9 customs-hello-libs 1.2.3-4.el9 customs-hello 1.2.3-4.el9',
      ]);
    },
  );

  it('AlmaLinux without os-release: identified from etc/redhat-release', async () => {
    const analysis = await analyze([
      {
        type: 'file',
        path: 'etc/redhat-release',
        content: 'AlmaLinux release 9.4 (Seafoam Ocelot)\n',
      },
      {
        type: 'file',
        path: 'var/lib/rpm/rpmdb.sqlite',
        content: await testdata('os-rpm/testdata/sqlite/rpmdb.sqlite.gz'),
      },
    ]);
    expect(analysis.distribution).toMatchObject({
      id: 'almalinux',
      versionId: '9.4',
    });
    expect(new Set(analysis.packages.map((p) => p.ecosystem))).toEqual(
      new Set(['AlmaLinux:9']),
    );
  });

  it('Alpine 3.20: Alpine:v3.20 packages with their origin as the source', async () => {
    const analysis = await analyze([
      { type: 'file', path: 'etc/os-release', content: ALPINE_OS_RELEASE },
      { type: 'file', path: 'etc/alpine-release', content: '3.20.3\n' },
      {
        type: 'file',
        path: 'lib/apk/db/installed',
        content: await testdata('os-apk/testdata/normal/installed'),
      },
    ]);
    expect(analysis.distribution).toMatchObject({
      id: 'alpine',
      versionId: '3.20.3',
    });
    expect(analysis.packages.find((p) => p.name === 'libssl3')).toMatchObject({
      ecosystem: 'Alpine:v3.20',
      sourceName: 'openssl',
      purl: 'pkg:apk/alpine/libssl3@3.3.2-r0?arch=x86_64&distro=3.20.3',
      layerDigest: `sha256:${'1'.repeat(64)}`,
      detector: 'os/apk',
    });
    expect(analysis.packages).toHaveLength(8);
  });

  it('Alpine without os-release: identified from etc/alpine-release', async () => {
    const analysis = await analyze([
      { type: 'file', path: 'etc/alpine-release', content: '3.20.3\n' },
      {
        type: 'file',
        path: 'lib/apk/db/installed',
        content: await testdata('os-apk/testdata/normal/installed'),
      },
    ]);
    expect(analysis.distribution).toEqual({
      id: 'alpine',
      versionId: '3.20.3',
    });
    expect(analysis.packages[0]?.ecosystem).toBe('Alpine:v3.20');
  });
});
