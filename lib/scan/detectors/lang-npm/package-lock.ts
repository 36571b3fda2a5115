/**
 * package-lock.json (https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json):
 * lockfileVersion 2 and 3 list every installed path under `packages`
 * (`node_modules/a/node_modules/b`), version 1 nests `dependencies`.
 */
import type { NpmEntry } from './detector.js';

interface LockPackage {
  name?: unknown;
  version?: unknown;
  dev?: unknown;
  link?: unknown;
  dependencies?: unknown;
}

const NODE_MODULES = 'node_modules/';
/** Nesting of v1 `dependencies` followed; real trees are far shallower. */
const MAX_DEPTH = 64;

/** The packages a package-lock.json lists; warns and returns [] when it is not one. */
export function parsePackageLock(
  text: string,
  warn: (reason: string) => void,
): NpmEntry[] {
  let lock: { packages?: unknown; dependencies?: unknown };
  try {
    lock = JSON.parse(text) as typeof lock;
  } catch {
    warn('package-lock.json is not JSON');
    return [];
  }
  if (isObject(lock.packages)) return fromPackages(lock.packages);
  if (isObject(lock.dependencies))
    return fromDependencies(lock.dependencies, 0);
  warn('package-lock.json has neither packages nor dependencies');
  return [];
}

function fromPackages(packages: Record<string, unknown>): NpmEntry[] {
  const out: NpmEntry[] = [];
  for (const [path, value] of Object.entries(packages)) {
    // "" is the project itself; links point at workspace folders.
    if (path === '' || !isObject(value)) continue;
    const pkg = value as LockPackage;
    const at = path.lastIndexOf(NODE_MODULES);
    if (pkg.link === true || at < 0) continue;
    const name =
      typeof pkg.name === 'string'
        ? pkg.name
        : path.slice(at + NODE_MODULES.length);
    if (typeof pkg.version !== 'string') continue;
    out.push({ name, version: pkg.version, isDev: pkg.dev === true });
  }
  return out;
}

function fromDependencies(
  deps: Record<string, unknown>,
  depth: number,
): NpmEntry[] {
  if (depth > MAX_DEPTH) return [];
  const out: NpmEntry[] = [];
  for (const [name, value] of Object.entries(deps)) {
    if (!isObject(value)) continue;
    const pkg = value as LockPackage;
    if (typeof pkg.version === 'string')
      out.push({ name, version: pkg.version, isDev: pkg.dev === true });
    if (isObject(pkg.dependencies))
      out.push(...fromDependencies(pkg.dependencies, depth + 1));
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
