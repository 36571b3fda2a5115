/**
 * Facts about a layer file the configuration baseline judges, read from
 * its tar header alone (mode bits, path): setuid/setgid binaries,
 * world-writable files, package-manager caches left behind.
 */
import type { LayerFile } from '../detectors/types.js';

/** The kinds of {@link FileFlag}. */
export type FileFlagKind =
  'setuid' | 'setgid' | 'world-writable' | 'package-cache';

/** One fact about one file. */
export interface FileFlag {
  kind: FileFlagKind;
  path: string;
  /** Permission bits with setuid/setgid/sticky (`0o4755`). */
  mode: number;
}

const SETUID = 0o4000;
const SETGID = 0o2000;
const OTHERS_WRITE = 0o002;
/** Caches apt, apk, dnf/yum, npm, yarn and pip leave unless cleaned in the same layer. */
const PACKAGE_CACHE_RE =
  /^(?:var\/cache\/apt\/archives\/[^/]+\.deb|var\/lib\/apt\/lists\/[^/]+_(?:Packages|Sources|Release|InRelease)(?:\.\w+)?|var\/cache\/apk\/[^/]+|var\/cache\/(?:yum|dnf)\/.+|(?:root|home\/[^/]+)\/\.(?:npm\/_cacache|cache\/pip|cache\/yarn)\/.+|usr\/local\/share\/\.cache\/yarn\/.+)$/;

/** The flags of one regular file (usually none). */
export function fileFlags(file: LayerFile): FileFlag[] {
  const flags: FileFlag[] = [];
  const at = { path: file.path, mode: file.mode };
  if ((file.mode & SETUID) !== 0) flags.push({ kind: 'setuid', ...at });
  if ((file.mode & SETGID) !== 0) flags.push({ kind: 'setgid', ...at });
  if ((file.mode & OTHERS_WRITE) !== 0)
    flags.push({ kind: 'world-writable', ...at });
  if (PACKAGE_CACHE_RE.test(file.path))
    flags.push({ kind: 'package-cache', ...at });
  return flags;
}
