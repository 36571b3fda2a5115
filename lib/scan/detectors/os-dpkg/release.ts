/**
 * Where a dpkg package is matched and how its purl names the distribution.
 */
import type { Distribution } from '../../../core/package.js';

/** Ecosystem and purl vendor/distro of dpkg packages of one image. */
export interface DpkgRelease {
  /** OSV ecosystem: `Debian:12`, `Ubuntu:22.04`, or `Debian` when unknown. */
  ecosystem: string;
  /** purl namespace (the vendor): `debian`, `ubuntu`, … */
  vendor: string;
  /** purl `distro` qualifier, `debian-12`; undefined when the release is unknown. */
  distro: string | undefined;
}

/**
 * Debian release numbers by codename, for images whose os-release has no
 * VERSION_ID (testing and point-release-less builds).
 * https://wiki.debian.org/DebianReleases
 */
const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
};

const MAJOR_RE = /^(\d+)(?:\.\d+)*$/;
const UBUNTU_VERSION_RE = /^\d+\.\d+$/;
const VENDOR_RE = /^[a-z0-9][a-z0-9._-]*$/;

/** The release of `distribution` as dpkg packages need it. */
export function dpkgRelease(
  distribution: Distribution | undefined,
): DpkgRelease {
  if (distribution?.id === 'debian') {
    const major = debianMajor(distribution);
    return major === undefined
      ? { ecosystem: 'Debian', vendor: 'debian', distro: undefined }
      : {
          ecosystem: `Debian:${major}`,
          vendor: 'debian',
          distro: `debian-${major}`,
        };
  }
  if (distribution?.id === 'ubuntu') {
    const version = distribution.versionId;
    return version !== undefined && UBUNTU_VERSION_RE.test(version)
      ? {
          ecosystem: `Ubuntu:${version}`,
          vendor: 'ubuntu',
          distro: `ubuntu-${version}`,
        }
      : { ecosystem: 'Ubuntu', vendor: 'ubuntu', distro: undefined };
  }
  // A derivative (or no os-release): matched as Debian without a release,
  // named after its own vendor when the ID is a sane purl namespace.
  const id = distribution?.id;
  const vendor = id !== undefined && VENDOR_RE.test(id) ? id : 'debian';
  const version = distribution?.versionId;
  const distro =
    vendor !== 'debian' && version !== undefined
      ? `${vendor}-${version}`
      : undefined;
  return { ecosystem: 'Debian', vendor, distro };
}

/** `12` from VERSION_ID `12` (or `12.4`), else from the codename. */
function debianMajor(distribution: Distribution): string | undefined {
  const fromVersion = MAJOR_RE.exec(distribution.versionId ?? '')?.[1];
  if (fromVersion !== undefined) return fromVersion;
  const codename = distribution.versionCodename?.toLowerCase();
  return codename === undefined ? undefined : DEBIAN_CODENAMES[codename];
}
