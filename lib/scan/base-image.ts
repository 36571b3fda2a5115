/**
 * Recognises the base image of an image by its layer-digest prefix among
 * the configured approved bases (every revision of each): the longest
 * revision whose layers are exactly the image's first layers wins.
 */
import type { Digest } from '../core/digest.js';
import type { BaseImageMatch } from '../core/image-evidence.js';

/** An approved base (config `scan.baseImages`). */
export interface ApprovedBase {
  name: string;
  /** Layer digests of each build, oldest first. */
  revisions: ReadonlyArray<readonly string[]>;
}

/** The approved base `layers` start with, or undefined. */
export function recogniseBase(
  layers: readonly Digest[],
  bases: readonly ApprovedBase[],
): BaseImageMatch | undefined {
  let best: BaseImageMatch | undefined;
  for (const base of bases) {
    for (const [i, revision] of base.revisions.entries()) {
      if (revision.length > layers.length) continue;
      if (!revision.every((d, j) => layers[j] === d)) continue;
      if (best !== undefined && best.baseLayers >= revision.length) continue;
      best = {
        name: base.name,
        revision: i + 1,
        latestRevision: base.revisions.length,
        baseLayers: revision.length,
      };
    }
  }
  return best;
}
