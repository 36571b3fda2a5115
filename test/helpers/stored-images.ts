import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Digest } from '../../lib/core/digest.js';
import type { Finding } from '../../lib/core/finding.js';
import type { ImagePackage } from '../../lib/core/package.js';
import type { Stores } from '../../lib/storage/ports.js';

const LAYER: Digest = `sha256:${'ab'.repeat(32)}`;
const TSV = new URL(
  '../../../shared/data/expected/debian-bookworm-minbase-packages.tsv',
  import.meta.url,
);

/** A digest derived from a label (stable across runs). */
export function digestOf(label: string): Digest {
  return `sha256:${createHash('sha256').update(label).digest('hex')}`;
}

/**
 * Stores an image as a finished scan would: its manifest in a repository
 * and its package list. No layer is involved: what re-matching reads.
 */
export async function storeScannedImage(
  stores: Pick<Stores, 'manifests' | 'scans'>,
  image: { repository: string; digest: Digest; packages: ImagePackage[] },
): Promise<void> {
  await stores.manifests.save(
    {
      digest: image.digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      kind: 'image',
      body: Buffer.from(
        JSON.stringify({ schemaVersion: 2, label: image.digest }),
      ),
      references: [],
    },
    image.repository,
  );
  await stores.scans.start(image.digest);
  await stores.scans.complete(image.digest, {
    packages: image.packages,
    warnings: [],
    stats: {},
    detectorKey: 'test',
    durationMs: 1,
  });
}

/** An npm or PyPI package as a language detector reports it. */
export function languagePackage(
  ecosystem: 'npm' | 'PyPI',
  name: string,
  version: string,
): ImagePackage {
  const type = ecosystem === 'npm' ? 'npm' : 'pypi';
  return {
    ecosystem,
    name,
    version,
    purl: `pkg:${type}/${name}@${version}`,
    layerDigest: LAYER,
    detector: ecosystem === 'npm' ? 'lang/npm' : 'lang/python',
    path:
      ecosystem === 'npm'
        ? `app/node_modules/${name}/package.json`
        : 'usr/lib/python3/site-packages',
  };
}

/**
 * The 88 dpkg packages of the shared `debootstrap --variant=minbase
 * bookworm` image (shared/data/expected), with their source packages.
 */
export function debianMinbasePackages(): ImagePackage[] {
  return readFileSync(TSV, 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .slice(1)
    .map((l) => l.split('\t'))
    .map(([name = '', version = '', source = '', sourceVersion = '']) => ({
      ecosystem: 'Debian:12',
      name,
      version,
      sourceName: source,
      sourceVersion,
      purl: `pkg:deb/debian/${name}@${version}?distro=debian-12`,
      layerDigest: LAYER,
      detector: 'os/dpkg',
      path: 'var/lib/dpkg/status',
    }));
}

/** lodash 4.17.15's prototype-pollution finding (high, fixed in 4.17.21). */
export const LODASH_HIGH_FINDING: Finding = {
  advisoryId: 'GHSA-35jh-r3h4-6jhm',
  aliases: ['CVE-2020-8203'],
  ecosystem: 'npm',
  packageName: 'lodash',
  packageVersion: '4.17.15',
  advisoryPackage: 'lodash',
  fixedVersion: '4.17.21',
  severity: 'high',
  status: 'affected',
};

/**
 * Stores a scanned image holding lodash 4.17.15 with one high finding,
 * GHSA-35jh-r3h4-6jhm (alias CVE-2020-8203, fixed in 4.17.21): what rules,
 * exceptions and grants are tested on.
 */
export async function storeImageWithHighFinding(
  stores: Pick<Stores, 'manifests' | 'scans' | 'findings'>,
  image: { repository: string; digest: Digest },
): Promise<void> {
  await storeScannedImage(stores, {
    ...image,
    packages: [languagePackage('npm', 'lodash', '4.17.15')],
  });
  await stores.findings.replace(image.digest, [LODASH_HIGH_FINDING], null);
}
