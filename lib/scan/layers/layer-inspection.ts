/**
 * What a layer walk checks in every regular file besides packages:
 * secrets (text files), known-bad hashes and ClamAV (bytes), and the file
 * flags of the configuration baseline (header only). The results belong to
 * the layer (deleted files count: a lower layer stays pullable) and are
 * cached with its record.
 */
import type { Digest } from '../../core/digest.js';
import type { MalwareFinding } from '../../core/image-evidence.js';
import type { SecretFinding } from '../../core/secret-finding.js';
import { fileFlags, type FileFlag } from '../baseline/file-flags.js';
import type { LayerFile } from '../detectors/types.js';
import type { MalwareScanner } from '../malware/malware-scanner.js';
import type { SecretScanner } from '../secrets/secret-scanner.js';

/** The inspections of one walk (both optional: off when absent). */
export interface Inspectors {
  secrets?: SecretScanner | undefined;
  malware?: MalwareScanner | undefined;
}

/** A layer's inspection results, as its record keeps them. */
export interface LayerInspectionRecord {
  secrets?: SecretFinding[] | undefined;
  malware?:
    | {
        findings: MalwareFinding[];
        clamav: 'scanned' | 'unavailable' | 'off';
        /** Files were checked against known-bad hash lists. */
        hashLists: boolean;
      }
    | undefined;
  flags?: FileFlag[] | undefined;
}

/** Flags kept per layer: a cache directory can hold thousands of files. */
const MAX_FLAGS = 1000;

/** Collects the inspections of one layer walk. */
export class LayerInspection {
  private readonly secrets: SecretFinding[] = [];
  private readonly malwareFindings: MalwareFinding[] = [];
  private clamav: 'scanned' | 'unavailable' | 'off' = 'off';
  private readonly flags: FileFlag[] = [];

  constructor(
    private readonly inspectors: Inspectors,
    private readonly layerDigest: Digest,
    private readonly maxFileBytes: number,
  ) {
    if (inspectors.malware?.hasClamav === true) this.clamav = 'scanned';
  }

  /** Cheap, before the body: must the file's bytes be read? */
  wants(file: LayerFile): boolean {
    // Never over maxFileBytes: extractLayer fails the walk on a wanted file over it.
    if (file.sizeBytes > this.maxFileBytes) return false;
    return (
      this.inspectors.secrets?.wants(file) === true ||
      this.inspectors.malware?.wants(file) === true
    );
  }

  /** Every regular file, read or not: header facts. */
  onFile(file: LayerFile): void {
    if (this.flags.length < MAX_FLAGS) this.flags.push(...fileFlags(file));
  }

  /**
   * A read file: secrets now; the returned task (if any) checks it for
   * malware and must run before {@link record} (the walk queues it).
   */
  onContent(
    file: LayerFile,
    content: Buffer,
  ): (() => Promise<void>) | undefined {
    const { secrets, malware } = this.inspectors;
    if (secrets?.wants(file) === true)
      this.secrets.push(...secrets.scan(file, content, this.layerDigest));
    if (malware?.wants(file) !== true) return undefined;
    return async () => {
      const result = await malware.scan(file, content, {
        layerDigest: this.layerDigest,
        clamavDown: this.clamav === 'unavailable',
      });
      this.malwareFindings.push(...result.findings);
      if (result.clamav === 'unavailable') this.clamav = 'unavailable';
    };
  }

  /** The results for the layer record. */
  record(): LayerInspectionRecord {
    return {
      flags: this.flags,
      ...(this.inspectors.secrets && { secrets: this.secrets }),
      ...(this.inspectors.malware && {
        malware: {
          findings: this.malwareFindings,
          clamav: this.clamav,
          hashLists: this.inspectors.malware.hasHashLists,
        },
      }),
    };
  }
}
