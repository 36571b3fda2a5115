/**
 * Identifies the distribution of an image from os-release, before package
 * detectors run (they need it for ecosystems such as `Debian:12`).
 */
import type { Distribution } from '../../../core/package.js';
import type { DetectWarning, LayerFS } from '../types.js';
import { parseOsRelease } from './parse.js';

/**
 * Where os-release lives, in lookup order: `etc/os-release` first, then
 * `usr/lib/os-release`, as the os-release specification says. Debian ships
 * `etc/os-release -> ../usr/lib/os-release`; the LayerFS follows it.
 */
export const OS_RELEASE_PATHS: readonly string[] = [
  'etc/os-release',
  'usr/lib/os-release',
];

/** True for os-release itself. */
export function isOsReleasePath(path: string): boolean {
  return path === 'etc/os-release' || path === 'usr/lib/os-release';
}

/**
 * True for every file the walker must keep so {@link identifyDistribution}
 * can read it: os-release and the older release files.
 */
export function isIdentificationPath(path: string): boolean {
  return isOsReleasePath(path) || RELEASE_FILE_PATHS.has(path);
}

/** Result of {@link identifyDistribution}. */
export interface Identification {
  distribution: Distribution | undefined;
  /** Path actually read, when one was found. */
  path?: string | undefined;
  warnings: DetectWarning[];
}

/**
 * Reads the first os-release of {@link OS_RELEASE_PATHS} present in `fs`.
 * The distribution is undefined when none exists or it has no `ID`. Invalid
 * lines become an `OS_RELEASE_INVALID` warning. Throws only what `fs`
 * throws (ScanError `EXTRACT_LIMIT_EXCEEDED` on a symlink loop).
 */
export async function identifyDistribution(
  fs: LayerFS,
): Promise<Identification> {
  for (const path of OS_RELEASE_PATHS) {
    const content = await fs.readFile(path);
    if (content === undefined) continue;
    const found = { ...distributionOf(content.toString('utf8')), path };
    if (found.distribution?.versionId !== undefined) return found;
    // os-release without a version (Alpine edge, some minimal images): a
    // release file may still say it.
    const fallback = await fromReleaseFiles(fs);
    if (found.distribution === undefined) return fallback ?? found;
    if (fallback?.distribution?.id === found.distribution.id)
      found.distribution.versionId = fallback.distribution.versionId;
    return found;
  }
  return (
    (await fromReleaseFiles(fs)) ?? { distribution: undefined, warnings: [] }
  );
}

/**
 * The distribution from the release files older images carry instead of
 * os-release (what Trivy's OS analyzers read): `etc/alpine-release`,
 * `etc/redhat-release` and its siblings, `etc/lsb-release`.
 */
async function fromReleaseFiles(
  fs: LayerFS,
): Promise<Identification | undefined> {
  for (const [path, parse] of RELEASE_FILES) {
    const content = await fs.readFile(path);
    if (content === undefined) continue;
    const distribution = parse(content.toString('utf8'));
    if (distribution !== undefined) return { distribution, path, warnings: [] };
  }
  return undefined;
}

const VERSION_RE = /^\s*(\d+(?:\.\d+)*)/;
// "AlmaLinux release 9.4 (Seafoam Ocelot)", "CentOS Linux release 7.9.2009 (Core)".
const REDHAT_RELEASE_RE = /^(.*?)\s+release\s+(\d+(?:\.\d+)*)/i;
/** Names in redhat-release style files, to os-release IDs. */
const REDHAT_IDS: ReadonlyArray<[RegExp, string]> = [
  [/^almalinux/i, 'almalinux'],
  [/^rocky/i, 'rocky'],
  [/^centos/i, 'centos'],
  [/^fedora/i, 'fedora'],
  [/^oracle/i, 'ol'],
  [/^red hat/i, 'rhel'],
];

const RELEASE_FILES: ReadonlyArray<
  [string, (text: string) => Distribution | undefined]
> = [
  [
    'etc/alpine-release',
    (text) => withVersion('alpine', VERSION_RE.exec(text)?.[1]),
  ],
  ['etc/almalinux-release', redhatRelease],
  ['etc/rocky-release', redhatRelease],
  ['etc/centos-release', redhatRelease],
  ['etc/fedora-release', redhatRelease],
  ['etc/redhat-release', redhatRelease],
  ['etc/lsb-release', lsbRelease],
];
const RELEASE_FILE_PATHS = new Set(RELEASE_FILES.map(([path]) => path));

function redhatRelease(text: string): Distribution | undefined {
  const match = REDHAT_RELEASE_RE.exec(text.trim());
  if (match === null) return undefined;
  const name = match[1] ?? '';
  const id = REDHAT_IDS.find(([re]) => re.test(name))?.[1];
  return id === undefined
    ? undefined
    : { id, versionId: match[2], prettyName: text.trim().split('\n')[0] };
}

/** `DISTRIB_ID=Ubuntu`, `DISTRIB_RELEASE=22.04`, `DISTRIB_CODENAME=jammy`. */
function lsbRelease(text: string): Distribution | undefined {
  const { fields } = parseOsRelease(text);
  const id = fields.get('DISTRIB_ID')?.toLowerCase();
  if (id === undefined || id === '') return undefined;
  return {
    id,
    versionId: nonEmpty(fields.get('DISTRIB_RELEASE')),
    versionCodename: nonEmpty(fields.get('DISTRIB_CODENAME')),
    prettyName: nonEmpty(fields.get('DISTRIB_DESCRIPTION')),
  };
}

function withVersion(
  id: string,
  versionId: string | undefined,
): Distribution | undefined {
  return versionId === undefined ? undefined : { id, versionId };
}

/** Maps os-release text to a Distribution (ID lower-cased, as the spec defines it). */
export function distributionOf(text: string): Omit<Identification, 'path'> {
  const { fields, invalidLines } = parseOsRelease(text);
  const warnings: DetectWarning[] =
    invalidLines.length > 0
      ? [
          {
            code: 'OS_RELEASE_INVALID',
            message: 'invalid os-release lines skipped',
            details: { lines: invalidLines },
          },
        ]
      : [];
  const id = fields.get('ID')?.toLowerCase();
  if (id === undefined || id === '')
    return { distribution: undefined, warnings };
  return {
    distribution: {
      id,
      versionId: nonEmpty(fields.get('VERSION_ID')),
      versionCodename: nonEmpty(fields.get('VERSION_CODENAME')),
      prettyName: nonEmpty(fields.get('PRETTY_NAME')),
    },
    warnings,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
