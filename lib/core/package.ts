import type { Digest } from './digest.js';

/**
 * A package found in an image. `ecosystem` is the OSV ecosystem the package
 * is matched in (`Debian:12`, `npm`, `PyPI` …). OS packages also carry the
 * source package that distribution advisories name.
 */
export interface ImagePackage {
  ecosystem: string;
  name: string;
  version: string;
  arch?: string | undefined;
  sourceName?: string | undefined;
  sourceVersion?: string | undefined;
  purl: string;
  /**
   * The license the package declares, as given (SPDX expression or free
   * text, blanks collapsed: `declaredLicense`); undefined when it declares
   * none or the package list predates license detection.
   */
  license?: string | undefined;
  /** Digest of the layer the package's record came from. */
  layerDigest: Digest;
  /** Detector name, e.g. `os/dpkg`. */
  detector: string;
  /** Path of the file the package was read from. */
  path: string;
}

/** What matching reads of a package: its name and version, and its source. */
export type MatchablePackage = Pick<
  ImagePackage,
  'ecosystem' | 'name' | 'version' | 'sourceName' | 'sourceVersion'
>;

/** The distribution an image is built on, from os-release. */
export interface Distribution {
  id: string;
  versionId?: string | undefined;
  versionCodename?: string | undefined;
  prettyName?: string | undefined;
}
