/**
 * The merged view of an image's layers, restricted to what detectors need:
 * the files they matched (with content) and every symlink. Layers are applied
 * bottom to top with OCI whiteout semantics
 * (https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts).
 */
import type { Digest } from '../../core/digest.js';
import type { LayerFile, LayerFS, ScanWarning } from '../detectors/types.js';
import type { LayerEntry } from './extract.js';
import type { FileDetection } from './layer-entry.js';
import { limitExceeded } from './limits.js';

/**
 * A matched file of the final view and the layer it came from: its content
 * when `image`-scope detectors (or os-release) need it, the results of
 * `file`-scope detectors when they ran during the walk.
 */
export interface ViewFile {
  file: LayerFile;
  content?: Buffer | undefined;
  detected?: FileDetection[] | undefined;
  layerDigest: Digest;
}

interface DirNode {
  kind: 'dir';
  children: Map<string, ViewNode>;
}
interface FileNode extends ViewFile {
  kind: 'file';
}
interface LinkNode {
  kind: 'symlink';
  target: string;
}
type ViewNode = DirNode | FileNode | LinkNode;
type LeafNode = FileNode | LinkNode;

const SEPARATOR_RE = /\/+/;

/**
 * Tree of the merged view. Paths are normalized, root-relative (as
 * `extractLayer` emits them); directories exist only as parents of kept
 * entries. Lookups are lexical; only `fs` follows symlinks.
 */
export class MergedView {
  private readonly root: DirNode = { kind: 'dir', children: new Map() };
  /** Read-only access for detectors; follows symlinks inside the root. */
  readonly fs: LayerFS;

  constructor(private readonly maxSymlinkDepth: number) {
    this.fs = {
      stat: (path) => this.resolve(path)?.file,
      // In an executor, a throw (symlink loop) becomes a rejection.
      readFile: (path) =>
        new Promise((resolve) => resolve(this.resolve(path)?.content)),
    };
  }

  /** Starts applying the next layer (bottom to top); commit it when its walk succeeded. */
  beginLayer(
    layerDigest: Digest,
    wants: (file: LayerFile) => boolean,
  ): LayerChanges {
    return new LayerChanges(this, layerDigest, wants);
  }

  /** Every matched file of the view, sorted by path. */
  files(): ViewFile[] {
    const out: ViewFile[] = [];
    const stack: DirNode[] = [this.root];
    for (let dir = stack.pop(); dir !== undefined; dir = stack.pop()) {
      for (const node of dir.children.values()) {
        if (node.kind === 'dir') stack.push(node);
        else if (node.kind === 'file')
          out.push({
            file: node.file,
            content: node.content,
            detected: node.detected,
            layerDigest: node.layerDigest,
          });
      }
    }
    return out.sort((a, b) =>
      a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0,
    );
  }

  /** The node at `path`, without following symlinks. */
  get(path: string): ViewNode | undefined {
    let node: ViewNode = this.root;
    for (const name of path.split('/')) {
      if (node.kind !== 'dir') return undefined;
      const child: ViewNode | undefined = node.children.get(name);
      if (child === undefined) return undefined;
      node = child;
    }
    return node;
  }

  /** Removes `path` and everything under it. */
  remove(path: string): void {
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? this.root : this.get(path.slice(0, slash));
    if (parent?.kind === 'dir') parent.children.delete(path.slice(slash + 1));
  }

  /** Empties directory `path` (`''` is the root), keeping the directory. */
  clear(path: string): void {
    const node = path === '' ? this.root : this.get(path);
    if (node?.kind === 'dir') node.children.clear();
  }

  /** Puts a leaf at `path`; missing parents become directories, non-directory parents are replaced. */
  set(path: string, leaf: LeafNode): void {
    const names = path.split('/');
    const last = names.pop() as string;
    let dir = this.root;
    for (const name of names) {
      let child = dir.children.get(name);
      if (child?.kind !== 'dir') {
        child = { kind: 'dir', children: new Map() };
        dir.children.set(name, child);
      }
      dir = child;
    }
    dir.children.set(last, leaf);
  }

