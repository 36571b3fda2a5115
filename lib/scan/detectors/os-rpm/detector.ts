/**
 * `os/rpm`: installed packages of rpm distributions from rpm's database, in
 * all three formats: sqlite `rpmdb.sqlite` (RHEL 9, AlmaLinux 9, Fedora ≥ 33),
 * Berkeley DB hash `Packages` (RHEL ≤ 8, CentOS 7, Amazon Linux 2) and ndb
 * `Packages.db` (SUSE), under `var/lib/rpm/` or `usr/lib/sysimage/rpm/`.
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
import { DbFormatError, isBdbHash, readBdbHash } from './bdb.js';
import { parseRpmHeader, parseSourceRpm, type RpmHeader } from './header.js';
import { isNdb, readNdb } from './ndb.js';
import { isSqlite, readSqliteRpmdb } from './sqlite.js';

const DB_PATH_RE =
  /^(?:var\/lib\/rpm|usr\/lib\/sysimage\/rpm)\/(?:rpmdb\.sqlite|Packages|Packages\.db)$/;
/** rpm's "next instance" record and other non-header values are this short. */
const MIN_HEADER_BYTES = 16;

/**
 * OSV ecosystem names and purl vendors of rpm distributions, by os-release
 * ID (https://ossf.github.io/osv-schema/#affectedpackage-field).
 */
const DISTROS: Readonly<Record<string, { ecosystem: string; vendor: string }>> =
  {
    almalinux: { ecosystem: 'AlmaLinux', vendor: 'almalinux' },
    rocky: { ecosystem: 'Rocky Linux', vendor: 'rocky' },
    rhel: { ecosystem: 'Red Hat', vendor: 'redhat' },
    centos: { ecosystem: 'CentOS', vendor: 'centos' },
    fedora: { ecosystem: 'Fedora', vendor: 'fedora' },
    ol: { ecosystem: 'Oracle Linux', vendor: 'oracle' },
    amzn: { ecosystem: 'Amazon Linux', vendor: 'amazon' },
    'opensuse-leap': { ecosystem: 'openSUSE', vendor: 'opensuse' },
    sles: { ecosystem: 'SUSE', vendor: 'suse' },
  };
const MAJOR_RE = /^(\d+)/;

/** The `os/rpm` detector. */
export const rpmDetector: PackageDetector = {
  name: 'os/rpm',
  version: 2,
  matches(file: LayerFile): boolean {
    return DB_PATH_RE.test(file.path);
  },
  async detect(input: DetectInput): Promise<DetectedPackage[]> {
    const bytes = await input.read();
    const warn = (reason: string): void =>
      input.warn({
        code: 'PACKAGE_DB_INVALID',
        message: 'invalid rpm database',
        details: { reason },
      });
    const blobs: Buffer[] = [];
    try {
      await readBlobs(bytes, (blob) => blobs.push(blob), warn);
    } catch (err: unknown) {
      warn(err instanceof Error ? err.message : String(err));
      return [];
    }
    const release = rpmRelease(input.distribution);
    const packages: DetectedPackage[] = [];
    for (const blob of blobs) {
      if (blob.length < MIN_HEADER_BYTES) continue;
      let header: RpmHeader;
      try {
        header = parseRpmHeader(blob);
      } catch (err: unknown) {
        warn((err as Error).message);
        continue;
      }
      // Imported signing keys are stored as pseudo-packages.
      if (header.name === 'gpg-pubkey') continue;
      packages.push(toPackage(header, release));
    }
    return packages;
  },
};

async function readBlobs(
  bytes: Buffer,
  onBlob: (blob: Buffer) => void,
  onBad: (reason: string) => void,
): Promise<void> {
  if (isSqlite(bytes)) return readSqliteRpmdb(bytes, onBlob);
  if (isNdb(bytes)) return readNdb(bytes, onBlob, onBad);
  if (isBdbHash(bytes)) return readBdbHash(bytes, onBlob, onBad);
  if (bytes.length === 0) return;
  throw new DbFormatError('neither sqlite, ndb nor Berkeley DB hash');
}

/** Ecosystem (`AlmaLinux:9`), purl vendor and distro of an image's rpm packages. */
export function rpmRelease(distribution: Distribution | undefined): {
  ecosystem: string;
  vendor: string;
  distro: string | undefined;
} {
  const id = distribution?.id ?? '';
  const known = DISTROS[id];
  const major = MAJOR_RE.exec(distribution?.versionId ?? '')?.[1];
  const version =
    id === 'opensuse-leap' || id === 'sles' ? distribution?.versionId : major;
  const name = known?.ecosystem ?? (id || 'rpm');
  return {
    ecosystem: version === undefined ? name : `${name}:${version}`,
    vendor: known?.vendor ?? (/^[a-z0-9-]+$/.test(id) ? id : 'rpm'),
    distro:
      distribution?.versionId === undefined
        ? undefined
        : `${id}-${distribution.versionId}`,
  };
}

function toPackage(
  h: RpmHeader,
  release: ReturnType<typeof rpmRelease>,
): DetectedPackage {
  const epoch = h.epoch !== undefined && h.epoch > 0 ? h.epoch : undefined;
  const evr = `${epoch === undefined ? '' : `${epoch}:`}${h.version}-${h.release}`;
  const source = parseSourceRpm(h.sourceRpm);
  return {
    ecosystem: release.ecosystem,
    name: h.name,
    version: evr,
    arch: h.arch,
    sourceName: source?.name ?? h.name,
    // The source rpm file name carries no epoch; the binary's applies to it.
    sourceVersion:
      source === undefined
        ? evr
        : `${epoch === undefined ? '' : `${epoch}:`}${source.version}`,
    purl: formatPurl({
      type: 'rpm',
      namespace: release.vendor,
      name: h.name,
      version: `${h.version}-${h.release}`,
      qualifiers: {
        arch: h.arch,
        epoch: epoch === undefined ? undefined : String(epoch),
        distro: release.distro,
      },
    }),
    license: declaredLicense(h.license),
  };
}
