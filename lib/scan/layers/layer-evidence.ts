/**
 * Gathers the inspection results of an image's layer records (bottom to
 * top) into image evidence: secrets and malware of every layer (deleted
 * files included: a lower layer stays pullable), and the file flags of
 * files still present in the final image (a setuid binary a later layer
 * deletes or replaces does not run).
 */
import type { Digest } from '../../core/digest.js';
import type { MalwareEvidence } from '../../core/image-evidence.js';
import type { SecretFinding } from '../../core/secret-finding.js';
import type { FileFlag } from '../baseline/file-flags.js';
import type { LayerRecord } from './layer-record.js';

/** A file flag with the layer of its file. */
export type LayerFileFlag = FileFlag & { layerDigest: Digest };

/** What the inspections of all layers found. */
export interface LayersEvidence {
  secrets: SecretFinding[];
  /** Absent when no malware check is configured. */
  malware?: MalwareEvidence | undefined;
  flags: LayerFileFlag[];
}

/** See the module comment; `layers` bottom first. */
export function gatherEvidence(
  layers: ReadonlyArray<{ digest: Digest; record: LayerRecord }>,
): LayersEvidence {
  const secrets = layers.flatMap((l) => l.record.secrets ?? []);
  const flags = layers.flatMap(({ digest, record }, i) =>
    (record.flags ?? [])
      .filter((f) => !isHiddenAbove(f.path, layers.slice(i + 1)))
      .map((f) => ({ ...f, layerDigest: digest })),
  );
  const checked = layers.map((l) => l.record.malware);
  if (checked.every((m) => m === undefined)) return { secrets, flags };
  return { secrets, flags, malware: malwareOf(checked) };
}

function malwareOf(
  checked: ReadonlyArray<LayerRecord['malware']>,
): MalwareEvidence {
  const states = checked.map((m) => m?.clamav ?? 'off');
  // One layer clamd could not read makes the whole image unverified.
  const clamav = states.includes('unavailable')
    ? 'unavailable'
    : states.every((s) => s === 'scanned')
      ? 'scanned'
      : 'off';
  return {
    clamav,
    hashLists: checked.every((m) => m?.hashLists === true),
    findings: checked.flatMap((m) => m?.findings ?? []),
  };
}

/** True when a layer above deletes, hides or replaces `path`. */
function isHiddenAbove(
  path: string,
  above: ReadonlyArray<{ record: LayerRecord }>,
): boolean {
  const ancestors = ancestorsOf(path);
  return above.some(({ record }) =>
    record.entries.some((e) => {
      const at = e.type === 'file' ? e.file.path : e.path;
      if (e.type === 'opaque') return ancestors.has(at);
      return at === path || (e.type === 'whiteout' && ancestors.has(at));
    }),
  );
}

function ancestorsOf(path: string): Set<string> {
  const out = new Set<string>();
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1))
    out.add(path.slice(0, i));
  return out;
}
