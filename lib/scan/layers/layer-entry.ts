/**
 * Layer entries as the walker reports them, and the rules that turn a tar
 * header into one (OCI whiteouts, link targets, entry types). Pure: no tar
 * parsing here.
 */
import { ScanError } from '../../core/errors.js';
import type { DetectedPackage, LayerFile } from '../detectors/types.js';
import { assertSymlinkInside, joinPath, normalizeEntryPath } from './paths.js';

/**
 * One entry of a layer. Paths are normalized and root-relative (see
 * `normalizeEntryPath`). OCI whiteouts come as `whiteout` (the path deleted
 * from lower layers) and `opaque` (the directory whose lower content is
 * hidden); they are never reported as files.
 */
export type LayerEntry =
  | {
      type: 'file';
      file: LayerFile;
      content: Buffer | undefined;
      /** Results of `file`-scope detectors, when the walk ran them. */
      detected?: FileDetection[] | undefined;
    }
  | { type: 'directory'; path: string }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'hardlink'; path: string; target: string; mode: number }
  | { type: 'whiteout'; path: string }
  | { type: 'opaque'; path: string }
  | { type: 'other'; path: string };

/** What one `file`-scope detector found in one file. */
export interface FileDetection {
  detector: string;
  packages: DetectedPackage[];
}

/** The header fields (tar's names) the rules need. */
export interface EntryHeader {
  type: string;
  linkpath?: string | undefined;
  mode?: number | undefined;
}

/** Prefix of OCI whiteout names. */
export const WHITEOUT_PREFIX = '.wh.';
/**
 * aufs bookkeeping (`.wh..wh.plnk/…`, `.wh..wh.aufs`): not content, skipped
 * as docker's archive package skips it.
 */
export const AUFS_META_PREFIX = '.wh..wh.';
const OPAQUE_WHITEOUT = '.wh..wh..opq';
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const DIRECTORY_TYPES = new Set(['Directory', 'GNUDumpDir']);
const OTHER_TYPES = new Set(['CharacterDevice', 'BlockDevice', 'FIFO']);
const LINK_TYPES = new Set(['SymbolicLink', 'Link']);

/** True for tar types that are regular files (with a body). */
export function isFileType(type: string): boolean {
  return FILE_TYPES.has(type);
}

/** True for every tar entry type a layer may hold (not sparse files, tape headers…). */
export function isSupportedType(type: string): boolean {
  return (
    FILE_TYPES.has(type) ||
    DIRECTORY_TYPES.has(type) ||
    OTHER_TYPES.has(type) ||
    LINK_TYPES.has(type)
  );
}

/**
 * The entry of a supported non-file header at normalized `path`.
 * @throws ScanError `EXTRACT_PATH_ESCAPE` for a symlink or hardlink whose
 *   target leaves the root.
 */
export function nonFileEntry(path: string, header: EntryHeader): LayerEntry {
  if (DIRECTORY_TYPES.has(header.type)) return { type: 'directory', path };
  if (OTHER_TYPES.has(header.type)) return { type: 'other', path };
  // tar's Parser refuses link entries without a linkpath, so it is set here.
  const target = header.linkpath ?? '';
  if (header.type === 'SymbolicLink') {
    assertSymlinkInside(path, target);
    return { type: 'symlink', path, target };
  }
  // A hardlink target is an archive path, under the same rules as entry paths.
  const linked = normalizeEntryPath(target);
  return { type: 'hardlink', path, target: linked, mode: header.mode ?? 0 };
}

/**
 * The meaning of a whiteout file `name` in directory `dir` (OCI image-spec
 * layer.md "Whiteouts"): `opaque`, a `whiteout` of `dir/<rest>`, or
 * undefined for aufs bookkeeping.
 * @throws ScanError `EXTRACT_PATH_ESCAPE` for `.wh...`, `LAYER_CORRUPT` for
 *   `.wh.` and `.wh..`.
 */
export function whiteoutEntry(
  dir: string,
  name: string,
): LayerEntry | undefined {
  if (name === OPAQUE_WHITEOUT) return { type: 'opaque', path: dir };
  if (name.startsWith(AUFS_META_PREFIX)) return undefined;
  const target = name.slice(WHITEOUT_PREFIX.length);
  if (target === '' || target === '.') {
    throw corruptLayer(`invalid whiteout ${name}`, 'TAR_WHITEOUT');
  }
  return { type: 'whiteout', path: normalizeEntryPath(joinPath(dir, target)) };
}

/** ScanError `LAYER_CORRUPT` with the tar-level reason in `details.tarCode`. */
export function corruptLayer(message: string, tarCode: string): ScanError {
  return new ScanError('LAYER_CORRUPT', `corrupt layer: ${message}`, {
    details: { tarCode },
  });
}
