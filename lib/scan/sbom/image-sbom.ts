/**
 * The SBOM of a stored image, as the API and `customs scan` serve it: from
 * its finished scan; for an index, of one platform's image.
 */
import type { Digest } from '../../core/digest.js';
import type { ManifestRecord, Stores } from '../../storage/ports.js';
import { toCycloneDx } from './cyclonedx.js';
import type { SbomOptions } from './sbom-image.js';
import { toSpdx } from './spdx.js';

/** SBOM formats: CycloneDX 1.6 JSON, SPDX 2.3 JSON. */
export const SBOM_FORMATS = ['cyclonedx', 'spdx'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

/** Why there is no SBOM. */
export type SbomRefusal = {
  code: 'IMAGE_UNKNOWN' | 'SCAN_NOT_DONE' | 'PLATFORM_UNKNOWN';
  message: string;
};

/** Platform an index's SBOM describes when none is asked for. */
export const DEFAULT_PLATFORM = 'linux/amd64';

/**
 * The SBOM document of `repository@digest`, or why there is none: the
 * image is unknown, its scan is not done (pending or failed), or the index
 * has no image of `platform` (default linux/amd64, else its first image).
 */
export async function imageSbom(
  stores: Pick<Stores, 'manifests' | 'scans'>,
  target: { repository: string; digest: Digest; platform?: string | undefined },
  format: SbomFormat,
  options: SbomOptions,
): Promise<{ document: Record<string, unknown> } | SbomRefusal> {
  const manifest = await stores.manifests.get(target.digest);
  if (manifest === undefined)
    return {
      code: 'IMAGE_UNKNOWN',
      message: `Customs has not seen ${target.digest}`,
    };
  const digest =
    manifest.kind === 'index'
      ? platformImage(manifest, target.platform)
      : target.digest;
  if (typeof digest !== 'string') return digest;
  const scan = await stores.scans.get(digest);
  if (scan?.status !== 'done')
    return {
      code: 'SCAN_NOT_DONE',
      message: `scan of ${digest} is ${scan?.status ?? 'missing'}${scan?.errorCode ? ` (${scan.errorCode})` : ''}`,
    };
  const image = {
    repository: target.repository,
    digest,
    distribution: scan.distribution,
    packages: await stores.scans.packages(digest),
  };
  const document =
    format === 'cyclonedx'
      ? toCycloneDx(image, options)
      : toSpdx(image, options);
  return { document };
}

/** The image of `platform` in an index (default linux/amd64, else its first). */
function platformImage(
  index: ManifestRecord,
  platform: string | undefined,
): Digest | SbomRefusal {
  const children = index.references.filter((r) => r.role === 'manifest');
  const wanted = platform ?? DEFAULT_PLATFORM;
  const chosen =
    children.find((r) => r.platform === wanted) ??
    (platform === undefined ? children[0] : undefined);
  if (chosen !== undefined) return chosen.digest;
  const has = children.map((r) => r.platform ?? '?').join(', ');
  return {
    code: 'PLATFORM_UNKNOWN',
    message: `no ${wanted} image in the index (has ${has})`,
  };
}
