/**
 * `lang/npm`: Node.js packages. Installed packages from
 * `node_modules/<name>/package.json` (what Trivy reports for images), and
 * the lock files of projects: `package-lock.json` (lockfileVersion 1–3),
 * `yarn.lock` (classic and berry) and `pnpm-lock.yaml`. A lock entry that
 * is also installed under the lock's own `node_modules` is reported once,
 * from the installed package.
 */
import { declaredLicense } from '../../../core/license-expression.js';
import type { ImagePackage } from '../../../core/package.js';
import { formatPurl } from '../../../core/purl.js';
import type {
  DetectedPackage,
  DetectInput,
  LayerFile,
  PackageDetector,
} from '../types.js';
import { parsePackageLock } from './package-lock.js';
import { parsePnpmLock } from './pnpm-lock.js';
import { parseYarnLock } from './yarn-lock.js';

/** A name and version a source lists, before they become packages. */
export interface NpmEntry {
  name: string;
  version: string;
  isDev?: boolean | undefined;
  /** Declared license (installed packages only: lock files name none). */
  license?: string | undefined;
}

const INSTALLED_RE =
  /(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/@.][^/]*\/package\.json$/;
const LOCK_RE = /(?:^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml)$/;
// Registry versions only: git URLs, tarballs and file: links name no release.
const VERSION_RE = /^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/;

/** The `lang/npm` detector. */
export const npmDetector: PackageDetector = {
  name: 'lang/npm',
  version: 2,
  scope: 'file',
  matches(file: LayerFile): boolean {
    if (INSTALLED_RE.test(file.path)) return true;
    return LOCK_RE.test(file.path) && !file.path.includes('node_modules/');
  },
  async detect(input: DetectInput): Promise<DetectedPackage[]> {
    const text = (await input.read()).toString('utf8');
    const lock = LOCK_RE.exec(input.file.path)?.[1];
    const warn = (reason: string): void =>
      input.warn({
        code: 'PACKAGE_DB_INVALID',
        message: 'invalid npm package file',
        details: { reason },
      });
    const entries =
      lock === 'package-lock.json'
        ? parsePackageLock(text, warn)
        : lock === 'yarn.lock'
          ? parseYarnLock(text, warn)
          : lock === 'pnpm-lock.yaml'
            ? parsePnpmLock(text, warn)
            : installedEntry(text, warn);
    return entries.filter((e) => VERSION_RE.test(e.version)).map(toPackage);
  },
  reconcile(packages: readonly ImagePackage[]): ImagePackage[] {
    const installed = new Set(
      packages
        .filter((p) => INSTALLED_RE.test(p.path))
        .map((p) => `${projectOf(p.path)}\u0000${p.name}@${p.version}`),
    );
    return packages.filter(
      (p) =>
        INSTALLED_RE.test(p.path) ||
        !installed.has(`${projectOf(p.path)}\u0000${p.name}@${p.version}`),
    );
  },
};

/** The project directory of a lock file or of a package installed in it. */
function projectOf(path: string): string {
  const nm = path.indexOf('node_modules/');
  const dir =
    nm >= 0 ? path.slice(0, nm) : path.slice(0, path.lastIndexOf('/') + 1);
  return dir;
}

function installedEntry(
  text: string,
  warn: (reason: string) => void,
): NpmEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    warn('package.json is not JSON');
    return [];
  }
  const { name, version, license, licenses } = (json ?? {}) as {
    name?: unknown;
    version?: unknown;
    license?: unknown;
    licenses?: unknown;
  };
  // A package.json without a name or version is no installed release.
  if (typeof name !== 'string' || typeof version !== 'string') return [];
  return [{ name, version, license: npmLicense(license ?? licenses) }];
}

/**
 * `license` (an SPDX expression), or the deprecated forms
 * (https://docs.npmjs.com/cli/v10/configuring-npm/package-json#license):
 * `{ type, url }`, and `licenses: [{ type, url }, …]`, which npm's own
 * docs rewrite as `(A OR B)`.
 */
function npmLicense(value: unknown): string | undefined {
  if (typeof value === 'string') return declaredLicense(value);
  if (Array.isArray(value)) {
    const names = value.map(npmLicense).filter((n) => n !== undefined);
    return declaredLicense(
      names.length > 1 ? names.map((n) => `(${n})`).join(' OR ') : names[0],
    );
  }
  const type = (value as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? declaredLicense(type) : undefined;
}

function toPackage(entry: NpmEntry): DetectedPackage {
  const version = entry.version.replace(/^v/, '');
  const slash = entry.name.startsWith('@') ? entry.name.indexOf('/') : -1;
  return {
    ecosystem: 'npm',
    name: entry.name,
    version,
    purl: formatPurl({
      type: 'npm',
      namespace: slash > 0 ? entry.name.slice(0, slash) : undefined,
      name: slash > 0 ? entry.name.slice(slash + 1) : entry.name,
      version,
    }),
    ...(entry.license === undefined ? {} : { license: entry.license }),
  };
}
