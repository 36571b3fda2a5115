/**
 * Attributes a finding to the layer it came from and to the base image or
 * the application: a finding in a base layer is fixed by rebuilding on a
 * newer base, one in the application's layers by the application's build.
 */
import type { Digest } from '../core/digest.js';
import type { ImageEvidence } from '../core/image-evidence.js';

/** Where a finding comes from and how it is fixed. */
export interface Attribution {
  layerDigest: Digest;
  /** 0-based index of the layer in the image. */
  layerIndex: number | undefined;
  origin: 'base' | 'app';
  remedy: string;
}

/** The attribution of something found in `layerDigest`. */
export function attribute(
  layerDigest: Digest,
  evidence: ImageEvidence | undefined,
): Attribution {
  const index = evidence?.layers?.indexOf(layerDigest) ?? -1;
  const layerIndex = index === -1 ? undefined : index;
  const base = evidence?.baseImage;
  if (
    base !== undefined &&
    layerIndex !== undefined &&
    layerIndex < base.baseLayers
  ) {
    const newer =
      base.revision < base.latestRevision
        ? `rebuild on the newest ${base.name} (revision ${base.latestRevision}; this image uses ${base.revision})`
        : `rebuild on a newer ${base.name} once it carries the fix`;
    return {
      layerDigest,
      layerIndex,
      origin: 'base',
      remedy: `from the base image ${base.name}: ${newer}`,
    };
  }
  return {
    layerDigest,
    layerIndex,
    origin: 'app',
    remedy: 'from the application layers: fix it in the application build',
  };
}
