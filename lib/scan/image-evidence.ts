/**
 * The evidence a scan stores besides packages: the layer analysis
 * (secrets, malware, file flags) and the configuration baseline.
 */
import type { Digest } from '../core/digest.js';
import type { BaseImageMatch, ImageEvidence } from '../core/image-evidence.js';
import {
  baselineFindings,
  type ImageConfigDocument,
} from './baseline/config-checks.js';
import type { LayerAnalysis } from './layers/analyze.js';

/** What besides the layers the evidence is made of. */
export interface ImageFacts {
  config: ImageConfigDocument | undefined;
  annotations: Record<string, string>;
  tags: readonly string[];
  /** The image's layer digests, bottom first. */
  layers: Digest[];
  baseImage: BaseImageMatch | undefined;
}

/** What the scan of an image stores as its evidence. */
export function imageEvidenceOf(
  analysis: LayerAnalysis,
  facts: ImageFacts,
): ImageEvidence {
  return {
    secrets: analysis.secrets,
    ...(analysis.malware && { malware: analysis.malware }),
    baseline: {
      findings: baselineFindings({
        config: facts.config,
        flags: analysis.flags,
        tags: facts.tags,
      }),
      annotations: facts.annotations,
    },
    layers: facts.layers,
    ...(facts.baseImage && { baseImage: facts.baseImage }),
  };
}