  /**
   * Follows symlinks component by component (`..` after a symlink is taken
   * from where it led, as the kernel does); `..` at the root stays there.
   * @throws ScanError `EXTRACT_LIMIT_EXCEEDED` after `maxSymlinkDepth` links.
   */
  private resolve(path: string): FileNode | undefined {
    const pending = path.split(SEPARATOR_RE).reverse();
    const stack: DirNode[] = [this.root];
    let followed = 0;
    for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
      if (name === '' || name === '.') continue;
      if (name === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const node = (stack[stack.length - 1] as DirNode).children.get(name);
      if (node === undefined) return undefined;
      if (node.kind === 'dir') {
        stack.push(node);
      } else if (node.kind === 'file') {
        return pending.every((rest) => rest === '' || rest === '.')
          ? node
          : undefined;
      } else {
        if (++followed > this.maxSymlinkDepth)
          throw limitExceeded('maxSymlinkDepth', this.maxSymlinkDepth, {
            path,
          });
        if (node.target.startsWith('/')) stack.length = 1;
        pending.push(...node.target.split(SEPARATOR_RE).reverse());
      }
    }
    return undefined;
  }
}

/**
 * The changes of one layer, applied as its entries stream by. Deletions
 * (whiteouts, opaque directories, entries replacing lower ones) act on the
 * view of the LOWER layers at once; additions wait in `staged` until
 * `commit`, so that nothing a layer deletes can touch its own entries.
 */
export class LayerChanges {
  /** Expected problems of this layer (a hardlink to content that was not kept). */
  readonly warnings: ScanWarning[] = [];
  private readonly staged = new Map<string, LeafNode>();

  constructor(
    private readonly view: MergedView,
    private readonly layerDigest: Digest,
    private readonly wants: (file: LayerFile) => boolean,
  ) {}

  /** Applies one entry of the layer, in archive order. */
  apply(entry: LayerEntry): void {
    switch (entry.type) {
      case 'whiteout':
        this.view.remove(entry.path);
        return;
      case 'opaque':
        this.view.clear(entry.path);
        return;
      case 'directory':
        if (this.view.get(entry.path)?.kind !== 'dir')
          this.view.remove(entry.path);
        this.staged.delete(entry.path);
        return;
      case 'file': {
        const { file, content, detected } = entry;
        const leaf: FileNode | undefined =
          content === undefined && detected === undefined
            ? undefined
            : {
                kind: 'file',
                file,
                content,
                detected,
                layerDigest: this.layerDigest,
              };
        this.replace(file.path, leaf);
        return;
      }
      case 'symlink':
        this.replace(entry.path, { kind: 'symlink', target: entry.target });
        return;
      case 'hardlink':
        this.replace(entry.path, this.hardlink(entry));
        return;
      case 'other':
        this.replace(entry.path, undefined);
        return;
    }
  }

  /** Adds the layer's entries to the view; call once, after a successful walk. */
  commit(): void {
    for (const [path, leaf] of this.staged) this.view.set(path, leaf);
    this.staged.clear();
  }

  /** A non-directory entry hides whatever lower layers had at `path`. */
  private replace(path: string, leaf: LeafNode | undefined): void {
    this.view.remove(path);
    if (leaf === undefined) this.staged.delete(path);
    else this.staged.set(path, leaf);
  }

  /** A hardlink shares its target's content; tar lists the target first. */
  private hardlink(
    entry: Extract<LayerEntry, { type: 'hardlink' }>,
  ): FileNode | undefined {
    const target = this.staged.get(entry.target) ?? this.view.get(entry.target);
    if (target?.kind === 'file') {
      // The path appears in this layer, whichever layer holds the content.
      return {
        ...target,
        file: { ...target.file, path: entry.path, mode: entry.mode },
        layerDigest: this.layerDigest,
      };
    }
    if (this.wants({ path: entry.path, sizeBytes: 0, mode: entry.mode })) {
      this.warnings.push({
        source: 'layers',
        code: 'HARDLINK_TARGET_UNAVAILABLE',
        message: 'hardlinked file content was not kept',
        path: entry.path,
        layerDigest: this.layerDigest,
        details: { target: entry.target },
      });
    }
    return undefined;
  }
}
