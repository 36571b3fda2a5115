/**
 * `os/dpkg`: installed Debian/Ubuntu packages from dpkg's database,
 * `var/lib/dpkg/status`, and from distroless's one-file-per-package
 * `var/lib/dpkg/status.d/<name>`; each with the license its DEP-5
 * `usr/share/doc/<name>/copyright` declares. Copyright files are matched
 * only so that their content is kept for the database's reading; they
 * yield no packages themselves.
 */
import { formatPurl } from '../../../core/purl.js';
import type {
  DetectedPackage,
  DetectInput,
  LayerFile,
  PackageDetector,
} from '../types.js';
import { parseControl, type ControlParagraph } from './control.js';
import {
  copyrightLicense,
  copyrightPathOf,
  isCopyrightPath,
  MAX_COPYRIGHT_BYTES,
} from './copyright.js';
import { dpkgRelease, type DpkgRelease } from './release.js';

const STATUS_PATH = 'var/lib/dpkg/status';
const STATUS_D_PREFIX = 'var/lib/dpkg/status.d/';
// Debian Policy §5.6.1 (package names) and §5.6.12 (versions), loosely: no blanks.
const NAME_RE = /^[a-z0-9][a-z0-9+.-]+$/;
const VERSION_RE = /^[A-Za-z0-9.+~:-]+$/;
const SOURCE_RE = /^(\S+)(?:\s+\((\S+)\))?$/;
const BLANKS_RE = /\s+/;
/**
 * dpkg's "current state" values (the 3rd word of Status, dpkg-query(1)) in
 * which the package's files are on disk. `installed` is the usual one;
 * `hold ok installed` and half-configured packages are on disk too, so they
 * are reported. `config-files` and `not-installed` are not.
 */
const ON_DISK_STATES = new Set([
  'installed',
  'unpacked',
  'half-configured',
  'half-installed',
  'triggers-awaited',
  'triggers-pending',
]);

/** The `os/dpkg` detector. */
export const dpkgDetector: PackageDetector = {
  name: 'os/dpkg',
  version: 2,
  matches(file: LayerFile): boolean {
    if (isCopyrightPath(file.path))
      return file.sizeBytes <= MAX_COPYRIGHT_BYTES;
    return isDpkgDatabasePath(file.path);
  },
  async detect(input: DetectInput): Promise<DetectedPackage[]> {
    if (!isDpkgDatabasePath(input.file.path)) return [];
    const text = (await input.read()).toString('utf8');
    const isStatusD = input.file.path !== STATUS_PATH;
    const release = dpkgRelease(input.distribution);
    const packages: DetectedPackage[] = [];
    for (const paragraph of parseControl(text)) {
      const pkg =
        paragraph.error === undefined
          ? toPackage(paragraph, { input, release, isStatusD })
          : invalid(input, paragraph.line, paragraph.error);
      if (pkg !== undefined) packages.push(pkg);
    }
    return withLicenses(packages, input);
  },
};

/** Adds to each package the license its copyright file declares, if any. */
async function withLicenses(
  packages: DetectedPackage[],
  input: DetectInput,
): Promise<DetectedPackage[]> {
  const out: DetectedPackage[] = [];
  for (const pkg of packages) {
    const copyright = await input.fs.readFile(copyrightPathOf(pkg.name));
    const license =
      copyright === undefined
        ? undefined
        : copyrightLicense(copyright.toString('utf8'));
    out.push(license === undefined ? pkg : { ...pkg, license });
  }
  return out;
}

/**
 * True for dpkg's status file and distroless status.d entries (not their
 * `.md5sums` companions). Anchored at the image root: `foo/var/lib/dpkg/status`
 * is not a database.
 */
export function isDpkgDatabasePath(path: string): boolean {
  if (path === STATUS_PATH) return true;
  if (!path.startsWith(STATUS_D_PREFIX)) return false;
  const name = path.slice(STATUS_D_PREFIX.length);
  return (
    name !== '' &&
    !name.includes('/') &&
    !name.startsWith('.') &&
    !name.endsWith('.md5sums')
  );
}

interface ParagraphContext {
  input: DetectInput;
  release: DpkgRelease;
  /** status.d holds only installed packages: every paragraph counts. */
  isStatusD: boolean;
}

function toPackage(
  paragraph: ControlParagraph,
  ctx: ParagraphContext,
): DetectedPackage | undefined {
  const { fields, line } = paragraph;
  const name = fields.get('package');
  const version = fields.get('version');
  if (name === undefined || !NAME_RE.test(name))
    return invalid(ctx.input, line, 'missing or invalid Package');
  if (version === undefined || !VERSION_RE.test(version))
    return invalid(ctx.input, line, 'missing or invalid Version');
  if (!ctx.isStatusD && !isOnDisk(fields.get('status'), ctx.input, line))
    return undefined;
  const source = sourceOf(fields.get('source'), { name, version });
  if (source === undefined)
    invalid(ctx.input, line, 'invalid Source, using the package name');
  const arch = fields.get('architecture') || undefined;
  return {
    ecosystem: ctx.release.ecosystem,
    name,
    version,
    arch,
    sourceName: source?.name ?? name,
    sourceVersion: source?.version ?? version,
    purl: formatPurl({
      type: 'deb',
      namespace: ctx.release.vendor,
      name,
      version,
      qualifiers: { arch, distro: ctx.release.distro },
    }),
  };
}

/** True when Status says the files are on disk; warns when Status is malformed. */
function isOnDisk(
  status: string | undefined,
  input: DetectInput,
  line: number,
): boolean {
  const words = status?.split(BLANKS_RE) ?? [];
  if (words.length !== 3) {
    invalid(input, line, 'missing or invalid Status');
    return false;
  }
  return ON_DISK_STATES.has(words[2] as string);
}

/**
 * `Source: name (version)`; without the parenthesis the source version is
 * the binary version, without the field the source is the package itself.
 */
function sourceOf(
  field: string | undefined,
  binary: { name: string; version: string },
): { name: string; version: string } | undefined {
  if (field === undefined || field === '') return binary;
  const match = SOURCE_RE.exec(field);
  if (match === null) return undefined;
  return { name: match[1] as string, version: match[2] ?? binary.version };
}

function invalid(input: DetectInput, line: number, reason: string): undefined {
  input.warn({
    code: 'PACKAGE_DB_INVALID',
    message: 'invalid dpkg status paragraph',
    details: { line, reason },
  });
  return undefined;
}
