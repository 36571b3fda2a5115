/**
 * The evidence a scan stores besides packages, from the layer analysis.
 */
import type { ImageEvidence } from '../core/image-evidence.js';
import type { LayerAnalysis } from './layers/analyze.js';

/** What the scan of an image stores as its evidence. */
export function imageEvidenceOf(analysis: LayerAnalysis): ImageEvidence {
  return {
    secrets: analysis.secrets,
    ...(analysis.malware && { malware: analysis.malware }),
  };
}
