/**
 * `os/apk`: installed Alpine packages from apk's database,
 * `lib/apk/db/installed`. Format (apk-tools, "Apk spec" / "installed
 * database" on the Alpine wiki): one stanza per package, stanzas separated
 * by a blank line, each line `<letter>:<value>`: `P` name, `V` version, `A`
 * architecture, `o` origin (the source package that secdb advisories name),
 * `L` license, `F`/`R` files (ignored here).
 */
import { declaredLicense } from '../../../core/license-expression.js';
import type { Distribution } from '../../../core/package.js';
import { formatPurl } from '../../../core/purl.js';
import type {
  DetectedPackage,
  DetectInput,
  LayerFile,
  PackageDetector,
} from '../types.js';

const DB_PATH = 'lib/apk/db/installed';
const LINE_RE = /\r?\n/;
// apk versions: digits and dots, optional letter, suffixes, `-r<n>` (apk-tools version.c).
const VERSION_RE = /^[0-9][0-9A-Za-z._+~-]*$/;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const MAJOR_MINOR_RE = /^(\d+)\.(\d+)/;

/** The `os/apk` detector. */
export const apkDetector: PackageDetector = {
  name: 'os/apk',
  version: 2,
  matches(file: LayerFile): boolean {
    return file.path === DB_PATH;
  },
  async detect(input: DetectInput): Promise<DetectedPackage[]> {
    const text = (await input.read()).toString('utf8');
    const release = apkRelease(input.distribution);
    const packages: DetectedPackage[] = [];
    for (const stanza of stanzas(text)) {
      const name = stanza.fields.get('P');
      const version = stanza.fields.get('V');
      if (
        name === undefined ||
        !NAME_RE.test(name) ||
        version === undefined ||
        !VERSION_RE.test(version)
      ) {
        input.warn({
          code: 'PACKAGE_DB_INVALID',
          message: 'invalid apk database stanza',
          details: { line: stanza.line, reason: 'missing or invalid P: or V:' },
        });
        continue;
      }
      const arch = stanza.fields.get('A') || undefined;
      packages.push({
        ecosystem: release.ecosystem,
        name,
        version,
        arch,
        sourceName: stanza.fields.get('o') || name,
        sourceVersion: version,
        purl: formatPurl({
          type: 'apk',
          namespace: release.vendor,
          name,
          version,
          qualifiers: { arch, distro: release.distro },
        }),
        license: declaredLicense(stanza.fields.get('L')),
      });
    }
    return packages;
  },
};

/** Ecosystem (`Alpine:v3.20`) and purl vendor/distro of an image's apk packages. */
export function apkRelease(distribution: Distribution | undefined): {
  ecosystem: string;
  vendor: string;
  distro: string | undefined;
} {
  const vendor =
    distribution?.id !== undefined && /^[a-z0-9-]+$/.test(distribution.id)
      ? distribution.id
      : 'alpine';
  const match = MAJOR_MINOR_RE.exec(distribution?.versionId ?? '');
  // OSV names Alpine branches `Alpine:v3.20`; other apk distributions (Wolfi…) have no branch.
  const ecosystem =
    vendor === 'alpine' && match !== null
      ? `Alpine:v${match[1]}.${match[2]}`
      : 'Alpine';
  return { ecosystem, vendor, distro: distribution?.versionId };
}

interface Stanza {
  fields: Map<string, string>;
  /** 1-based line of its first field. */
  line: number;
}

function* stanzas(text: string): Generator<Stanza> {
  let current: Stanza | undefined;
  const lines = text.split(LINE_RE);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') {
      if (current !== undefined) yield current;
      current = undefined;
      continue;
    }
    current ??= { fields: new Map(), line: i + 1 };
    // Only the first value of a letter counts (F:/R: repeat; P: does not).
    if (line[1] === ':' && !current.fields.has(line[0] as string))
      current.fields.set(line[0] as string, line.slice(2));
  }
  if (current !== undefined) yield current;
}
