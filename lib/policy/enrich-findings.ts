/**
 * Findings as the report shows them: each with the layer its package came
 * from, base or application origin (and remedy), its exploitation signals
 * and its fix priority.
 */
import type { ExploitSignal } from '../core/exploit-signal.js';
import type { Finding } from '../core/finding.js';
import type { ImageEvidence } from '../core/image-evidence.js';
import type { ImagePackage } from '../core/package.js';
import { attribute, type Attribution } from './attribution.js';
import {
  cveIdsOf,
  fixPriority,
  strongestSignal,
  type FixPriority,
} from './fix-priority.js';

/** A finding with where it comes from and how urgent it is. */
export type EnrichedFinding<F extends Finding = Finding> = F & {
  attribution?: Attribution | undefined;
  exploit?: ExploitSignal | undefined;
  priority: FixPriority;
};

/** Enriches `findings` (see the module comment); order is kept. */
export function enrichFindings<F extends Finding>(
  findings: readonly F[],
  ctx: {
    packages: readonly ImagePackage[];
    evidence: ImageEvidence | undefined;
    signals: ReadonlyMap<string, ExploitSignal>;
  },
): Array<EnrichedFinding<F>> {
  const layerOf = new Map<string, ImagePackage['layerDigest']>();
  for (const p of ctx.packages) {
    const key = `${p.ecosystem}\u0000${p.name}\u0000${p.version}`;
    if (!layerOf.has(key)) layerOf.set(key, p.layerDigest);
  }
  const base = ctx.evidence?.baseImage;
  return findings.map((f) => {
    const layer = layerOf.get(
      `${f.ecosystem}\u0000${f.packageName}\u0000${f.packageVersion}`,
    );
    const attribution = layer && attribute(layer, ctx.evidence);
    const exploit = strongestSignal(cveIdsOf(f), ctx.signals);
    return {
      ...f,
      attribution,
      exploit,
      priority: fixPriority({
        severity: f.severity,
        hasFix: f.fixedVersion !== undefined,
        exploit,
        origin: attribution?.origin,
        hasNewerBase: base !== undefined && base.revision < base.latestRevision,
      }),
    };
  });
}
