/**
 * Path rules of layer entries (STYLE.md §3): entries are relative to the
 * image root and never leave it.
 */
import { ScanError } from '../../core/errors.js';

/**
 * Normalizes a tar entry path (or a hardlink target, which tar also stores
 * as an archive path): drops `./`, empty and `.` segments and the trailing
 * slash; `''` is the root itself.
 * @throws ScanError `EXTRACT_PATH_ESCAPE` for an absolute path or one with a
 *   `..` segment (even one that would stay inside: no tar tool writes them).
 */
export function normalizeEntryPath(raw: string): string {
  if (raw.startsWith('/')) throw escape('absolute path', raw);
  const segments: string[] = [];
  for (const segment of raw.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') throw escape('path with a .. segment', raw);
    segments.push(segment);
  }
  return segments.join('/');
}

/**
 * Checks a symlink target. Relative targets are resolved lexically from the
 * link's directory, absolute ones from the image root (inside a container
 * `/usr/bin/mawk` means the image's own file); either way the target must
 * not climb above the root.
 * @throws ScanError `EXTRACT_PATH_ESCAPE` when it does.
 */
export function assertSymlinkInside(linkPath: string, target: string): void {
  const isAbsolute = target.startsWith('/');
  let depth = isAbsolute ? 0 : linkPath.split('/').length - 1;
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    depth += segment === '..' ? -1 : 1;
    if (depth < 0)
      throw escape('symlink target outside the root', linkPath, target);
  }
}

/** `[dir, base]` of a normalized path (`dir` is `''` at the root). */
export function splitPath(path: string): [string, string] {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? ['', path] : [path.slice(0, slash), path.slice(slash + 1)];
}

/** Joins a normalized directory and a name. */
export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

function escape(what: string, path: string, target?: string): ScanError {
  return new ScanError(
    'EXTRACT_PATH_ESCAPE',
    `layer entry escapes the root: ${what}`,
    {
      details: target === undefined ? { path } : { path, target },
    },
  );
}
