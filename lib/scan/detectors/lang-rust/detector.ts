/**
 * `lang/rust`: crates compiled into Rust executables built with
 * cargo-auditable, which embeds the dependency tree as zlib-compressed JSON
 * in the `.dep-v0` ELF section
 * (https://github.com/rust-secure-code/cargo-auditable, "format"). Runtime
 * dependencies from crates.io are reported; the root crate (the binary's
 * own), local and git crates and build-only dependencies are not, as Trivy.
 */
import { inflateSync } from 'node:zlib';
import { formatPurl } from '../../../core/purl.js';
import { parseElf, sectionBytes } from '../elf.js';
import type {
  DetectedPackage,
  DetectInput,
  LayerFile,
  PackageDetector,
} from '../types.js';

interface AuditablePackage {
  name?: unknown;
  version?: unknown;
  source?: unknown;
  kind?: unknown;
  root?: unknown;
}

const EXECUTABLE_BITS = 0o111;
const MIN_BYTES = 1024;
/** A dependency tree of thousands of crates is ~1 MB of JSON. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

/** The `lang/rust` detector. */
export const rustDetector: PackageDetector = {
  name: 'lang/rust',
  version: 1,
  scope: 'file',
  matches(file: LayerFile): boolean {
    return (file.mode & EXECUTABLE_BITS) !== 0 && file.sizeBytes >= MIN_BYTES;
  },
  async detect(input: DetectInput): Promise<DetectedPackage[]> {
    const elf = parseElf(await input.read());
    const section =
      elf === undefined ? undefined : sectionBytes(elf, '.dep-v0');
    if (section === undefined) return [];
    let packages: AuditablePackage[];
    try {
      const json = inflateSync(section, { maxOutputLength: MAX_JSON_BYTES });
      packages = (
        JSON.parse(json.toString('utf8')) as { packages: AuditablePackage[] }
      ).packages;
      if (!Array.isArray(packages)) throw new Error('no packages array');
    } catch (err: unknown) {
      input.warn({
        code: 'PACKAGE_DB_INVALID',
        message: 'invalid cargo-auditable data',
        details: { reason: err instanceof Error ? err.message : String(err) },
      });
      return [];
    }
    return packages.filter(isReported).map((p) => ({
      ecosystem: 'crates.io',
      name: p.name,
      version: p.version,
      purl: formatPurl({ type: 'cargo', name: p.name, version: p.version }),
    }));
  },
};

function isReported(
  p: AuditablePackage,
): p is AuditablePackage & { name: string; version: string } {
  return (
    typeof p.name === 'string' &&
    typeof p.version === 'string' &&
    p.source === 'crates.io' &&
    p.root !== true &&
    (p.kind === undefined || p.kind === 'runtime')
  );
}
