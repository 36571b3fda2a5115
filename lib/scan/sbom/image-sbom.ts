/**
 * The SBOM of a stored image, as the API and `customs scan` serve it: from
 * its finished scan; for an index, of one platform's image.
 */
import type { Digest } from '../../core/digest.js';
import type { Stores } from '../../storage/ports.js';
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
  let digest = target.digest;
  if (manifest.kind === 'index') {
    const children = manifest.references.filter((r) => r.role === 'manifest');
    const wanted = target.platform ?? DEFAULT_PLATFORM;
    const chosen =
      children.find((r) => r.platform === wanted) ??
      (target.platform === undefined ? children[0] : undefined);
    if (chosen === undefined)
      return {
        code: 'PLATFORM_UNKNOWN',
        message: `no ${wanted} image in the index (has ${children.map((r) => r.platform ?? '?').join(', ')})`,
      };
    digest = chosen.digest;
  }
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
